"""Composition root: the only module that wires every layer together.

`CsmsServer` owns one process: the database writer, the OCPP websocket endpoint, the HTTP
API on uvicorn and the background workers, all in one event loop. Tests start it in-process
on port 0; `csms serve` runs it until SIGINT/SIGTERM.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
import ssl
from datetime import timedelta

import uvicorn

from csms.api.app import close_streams, create_app
from csms.api.http_connections import HttpLimits, guarded_protocol
from csms.clock import Clock, SystemClock
from csms.cluster.node import ClusterNode
from csms.connections import AddressLimit
from csms.logs import RepeatLimiter
from csms.ocpp.kept_payloads import KeptEvSchedules, KeptSecurityEvents
from csms.ocpp.redaction import redact_frame  # secrets out of the message log
from csms.ocpp.registry import Registry
from csms.ocpp.server import OcppServer
from csms.ocpp.station_services import StationServices  # what stations may use
from csms.persistence.back_office import OfficeDatabase  # people, audit, reports
from csms.persistence.compat_store import CompatDatabase  # chargers that break the spec
from csms.persistence.database import SqlDatabase
from csms.persistence.file_store import DiskStore  # firmware and log jobs, uploads
from csms.persistence.migrate import upgrade
from csms.services.authorization.local_lists import LocalListService
from csms.services.authorization.reservations import ReservationService
from csms.services.authorization.tokens import TokenService
from csms.services.billing.costs import CostConfig, CostService  # tariffs and cost, charging state
from csms.services.billing.tariffs import TariffService
from csms.services.books import TariffBook, TokenBook
from csms.services.commands import CommandService, Keepers
from csms.services.container import Services
from csms.services.devices.availability import AvailabilityService  # reservations, local lists, ...
from csms.services.devices.compatibility import CompatibilityBook
from csms.services.devices.data_transfer import DataTransferService
from csms.services.devices.device_model import DeviceModelService
from csms.services.devices.station_setup import StationSetupService  # metering set on boot
from csms.services.event_log import EventLog  # the event stream's recent events
from csms.services.eventbus import EventBus
from csms.services.files.diagnostics import DiagnosticsService, UploadConfig
from csms.services.files.firmware import FirmwareService
from csms.services.invalidation import LocalInvalidations
from csms.services.message_log import MessageLog
from csms.services.office.admin import ensure_admin_token
from csms.services.office.audit import AuditService
from csms.services.office.office import Office  # people, audit, reports
from csms.services.office.people import PeopleService
from csms.services.office.sign_in_throttle import SignInThrottle
from csms.services.office.statements import ReportService
from csms.services.ports import EventSink, StationGateway
from csms.services.security.certificates import CaConfig, CertificateService
from csms.services.security.security import SecurityService
from csms.services.sites.accounting import AccountingService
from csms.services.sites.forecast import ForecastService
from csms.services.sites.sites import SiteService
from csms.services.smart.green_outlook import outlook
from csms.services.smart.preferences import Defaults, PreferenceService
from csms.services.smart.profiles_state import ProfileStateService
from csms.services.smart.smart_charging import SLOT_MINUTES, ChargingConfig, SmartChargingService
from csms.services.stations.live import LiveStations, TransactionKeys
from csms.services.stations.presence import Presence
from csms.services.stations.stations import StationService
from csms.services.transactions.transactions import TransactionService
from csms.settings import Settings
from csms.startup_banner import startup_banner
from csms.supervisor import Supervisor
from csms.workers.auth_sync import LocalListWorker, expire_reservations
from csms.workers.forecasts import ForecastFetcher
from csms.workers.periodic import every
from csms.workers.planner import PlannerWorker
from csms.workers.station_setup import StationSetupWorker  # metering set on boot
from csms.workers.subscribers import Subscribers

log = logging.getLogger("csms")

FLUSH_INTERVAL_S = 5.0
ACCOUNTING_INTERVAL_S = 60.0


class CsmsServer:
    def __init__(self, settings: Settings, clock: Clock | None = None) -> None:
        self.settings = settings
        self.clock = clock or SystemClock()
        self.ocpp_port = 0
        self.ocpp_tls_port: int | None = None
        self.api_port = 0
        self.generated_admin_token: str | None = None
        self.supervisor: Supervisor | None = None  # every background loop (started by start())

    async def start(self, migrate: bool = True) -> None:
        s = self.settings
        if migrate:
            await asyncio.to_thread(upgrade, s.database_url)
        # --- hostile clients: errors repeated in a tight loop are logged once per interval ---
        loop = asyncio.get_running_loop()
        loops = Supervisor()
        self._loop_handler = loop.get_exception_handler()
        loop.set_exception_handler(RepeatLimiter(then=self._loop_handler))
        bus = EventBus()
        self.registry = Registry()
        self.cluster = self._cluster_node(bus)
        if self.cluster is not None:
            await self.cluster.start()
            self.registry.watch(self.cluster.presence)
        self.db = SqlDatabase(s.database_url, sink=self._sink(bus))
        await self.db.start()
        self.supervisor = loops  # from here on stop() undoes what start() did
        self.invalidations = (self.cluster.invalidations if self.cluster
                              else LocalInvalidations())
        self.live = LiveStations(self.db, self.invalidations)
        self.transaction_keys = TransactionKeys(self.db)
        # Reservations changed through another node concern this node's stations too.
        everywhere = self.cluster.events.everywhere if self.cluster else bus
        everywhere.listen(self.live.on_event)
        self.token_book = TokenBook(self.db, self.invalidations)
        self.tariff_book = TariffBook(self.db, self.invalidations)
        await self.token_book.load()
        await self.tariff_book.load()
        self.compatibility = CompatibilityBook(CompatDatabase(self.db), self.invalidations,
                                               self.clock)
        await self.compatibility.load()
        self.services = self._services(bus)
        admin, self.generated_admin_token = await ensure_admin_token(self.db, s.admin_token)

        self.ocpp = OcppServer(StationServices.of(self.services), self.registry, s.call_timeout,
                               s.ws_ping_interval, s.ws_ping_timeout, s.ws_compression,
                               s.ocpp_connections_per_address, s.exempt_addresses)
        self.ocpp_port = await self.ocpp.start(s.ocpp_host, s.ocpp_port)
        if self.ocpp.keepalive is not None:
            loops.start("keepalive", self.ocpp.keepalive.run)
        # security: a configured CA is checked now; profile 3 also trusts the CA csms issues from
        if s.ca_cert or s.ca_key:
            await self.services.certificates.authority()
        if s.ocpp_tls_port is not None:
            issuing = await self.services.certificates.root_pem() if s.tls_client_ca else None
            self.ocpp_tls_port = await self.ocpp.start(s.ocpp_host, s.ocpp_tls_port,
                                                       self._tls(issuing))

        # --- people, audit, reports; the event stream's recent events ---
        self.office = self._office()
        self.event_log = EventLog(s.events_kept)
        (self.cluster.events.everywhere if self.cluster else bus).listen(self.event_log.append)
        self.api = api = create_app(self.services, admin, self.office, self.event_log)
        # proto=IPPROTO_TCP: asyncio sets TCP_NODELAY only on sockets that say they are TCP;
        # without it every response waits ~40 ms for a delayed ACK (headers, then body).
        sock = socket.socket(socket.AF_INET6 if ":" in s.api_host else socket.AF_INET,
                             socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((s.api_host, s.api_port))
        self.api_port = sock.getsockname()[1]
        # --- hostile clients: idle and half-sent requests time out, a cap per address ---
        http = guarded_protocol(HttpLimits(s.api_head_timeout_s, AddressLimit(
            s.api_connections_per_address), s.exempt_addresses))
        config = uvicorn.Config(api, log_config=None, lifespan="off", access_log=False,
                                http=http, timeout_keep_alive=s.api_keep_alive_s)  # type: ignore[arg-type]
        self._uvicorn = uvicorn.Server(config)
        # The API is essential: if uvicorn fails the process stops (restart=None); at shutdown
        # it is asked to finish its requests rather than cancelled.
        loops.start("api", lambda: self._uvicorn.serve(sockets=[sock]), restart=None,
                    ask_to_stop=self._stop_api)
        if self.cluster is not None:
            loops.start("cluster", self.cluster.run)
        loops.start("flush", lambda: every(FLUSH_INTERVAL_S, self._flush, "flush"))
        accounting = self.services.accounting
        loops.start("accounting", lambda: every(
            ACCOUNTING_INTERVAL_S, accounting.refresh, "green accounting"))
        leases = self.cluster.leases if self.cluster else None
        planner = PlannerWorker(self.services.smart_charging, self.db, self.services.events,
                                s.plan_interval_s, lease=leases, held=self.live.held)
        loops.start("reservation-expiry", lambda: expire_reservations(self.services.reservations))
        # every loop following the event bus (the planner, local
        # lists, accounting and costs after stops, TxProfiles of ended transactions)
        subscribers = Subscribers(
            bus, self.services.events, planner,
            LocalListWorker(self.services.local_lists, bus), accounting, self.services.costs,
            self.services.profiles_state, self.live.held)
        for name, follow in subscribers.loops().items():
            loops.start(name, follow)
        if s.forecast_provider != "none":
            fetcher = ForecastFetcher(self.services.sites, self.services.events,
                                      s.forecast_provider_url, s.forecast_fetch_interval_s,
                                      s.forecast_provider_key, lease=leases)
            loops.start("forecasts", fetcher.run)
        if s.station_setup:  # metering set on boot: this node's boots, every policy change
            setup = StationSetupWorker(self.services.station_setup, bus,
                                       self.registry.is_connected, s.station_setup_delay_s)
            loops.start("station-setup", setup.run)
        while not self._uvicorn.started:  # noqa: ASYNC110 (uvicorn offers no event)
            await asyncio.sleep(0.01)

    def _services(self, bus: EventBus) -> Services:
        s, db, clock = self.settings, self.db, self.clock
        accept_tokens = s.unknown_id_tokens == "accept"
        preferences = PreferenceService(db, clock, Defaults(s.default_dwell_h,
                                                            s.default_energy_kwh))
        forecasts = ForecastService(db, clock)
        accounting = AccountingService(db, clock)
        # tariffs and cost, charging state: whoever sends a profile
        # command tells profiles_state what the station took
        profiles_state, costs = self._charging_state(accounting)
        gateway = self._reach()
        smart = SmartChargingService(db, clock, gateway, preferences, profiles_state,
                                     outlook(forecasts, SLOT_MINUTES),
                                     config=ChargingConfig(
            evse_max_kw=s.evse_max_kw, car_max_kw=s.car_max_kw, unit=s.charging_rate_unit,
            min_interval=timedelta(seconds=s.profile_min_interval_s),
            check_delay=timedelta(seconds=s.profile_check_delay_s)
            if s.profile_check_delay_s else None),
            lease=self.cluster.leases if self.cluster else None)
        device_model = DeviceModelService(db, clock, self._reach())
        availability = AvailabilityService(db, clock)  # requested availability
        firmware, diagnostics = self._file_services()  # firmware and log jobs
        certificates = CertificateService(db, clock, self._reach(), CaConfig(  # security
            s.ca_cert, s.ca_key, s.cert_validity_days, s.v2g_root == "builtin"))
        stations = StationService(db, clock, self._sink(bus), self._reach(), self.live,
                                  s.unknown_stations, s.heartbeat_interval, s.boot_rate,
                                  security_events=KeptSecurityEvents())
        return Services(
            db=db, clock=clock, events=self.cluster.events.everywhere if self.cluster else bus,
            stations=stations,
            tokens=TokenService(db, clock, self.token_book, self.live, accept_tokens),
            transactions=TransactionService(
                db, clock, self.live, self.transaction_keys, self.token_book, self.tariff_book,
                accept_tokens, registers=self.compatibility.meter_register),
            commands=(commands := CommandService(db, gateway, keepers=Keepers(
                availability, profiles_state, device_model, firmware, diagnostics))),
            presence=Presence(db),
            message_log=MessageLog(clock, s.message_log_size, redact=redact_frame),
            gateway=gateway,
            sites=SiteService(db, clock),
            preferences=preferences,
            smart_charging=smart,
            forecasts=forecasts,
            accounting=accounting,
            device_model=device_model,
            data_transfer=DataTransferService(db, clock),
            certificates=certificates,
            security=SecurityService(db, clock, self._reach(), certificates, stations,
                                     KeptSecurityEvents()),
            firmware=firmware,
            diagnostics=diagnostics,
            # reservations, local lists, availability
            reservations=ReservationService(db, clock, commands),
            local_lists=LocalListService(db, clock, commands, self.registry),
            availability=availability,
            # tariffs and cost, charging state
            tariffs=TariffService(db, clock, self.tariff_book),
            costs=costs,
            profiles_state=profiles_state,
            station_setup=StationSetupService(  # metering on boot
                db, clock, self.registry, device_model),
            invalidations=self.invalidations,
            storage=db.health,  # what /health says about writes
            compatibility=self.compatibility,
        )

    # --- cluster mode: stations, events and invalidations of every node ---------------------
    def _cluster_node(self, bus: EventBus) -> ClusterNode | None:
        s = self.settings
        if not s.redis_url:
            return None
        return ClusterNode(s.redis_url, s.redis_prefix, s.node_id, s.node_ttl_s, self.registry,
                           bus, s.call_timeout)

    def _reach(self) -> StationGateway:
        """Stations wherever their socket is; the station's own node's workers use
        `self.registry` (local stations only), so that one node acts for each station."""
        return self.cluster.gateway if self.cluster is not None else self.registry

    def _sink(self, bus: EventBus) -> EventSink:
        return self.cluster.events if self.cluster is not None else bus

    # --- people, audit, reports -----------------------------------------------------------
    def _office(self) -> Office:
        office_db = OfficeDatabase(self.db)
        return Office(
            db=office_db,
            people=PeopleService(office_db, self.clock,
                                 timedelta(seconds=self.settings.session_ttl_s),
                                 SignInThrottle(self.clock)),
            audit=AuditService(office_db, self.clock),
            reports=ReportService(office_db, self.services.costs, self.services.accounting))

    # --- tariffs and cost, charging state --------------------------------------------------
    def _charging_state(
        self, accounting: AccountingService
    ) -> tuple[ProfileStateService, CostService]:
        s = self.settings
        profiles_state = ProfileStateService(self.db, self.clock, KeptEvSchedules())
        # running and final costs: each node tells the stations it holds
        costs = CostService(self.db, self.clock, self.registry, accounting, CostConfig(
            s.cost_update_interval_s, s.cost_datatransfer_vendor))
        return profiles_state, costs

    # --- firmware and log jobs, uploads ----------------------------------------------------
    def _file_services(self) -> tuple[FirmwareService, DiagnosticsService]:
        s = self.settings
        config = UploadConfig(s.upload_max_bytes, s.upload_token_ttl_s, self.public_api_url)
        return (FirmwareService(self.db, self.clock, self._reach()),
                DiagnosticsService(self.db, self.clock, DiskStore(s.upload_dir), config,
                                   self._reach()))

    def public_api_url(self) -> str:
        """Where stations reach the API (upload URLs); the port is known once bound."""
        s = self.settings
        if s.public_api_url:
            return s.public_api_url.rstrip("/")
        host = socket.gethostname() if s.api_host in ("0.0.0.0", "::", "") else s.api_host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.api_port}"

    def _tls(self, issuing_ca_pem: str | None = None) -> ssl.SSLContext:
        s = self.settings
        if not (s.tls_cert and s.tls_key):
            raise ValueError("CSMS_OCPP_TLS_PORT needs CSMS_TLS_CERT and CSMS_TLS_KEY")
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(s.tls_cert, s.tls_key)
        if s.tls_client_ca:
            ctx.load_verify_locations(s.tls_client_ca)
            if issuing_ca_pem:  # certificates csms signed (SignCertificate) are good too
                ctx.load_verify_locations(cadata=issuing_ca_pem)
            ctx.verify_mode = ssl.CERT_OPTIONAL
        return ctx

    async def _flush(self) -> None:
        await self.services.presence.flush()
        await self.services.message_log.flush(self.db)

    def _stop_api(self) -> None:
        close_streams(self.api)  # an open event stream would hold uvicorn's shutdown forever
        self._uvicorn.should_exit = True

    @property
    def running(self) -> bool:
        """Started and not stopped yet."""
        return self.supervisor is not None

    async def stop(self) -> None:
        """Close sockets first, then drain what stations said into the database. The database
        writer is stopped whatever fails before it (each failure is logged)."""
        supervisor, self.supervisor = self.supervisor, None
        try:
            self._stop_api()
            await self.ocpp.stop()
            if supervisor is not None:
                await supervisor.stop()  # the loops, the last started first
            await self.services.certificates.close()  # certificate deliveries in flight
            await self.services.smart_charging.close()  # capability probes, profile checks
            await self.live.close()  # loads and re-reads other nodes asked for
            await self.transaction_keys.close()  # a block of ids being reserved
            await self.token_book.close()
            await self.tariff_book.close()
            await self.compatibility.close()
            if self.cluster is not None:
                await self.cluster.close()
        except Exception:
            log.exception("shutdown: stopping the server's parts failed")
        finally:
            try:
                await self._flush()
            except Exception:
                log.exception("shutdown: the last flush failed")
            await self.db.stop()
            asyncio.get_running_loop().set_exception_handler(self._loop_handler)


async def serve(settings: Settings) -> None:
    server = CsmsServer(settings)
    await server.start()
    print(startup_banner(settings, ocpp_port=server.ocpp_port,
                         ocpp_tls_port=server.ocpp_tls_port, api_port=server.api_port,
                         generated_admin_token=server.generated_admin_token), flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    supervisor = server.supervisor
    assert supervisor is not None
    supervisor.when_failed(stop.set)  # an essential loop failed: stop cleanly
    await stop.wait()
    log.info("shutting down")
    await server.stop()
    if supervisor.failure is not None:
        raise SystemExit(f"csms stopped: {supervisor.failure.name} failed")
