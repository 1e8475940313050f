"""Remote commands to stations: version-agnostic names, or raw actions in the station's version.

The edge (csms.ocpp.vXX.commands) turns a command into the station's own message and its reply
into `{status, ...}`; this service only checks that the station can be reached.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Protocol

from csms.domain.errors import NotFound, StationOffline
from csms.services.device_model import DEVICE_COMMANDS
from csms.services.ports import Database, StationGateway

COMMANDS = frozenset({
    "remote-start", "remote-stop", "reset", "unlock", "change-availability", "trigger-message",
    "get-configuration", "set-configuration", "clear-cache", "data-transfer",
    "set-charging-profile", "clear-charging-profile", "get-composite-schedule",
    "reserve-now", "cancel-reservation", "send-local-list", "update-firmware", "get-diagnostics",
}) | DEVICE_COMMANDS  # device model, monitoring, network profile, display messages
COMMANDS |= {"get-local-list-version"}  # local authorization list
# certificates on the station (security, issue 4 item 8)
COMMANDS |= {"install-certificate", "get-installed-certificate-ids", "delete-certificate"}
COMMANDS |= {"get-charging-profiles", "cost-updated"}  # charging state, cost (issue 4 10, 12)
COMMANDS |= {"get-transaction-status", "customer-information"}  # 2.0.1 E14, N09/N10


class CommandHook(Protocol):
    """Runs around every command: `before` may complete the arguments (ids) and record what
    the answer will refer to; `after` keeps what the reply says."""

    async def before(self, station_id: str, name: str,
                     args: dict[str, Any]) -> dict[str, Any]: ...
    async def after(self, station_id: str, name: str, args: dict[str, Any],
                    result: dict[str, Any]) -> None: ...


# A service that owns one command's outcome wraps the call itself (firmware and log jobs,
# issue 4 items 1, 2): it prepares (a job, an upload URL), calls `send(args)`, and keeps or
# undoes what it prepared, also when the call raises (offline, timeout, CALLERROR).
Send = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]
Around = Callable[[str, dict[str, Any], Send], Awaitable[dict[str, Any]]]


class CommandService:
    def __init__(self, db: Database, gateway: StationGateway,
                 hooks: Sequence[CommandHook] = (),
                 around: Mapping[str, Around] | None = None) -> None:
        self._db = db
        self._gateway = gateway
        self._hooks = tuple(hooks)
        self._around = dict(around or {})

    async def reachable(self, station_id: str) -> None:
        """NotFound or StationOffline unless connected (reservations check before writing)."""
        await self._reachable(station_id)

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
        for hook in self._hooks:
            args = await hook.before(station_id, name, args)
        around = self._around.get(name)  # firmware and log jobs (issue 4 items 1, 2)
        if around is None:
            result = await self._gateway.command(station_id, name, args)
        else:
            result = await around(
                station_id, args, lambda a: self._gateway.command(station_id, name, a))
        for hook in self._hooks:
            await hook.after(station_id, name, args, result)
        return result

    async def raw(self, station_id: str, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        await self._reachable(station_id)
        return await self._gateway.call(station_id, action, payload)
