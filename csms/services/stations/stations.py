"""Station use cases: handshake admission, boot, status, registration and reports."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from csms.clock import Clock
from csms.domain import events as ev
from csms.domain.errors import Conflict, InvalidInput, NotFound
from csms.domain.model import (
    BootDecision,
    BootInfo,
    ConnectorState,
    RegistrationStatus,
    Station,
)
from csms.domain.records import ConnectorSaved, StationBooted, StationConnected
from csms.domain.security import (
    Handshake,
    RefusalType,
    SecurityEvent,
    SecurityProfile,
    Verdict,
    default_profile,
    judge,
    next_profile,
)
from csms.services.passwords import hash_password, verify_password
from csms.services.ports import Database, EventSink, SecurityEventForm, StationGateway, UnitOfWork
from csms.services.stations.admission import Admission, RefusalLog
from csms.services.stations.admission_throttle import AdmissionThrottle
from csms.services.stations.boot_pacing import BootPacer
from csms.services.stations.live import LiveStations

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class StationView:
    """A station with its connectors, for the API."""

    station: Station
    connectors: list[ConnectorState]


class StationService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        sink: EventSink,
        gateway: StationGateway,
        live: LiveStations,
        unknown_policy: str = "reject",
        heartbeat_interval: int = 300,
        boot_rate: float = 0.0,
        *,
        security_events: SecurityEventForm,
    ) -> None:
        self._pacer = BootPacer(boot_rate)
        self._gateway = gateway
        self._live = live
        # Station id -> (stored hash, digest of the password it verified): a station that
        # reconnects with the same password skips argon2, which would make a reconnect
        # storm cost a CPU-second per few dozen stations.
        self._verified: dict[str, tuple[str, bytes]] = {}
        self.throttle = AdmissionThrottle()  # wrong passwords, per station id and address
        # refused handshakes as security events
        self.refusals = RefusalLog(db, clock, security_events)
        self._security_events = security_events
        self._db = db
        self._clock = clock
        self._sink = sink
        self._policy = unknown_policy
        self._interval = heartbeat_interval

    # --- the OCPP side ----------------------------------------------------------------

    async def admit(self, station_id: str, password: str | None, handshake: Handshake,
                    address: str = "") -> Admission:
        """Decide a websocket handshake: a known station, shown at least as strong as its
        security profile (docs/adr/0012). `address`: the client's, for throttling wrong
        passwords and for the security event of a refusal."""
        # The station's state is read now (in batches when many connect at once) and kept
        # for its messages; an unknown id's is not kept.
        state = await self._live.get(station_id)
        if not state.known:
            self._live.drop(station_id)
            if self._policy != "accept":
                return Admission.UNKNOWN
            await self._register_on_connect(station_id)
            return Admission.OK
        profile = state.security_profile
        verdict = judge(profile, handshake, state.password_hash is not None)
        if verdict == Verdict.ADMIT:
            return Admission.OK
        if verdict == Verdict.REFUSE_TRANSPORT:
            await self._refused(station_id, RefusalType.DOWNGRADE, "plain ws:// for security "
                                f"profile {profile:d}, which needs wss://", address)
            return Admission.WRONG_TRANSPORT
        if verdict == Verdict.REFUSE_CERTIFICATE:
            await self._refused(station_id, RefusalType.CERTIFICATE, "no client certificate "
                                "for security profile 3", address)
            return Admission.NO_CERTIFICATE
        if verdict == Verdict.REFUSE_NO_PASSWORD or password is None:
            await self._refused(station_id, RefusalType.PASSWORD, "no Basic-auth password for "
                                f"security profile {profile:d}", address)
            return Admission.UNAUTHORIZED
        return await self._check_password(station_id, state.password_hash, password, address)

    async def _check_password(self, station_id: str, pw_hash: str | None, password: str,
                              address: str) -> Admission:
        assert pw_hash is not None  # judge() asks for the check only when there is a hash
        digest = hashlib.sha256(password.encode()).digest()
        memo = self._verified.get(station_id)
        if memo is not None and memo[0] == pw_hash and hmac.compare_digest(memo[1], digest):
            return Admission.OK
        if self.throttle.wait_s(station_id, address) > 0:
            return Admission.THROTTLED
        if not await verify_password(pw_hash, password):
            if self.throttle.failed(station_id, address):
                await self._wrong_passwords(station_id, address)
            else:
                await self._refused(station_id, RefusalType.PASSWORD, "wrong Basic-auth "
                                    "password", address)
            return Admission.UNAUTHORIZED
        self.throttle.succeeded(station_id, address)
        self._verified[station_id] = (pw_hash, digest)
        return Admission.OK

    async def refused_certificate(self, station_id: str, why: str, address: str) -> None:
        """A client certificate that may not stand for the station (another's, revoked)."""
        state = await self._live.get(station_id)
        if not state.known:
            self._live.drop(station_id)
            return
        await self._refused(station_id, RefusalType.CERTIFICATE, why, address)

    async def _refused(self, station_id: str, kind: RefusalType, why: str, address: str
                       ) -> None:
        await self.refusals.refused(station_id, kind, why, address)

    async def _wrong_passwords(self, station_id: str, address: str) -> None:
        """Once per back-off: a security event on the station (as its own would be kept)."""
        now = self._clock.now()
        info = (f"{self.throttle.free} wrong Basic-auth passwords, the last from {address}; "
                "further attempts are refused for a while (HTTP 429)")
        log.warning("security: %s", info, extra={"station_id": station_id})
        data = self._security_events.render(
            SecurityEvent("InvalidBasicAuthCredentials", now, info[:255]))

        def work(uow: UnitOfWork) -> None:
            # the kind of stations' own security events: listed with them by the API
            uow.station_events.add(station_id, "SecurityEventNotification", now, data)

        await self._db.write(work)

    async def _register_on_connect(self, station_id: str) -> None:
        now = self._clock.now()

        def work(uow: UnitOfWork) -> None:
            if uow.stations.get(station_id) is None:
                uow.stations.add(Station(id=station_id, created_at=now))
                log.info("station registered on first connect", extra={"station_id": station_id})

        await self._db.write(work)

    async def connected(self, station_id: str, protocol: str) -> None:
        live = await self._live.get(station_id)
        # The site travels with the event, so its followers need not read the station.
        await self._db.append([StationConnected(station_id, protocol, self._clock.now())], [
            ev.StationConnected(station_id, protocol, live.site_id)])

    def disconnected(self, station_id: str) -> None:
        self._live.drop(station_id)
        self._sink.publish(ev.StationDisconnected(station_id))

    async def registration_status(self, station_id: str) -> RegistrationStatus | None:
        """Read when the station connects; its state then stays in memory while it does."""
        state = await self._live.get(station_id)
        return state.registration if state.known else None

    async def boot(self, station_id: str, info: BootInfo) -> BootDecision:
        now = self._clock.now()
        live = await self._live.get(station_id)
        status = live.registration if live.known else RegistrationStatus.REJECTED
        if status == RegistrationStatus.ACCEPTED and (
                wait := self._pacer.wait_s(station_id, now.timestamp())):
            # Nothing stored: the boot is recorded when the station comes back for its slot.
            return BootDecision(RegistrationStatus.PENDING, wait, now)
        await self._db.append([StationBooted(station_id, info, status.value, now, live.known)], [
            ev.StationBooted(station_id, status.value, info.vendor, info.model,
                             info.firmware_version, info.reason, live.site_id)])
        return BootDecision(status=status, interval_s=self._interval, current_time=now)

    async def status(self, state: ConnectorState) -> None:
        if state.updated_at is None:
            state = replace(state, updated_at=self._clock.now())
        live = await self._live.get(state.station_id)
        key = (state.evse_id, state.connector_id)
        old = live.connectors.get(key)
        events: list[ev.Event] = []
        if old is None or (old.status, old.error_code) != (state.status, state.error_code):
            events.append(ev.ConnectorStatusChanged(
                state.station_id, state.evse_id, state.connector_id, state.status,
                state.error_code))
        await self._db.append([ConnectorSaved(state)], events)
        live.connectors[key] = state

    async def report(
        self, station_id: str, kind: str, data: dict[str, Any], at: datetime | None = None
    ) -> None:
        """Store something a station told us (security event, firmware status, report, ...)."""
        when = at or self._clock.now()

        def work(uow: UnitOfWork) -> None:
            uow.station_events.add(station_id, kind, when, data)

        await self._db.write(work)

    # --- the API side -----------------------------------------------------------------

    async def register(
        self,
        station_id: str,
        password: str | None = None,
        site_id: str | None = None,
        description: str | None = None,
        security_profile: SecurityProfile | None = None,
    ) -> StationView:
        """`security_profile` None: 1 with a password, 0 (insecure) without."""
        profile = (default_profile(bool(password)) if security_profile is None
                   else security_profile)
        if profile.needs_password and not password:
            raise InvalidInput(f"security profile {profile:d} needs a password")
        pw_hash = await asyncio.to_thread(hash_password, password) if password else None
        station = Station(
            id=station_id, password_hash=pw_hash, site_id=site_id,
            description=description, created_at=self._clock.now(), security_profile=profile,
        )

        def work(uow: UnitOfWork) -> None:
            if uow.stations.get(station_id) is not None:
                raise Conflict(f"station {station_id!r} already exists")
            uow.stations.add(station)

        await self._db.write(work)
        self._live.drop(station_id)  # a state read while it was unknown is stale now
        return await self.get(station_id)

    async def get(self, station_id: str) -> StationView:
        def work(uow: UnitOfWork) -> StationView:
            station = uow.stations.get(station_id)
            if station is None:
                raise NotFound(f"station {station_id!r} not found")
            return StationView(station, uow.stations.connectors([station_id]))

        return await self._db.read(work)

    async def all(self) -> list[StationView]:
        def work(uow: UnitOfWork) -> list[StationView]:
            stations = uow.stations.all()
            by_station: dict[str, list[ConnectorState]] = {s.id: [] for s in stations}
            for c in uow.stations.connectors(list(by_station)):
                by_station[c.station_id].append(c)
            return [StationView(s, by_station[s.id]) for s in stations]

        return await self._db.read(work)

    async def update(self, station_id: str, changes: dict[str, Any]) -> StationView:
        """Apply a PATCH: password (None clears it), site_id, description, registration_status,
        security_profile (see `next_profile` for the one derived from a password change).
        A raised profile closes the station's open connection: it must show the new one."""
        fields: dict[str, Any] = {}
        for key in ("site_id", "description"):
            if key in changes:
                fields[key] = changes[key]
        if "password" in changes:
            pw = changes["password"]
            fields["password_hash"] = await asyncio.to_thread(hash_password, pw) if pw else None
        if "registration_status" in changes:
            try:
                fields["registration_status"] = RegistrationStatus(changes["registration_status"])
            except ValueError as e:
                raise InvalidInput(str(e)) from e
        given = changes.get("security_profile")

        def work(uow: UnitOfWork) -> SecurityProfile:
            current = uow.stations.get(station_id)
            if current is None:
                raise NotFound(f"station {station_id!r} not found")
            has_password = fields.get("password_hash", current.password_hash) is not None
            try:
                profile = next_profile(current.security_profile, has_password,
                                       "password_hash" in fields,
                                       None if given is None else SecurityProfile(given))
            except ValueError as e:
                raise InvalidInput(str(e)) from e
            fields["security_profile"] = int(profile)
            uow.stations.update(station_id, **fields)
            return current.security_profile

        old = await self._db.write(work)
        new = SecurityProfile(fields["security_profile"])
        live = self._live.peek(station_id)
        if live is not None:
            live.site_id = fields.get("site_id", live.site_id)
            live.registration = fields.get("registration_status", live.registration)
            live.password_hash = fields.get("password_hash", live.password_hash)
            live.security_profile = new
        self._live.changed(station_id)
        if "password_hash" in fields:
            self._verified.pop(station_id, None)
        if new > old:
            await self._gateway.disconnect(station_id, f"security profile raised to {new:d}")
        return await self.get(station_id)

    def credentials_changed(self, station_id: str) -> None:
        """The password (and with it maybe the profile) was changed by another service."""
        self._verified.pop(station_id, None)
        self._live.changed(station_id)

    async def record_profile(self, station_id: str, profile: SecurityProfile) -> None:
        """The station took a higher security profile (security-profile command): from now on
        a handshake below it is refused. The open connection stays: a 2.0.1 station moves
        only after the reset it is sent over that connection."""

        def work(uow: UnitOfWork) -> None:
            if not uow.stations.update(station_id, security_profile=int(profile)):
                raise NotFound(f"station {station_id!r} not found")

        await self._db.write(work)
        live = self._live.peek(station_id)
        if live is not None:
            live.security_profile = profile
        self._live.changed(station_id)

    async def delete(self, station_id: str) -> None:
        def work(uow: UnitOfWork) -> None:
            if not uow.stations.delete(station_id):
                raise NotFound(f"station {station_id!r} not found")

        await self._db.write(work)
        self._verified.pop(station_id, None)
        self.refusals.forget(station_id)
        await self._gateway.disconnect(station_id, "station removed")
        self._live.drop(station_id)

    async def reports(
        self, station_id: str, kind: str | None = None, limit: int = 100
    ) -> list[tuple[str, datetime, dict[str, Any]]]:
        await self.get(station_id)
        return await self._db.read(lambda uow: uow.station_events.recent(station_id, kind, limit))

    async def messages(self, station_id: str, limit: int = 100) -> list[tuple[datetime, str, str]]:
        await self.get(station_id)
        return await self._db.read(lambda uow: uow.messages.recent(station_id, limit))
