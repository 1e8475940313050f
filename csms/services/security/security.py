"""Station security through the API: events, password, security profile, certificates.

The order of a credential change matters: the new password is set on the station first and
stored (hashed) only once the station accepted it, so a station that refuses, fails or never
answers keeps connecting with the password csms still expects.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, cast

from csms.clock import Clock
from csms.domain import events as ev
from csms.domain.commands import to_data
from csms.domain.commands.certificates import (
    InstallCertificate,
    SetBasicAuthPassword,
    SetSecurityProfile,
)
from csms.domain.commands.station import TriggerMessage
from csms.domain.errors import Conflict, NotFound, StationOffline
from csms.domain.security import Delivery, SecurityEvent, SecurityProfile, next_profile
from csms.services.passwords import hash_password
from csms.services.ports import Database, SecurityEventForm, StationGateway, UnitOfWork
from csms.services.security.certificates import STATION_CERT, CertificateService
from csms.services.stations.admission import SECURITY_EVENT_KIND
from csms.services.stations.stations import StationService

log = logging.getLogger(__name__)

# Station replies meaning "applied" (now, or after the reboot the station asks for).
_APPLIED = {"Accepted", "RebootRequired"}
_TRIGGER = {STATION_CERT: "SignChargingStationCertificate", "V2GCertificate": "SignV2GCertificate"}


class SecurityService:
    def __init__(self, db: Database, clock: Clock, gateway: StationGateway,
                 certificates: CertificateService, stations: StationService,
                 kept: SecurityEventForm) -> None:
        self._stations = stations
        self._kept = kept
        self._db = db
        self._clock = clock
        self._gateway = gateway
        self._certs = certificates

    async def _reachable(self, station_id: str) -> None:
        if await self._db.read(lambda uow: uow.stations.get(station_id)) is None:
            raise NotFound(f"station {station_id!r} not found")
        if not self._gateway.is_connected(station_id):
            raise StationOffline(f"station {station_id!r} is not connected")

    # --- SecurityEventNotification --------------------------------------------------------

    async def security_event(self, station_id: str, event: SecurityEvent,
                             raw: dict[str, Any]) -> None:
        """Store the notification (as a station report) and announce it on the event bus."""

        def work(uow: UnitOfWork) -> None:
            uow.station_events.add(station_id, SECURITY_EVENT_KIND, event.timestamp, raw)
            uow.publish(ev.SecurityEventReceived(station_id, event.type, event.timestamp,
                                                 event.tech_info))

        await self._db.write(work)
        log.info("security event %s", event.type, extra={"station_id": station_id})

    async def security_events(self, station_id: str, limit: int = 100) -> list[SecurityEvent]:
        def work(uow: UnitOfWork) -> list[SecurityEvent]:
            if uow.stations.get(station_id) is None:
                raise NotFound(f"station {station_id!r} not found")
            rows = uow.station_events.recent(station_id, SECURITY_EVENT_KIND, limit)
            return [self._kept.read(at, data) for _, at, data in rows]

        return await self._db.read(work)

    # --- credentials ----------------------------------------------------------------------

    async def change_password(self, station_id: str, password: str,
                              encoding: str = "hex") -> dict[str, Any]:
        """Set the Basic-auth password on the station, then store its hash (only if applied)."""
        await self._reachable(station_id)
        said = await self._gateway.send(station_id, SetBasicAuthPassword(password, encoding))
        status = said.status
        if status not in _APPLIED:
            log.warning("station refused the new password: %s %s", status,
                        said.reason or "", extra={"station_id": station_id})
            raise Conflict(_refusal("the new password", to_data(said, public=True)))
        pw_hash = await asyncio.to_thread(hash_password, password)

        def work(uow: UnitOfWork) -> None:
            station = uow.stations.get(station_id)
            if station is None:
                raise NotFound(f"station {station_id!r} not found")
            # a station of profile 0 that now has a password must use it (as on PATCH)
            profile = next_profile(station.security_profile, True, True, None)
            uow.stations.update(station_id, password_hash=pw_hash,
                                security_profile=int(profile))

        await self._db.write(work)
        self._stations.credentials_changed(station_id)
        log.info("basic-auth password changed (%s)", status, extra={"station_id": station_id})
        return {"status": status, "reboot_required": status == "RebootRequired"}

    async def change_security_profile(self, station_id: str, args: dict[str, Any]
                                      ) -> dict[str, Any]:
        """Raise the station's security profile (1.6 ChangeConfiguration SecurityProfile;
        2.0.1 SetNetworkProfile + NetworkConfigurationPriority, effective after a reboot)."""
        await self._reachable(station_id)
        profile = SecurityProfile(args["profile"])
        station = await self._stations.get(station_id)
        current = station.station.security_profile
        if profile < current:
            raise Conflict(f"station {station_id!r} is at security profile {current:d}: a "
                           "profile can only be raised (PATCH the station to record a lower "
                           "one it was set to by other means)")
        if profile.needs_password and station.station.password_hash is None:
            raise Conflict(f"security profile {profile:d} needs a Basic-auth password and "
                           f"station {station_id!r} has none: set one first (POST "
                           ".../password)")
        if profile == SecurityProfile.TLS_CERTIFICATE and not args.get("force"):
            await self._require_station_certificate(station_id)
        said = await self._gateway.send(station_id, SetSecurityProfile(
            args["profile"], args.get("csms_url"), args.get("configuration_slot"),
            args.get("message_timeout_s"), args.get("interface")))
        reply: dict[str, Any] = to_data(said, public=True)
        status = said.status
        extra = {"station_id": station_id}
        if status not in _APPLIED:
            log.warning("station refused security profile %s: %s", args["profile"], status,
                        extra=extra)
            raise Conflict(_refusal(f"security profile {args['profile']}", reply))
        # From now on csms refuses handshakes below it (the open connection stays: the
        # station moves after a reset, or by reconnecting on its own in 1.6).
        await self._stations.record_profile(station_id, profile)
        log.info("security profile %s set (%s)", args["profile"], status, extra=extra)
        return reply

    async def _require_station_certificate(self, station_id: str) -> None:
        now = self._clock.now()
        usable = [c for c in await self._certs.issued(station_id)
                  if c.certificate_type == STATION_CERT and c.delivery == Delivery.ACCEPTED
                  and c.revoked_at is None and c.not_after > now]
        if not usable:
            raise Conflict(f"station {station_id!r} holds no certificate from csms yet: renew "
                           "it first (POST .../certificates/renew) or pass force=true")

    # --- certificates on the station ------------------------------------------------------

    async def renew_certificate(self, station_id: str, cert_type: str) -> dict[str, Any]:
        """Ask the station for a new CSR: the trigger-message command (1.6
        ExtendedTriggerMessage SignChargePointCertificate, 2.0.1 TriggerMessage)."""
        await self._reachable(station_id)
        result = await self._gateway.send(station_id, TriggerMessage(_TRIGGER[cert_type]))
        return cast(dict[str, Any], to_data(result, public=True))

    async def install_csms_root(self, station_id: str) -> dict[str, Any]:
        """Install our CA's certificate as the station's CSMS (Central System) root."""
        await self._reachable(station_id)
        pem = await self._certs.root_pem()
        result = await self._gateway.send(station_id, InstallCertificate(
            "CSMSRootCertificate", pem))
        return cast(dict[str, Any], to_data(result, public=True))


def _refusal(what: str, reply: dict[str, Any]) -> str:
    reason = reply.get("reason")
    return f"the station did not accept {what}: {reply.get('status')}" + (
        f" ({reason})" if reason else "") + "; nothing was changed in csms"
