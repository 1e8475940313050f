"""Live sessions by station id; the StationGateway the services use to reach stations."""

from __future__ import annotations

import logging
from typing import Any, TypeVar

from csms.domain.commands import Command, Result
from csms.domain.errors import StationOffline
from csms.ocpp.session import Session
from csms.services.ports import StationPresence

log = logging.getLogger(__name__)
R = TypeVar("R", bound=Result)


class Registry:
    def __init__(self) -> None:
        self._sessions: dict[str, Session] = {}
        self._presence: StationPresence | None = None

    def watch(self, presence: StationPresence) -> None:
        """Cluster mode: report every connection to the cluster's station presence."""
        self._presence = presence

    async def attach(self, session: Session) -> None:
        """Register a new session; an older one for the same station is closed (newest wins)."""
        old = self._sessions.get(session.station_id)
        self._sessions[session.station_id] = session
        if old is not None and old is not session:
            log.warning("new connection replaces the old one",
                        extra={"station_id": session.station_id})
            old.close()
            # The new connection's first frame waits for the old one's last: a station's
            # messages are decided and their events published in the order it sent them.
            await old.finished()
            await old.ws.close(code=1000, reason="replaced by a newer connection")
        if self._presence is not None:
            await self._presence.claimed(session.station_id, session.version)

    def detach(self, session: Session) -> bool:
        """Forget the session if it is still the current one; True if it was."""
        if self._sessions.get(session.station_id) is session:
            del self._sessions[session.station_id]
            if self._presence is not None:
                self._presence.released(session.station_id)
            return True
        return False

    def ended(self, session: Session) -> bool:
        """Detach the session; True when its station has no connection left, here or (in a
        cluster) on another node: only then is it disconnected."""
        detached = self.detach(session)
        if not detached and self.is_connected(session.station_id):
            return False
        return not (self._presence is not None
                    and self._presence.held_elsewhere(session.station_id))

    async def evict(self, station_id: str, reason: str) -> None:
        """Close the station's socket without forgetting it cluster-wide: another node holds
        a newer connection (newest wins, as for two connections to this node)."""
        session = self._sessions.pop(station_id, None)
        if session is not None:
            log.warning("new connection on another node replaces this one",
                        extra={"station_id": station_id})
            session.close()
            await session.ws.close(code=1000, reason=reason[:120])

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
            if self._presence is not None:
                self._presence.released(station_id)
            log.info("closing connection: %s", reason, extra={"station_id": station_id})
            session.close()
            await session.ws.close(code=1008, reason=reason[:120])

    async def call(
        self, station_id: str, action: str, payload: dict[str, Any], timeout: float | None = None
    ) -> dict[str, Any]:
        return await self.get(station_id).call(action, payload, timeout)

    async def send(self, station_id: str, command: Command[R],
                   timeout: float | None = None) -> R:
        return await self.get(station_id).send(command, timeout)
