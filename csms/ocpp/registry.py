"""Live sessions by station id; the StationGateway the services use to reach stations."""

from __future__ import annotations

import logging
from typing import Any

from csms.domain.errors import StationOffline
from csms.ocpp.session import Session

log = logging.getLogger(__name__)


class Registry:
    def __init__(self) -> None:
        self._sessions: dict[str, Session] = {}

    async def attach(self, session: Session) -> None:
        """Register a new session; an older one for the same station is closed (newest wins)."""
        old = self._sessions.get(session.station_id)
        self._sessions[session.station_id] = session
        if old is not None and old is not session:
            log.warning("new connection replaces the old one",
                        extra={"station_id": session.station_id})
            old.close()
            await old.ws.close(code=1000, reason="replaced by a newer connection")

    def detach(self, session: Session) -> bool:
        """Forget the session if it is still the current one; True if it was."""
        if self._sessions.get(session.station_id) is session:
            del self._sessions[session.station_id]
            return True
        return False

    def get(self, station_id: str) -> Session:
        session = self._sessions.get(station_id)
        if session is None:
            raise StationOffline(f"station {station_id!r} is not connected")
        return session

    def sessions(self) -> list[Session]:
        return list(self._sessions.values())

    # StationGateway
    def is_connected(self, station_id: str) -> bool:
        return station_id in self._sessions

    def protocol_of(self, station_id: str) -> str | None:
        session = self._sessions.get(station_id)
        return session.version if session else None

    async def disconnect(self, station_id: str, reason: str) -> None:
        session = self._sessions.pop(station_id, None)
        if session is not None:
            log.info("closing connection: %s", reason, extra={"station_id": station_id})
            session.close()
            await session.ws.close(code=1008, reason=reason[:120])

    async def call(
        self, station_id: str, action: str, payload: dict[str, Any], timeout: float | None = None
    ) -> dict[str, Any]:
        return await self.get(station_id).call(action, payload, timeout)

    async def command(
        self, station_id: str, name: str, args: dict[str, Any], timeout: float | None = None
    ) -> dict[str, Any]:
        return await self.get(station_id).command(name, args)
