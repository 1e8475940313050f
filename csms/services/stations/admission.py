"""Handshake admission outcomes, and the security events that refused handshakes leave.

A handshake below the station's security profile (docs/adr/0012) is refused before the
websocket upgrade; each refusal of a known station is stored as a security event of that
station (listed with the ones stations send, streamed as `station.security_event`), so an
operator sees an impersonation or downgrade attempt and where it came from.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum

from csms.clock import Clock
from csms.domain import events as ev
from csms.domain.security import RefusalType, SecurityEvent
from csms.services.ports import Database, SecurityEventForm, UnitOfWork

log = logging.getLogger(__name__)

SECURITY_EVENT_KIND = "SecurityEventNotification"


class Admission(StrEnum):
    OK = "ok"
    UNKNOWN = "unknown"
    UNAUTHORIZED = "unauthorized"  # missing or wrong password: 401
    THROTTLED = "throttled"  # too many wrong passwords: refused without checking
    WRONG_TRANSPORT = "wrong_transport"  # profile 2/3 over plain ws://: 403
    NO_CERTIFICATE = "no_certificate"  # profile 3 over TLS without a client certificate: 403


@dataclass(slots=True)
class _Window:
    started: float
    left_out: int = 0


class RefusalLog:
    """Stores refused handshakes of known stations as their security events.

    At most one is stored per station and type per `window_s`; the others of the window are
    logged and counted in the next stored one. A flood of refused handshakes (each costs the
    sender no more than a connection) then costs log lines, not database rows."""

    def __init__(self, db: Database, clock: Clock, kept: SecurityEventForm,
                 window_s: float = 60.0) -> None:
        self._db = db
        self._clock = clock
        self._kept = kept
        self._window_s = window_s
        # bounded: known station ids times the three refusal types
        self._windows: dict[tuple[str, RefusalType], _Window] = {}

    async def refused(self, station_id: str, kind: RefusalType, why: str, address: str) -> None:
        now = self._clock.now()
        info = f"handshake refused: {why} (from {address or 'unknown address'})"
        log.warning("security: %s", info, extra={"station_id": station_id})
        key = (station_id, kind)
        window = self._windows.get(key)
        if window is not None and now.timestamp() - window.started < self._window_s:
            window.left_out += 1
            return
        if window is not None and window.left_out:
            info += f"; {window.left_out} more like it before, not stored one by one"
        self._windows[key] = _Window(now.timestamp())
        data = self._kept.render(SecurityEvent(kind.value, now, info[:255]))

        def work(uow: UnitOfWork) -> None:
            if uow.stations.get(station_id) is None:
                return  # removed meanwhile: nothing to attach the event to
            uow.station_events.add(station_id, SECURITY_EVENT_KIND, now, data)
            uow.publish(ev.SecurityEventReceived(station_id, kind.value, now, info[:255]))

        await self._db.write(work)

    def forget(self, station_id: str) -> None:
        for key in [k for k in self._windows if k[0] == station_id]:
            del self._windows[key]
