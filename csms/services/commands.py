"""Remote commands to stations: version-agnostic names, or raw actions in the station's version.

The edge (csms.ocpp.vXX.commands) turns a command into the station's own message and its reply
into `{status, ...}`; this service only checks that the station can be reached.
"""

from __future__ import annotations

from typing import Any

from csms.domain.errors import NotFound, StationOffline
from csms.services.ports import Database, StationGateway

COMMANDS = frozenset({
    "remote-start", "remote-stop", "reset", "unlock", "change-availability", "trigger-message",
    "get-configuration", "set-configuration", "clear-cache", "data-transfer",
    "set-charging-profile", "clear-charging-profile", "get-composite-schedule",
    "reserve-now", "cancel-reservation", "send-local-list", "update-firmware", "get-diagnostics",
})


class CommandService:
    def __init__(self, db: Database, gateway: StationGateway) -> None:
        self._db = db
        self._gateway = gateway

    async def _reachable(self, station_id: str) -> None:
        if self._gateway.is_connected(station_id):
            return
        if await self._db.read(lambda uow: uow.stations.get(station_id)) is None:
            raise NotFound(f"station {station_id!r} not found")
        raise StationOffline(f"station {station_id!r} is not connected")

    async def run(self, station_id: str, name: str, args: dict[str, Any]) -> dict[str, Any]:
        if name not in COMMANDS:
            raise NotFound(f"unknown command {name!r}; known: {', '.join(sorted(COMMANDS))}")
        await self._reachable(station_id)
        return await self._gateway.command(station_id, name, args)

    async def raw(self, station_id: str, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        await self._reachable(station_id)
        return await self._gateway.call(station_id, action, payload)
