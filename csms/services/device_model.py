"""Device model and configuration: what each station holds, kept from what it tells us.

Stored from three sources: NotifyReport parts (2.0.1 inventory), the replies to the
configuration commands (1.6 keys, 2.0.1 Get/SetVariables), and notifications answering a
request (monitoring reports, display messages). A request whose answer comes in parts is
recorded *before* it is sent, so that a part arriving before the reply finds it; a complete
answer to a full request replaces what was stored (what it no longer lists is forgotten).

`before` / `after` are the command hooks CommandService calls around every command.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from csms.clock import Clock
from csms.domain import device as dm
from csms.domain.commands.configuration import (
    ConfigurationResult,
    ConfigurationSetResult,
    GetConfiguration,
    SetConfiguration,
)
from csms.domain.device import (
    DeviceEvent,
    DeviceRequest,
    DisplayMessage,
    Monitor,
    Variable,
    VarKey,
)
from csms.domain.errors import NotFound
from csms.domain.events import Event
from csms.services.ports import Database, StationGateway, UnitOfWork

log = logging.getLogger(__name__)

# Commands of this area (csms.services.commands.COMMANDS includes them).
DEVICE_COMMANDS = frozenset({
    "get-base-report", "get-report", "set-variable-monitoring", "clear-variable-monitoring",
    "get-monitoring-report", "set-monitoring-base", "set-monitoring-level",
    "set-network-profile", "set-display-message", "get-display-messages",
    "clear-display-message",
})
REPORT_COMPLETED = "device.report_completed"
EVENTS_NOTIFIED = "device.events"
_V16 = "1.6"
_EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
_REQUESTING = {"get-base-report", "get-report", "get-monitoring-report", "get-display-messages"}


def key_from_args(a: dict[str, Any]) -> VarKey:
    """A VarKey from the flat API form (component, evse_id, variable, ...)."""
    return VarKey(a["component"], a.get("variable") or "", a.get("component_instance"),
                  a.get("evse_id"), a.get("connector_id"), a.get("variable_instance"))


class DeviceModelService:
    def __init__(self, db: Database, clock: Clock, gateway: StationGateway) -> None:
        self._db = db
        self._clock = clock
        self._gateway = gateway
        self._last_id = 0

    def _next_id(self, now: datetime) -> int:
        """requestId: seconds since 2025 bumped past the last, so restarts do not reuse one."""
        self._last_id = max(self._last_id + 1, int((now - _EPOCH).total_seconds()))
        return self._last_id

    # --- command hooks --------------------------------------------------------------------

    async def before(self, station_id: str, name: str, args: dict[str, Any]) -> dict[str, Any]:
        """Allocate request and message ids, and record requests answered in parts."""
        if self._gateway.protocol_of(station_id) == _V16:
            return args  # the 1.6 edge refuses the 2.0.1-only commands
        if name == "set-display-message" and args.get("id") is None:
            stored = await self._db.read(lambda uow: uow.device.messages(station_id))
            return args | {"id": max((m.id for m in stored), default=0) + 1}
        if name not in _REQUESTING:
            return args
        now = self._clock.now()
        request_id = args.get("request_id")
        if request_id is None:
            request_id = self._next_id(now)
        request = DeviceRequest(station_id, int(request_id), *_kind(name, args), "Requested", 0,
                                now)

        def work(uow: UnitOfWork) -> None:
            if uow.device.request(station_id, request.request_id) is not None:
                uow.device.update_request(station_id, request.request_id, kind=request.kind,
                                          full=request.full, status="Requested", parts=0,
                                          requested_at=now, completed_at=None)
            else:
                uow.device.add_request(request)

        await self._db.write(work)
        return args | {"request_id": request.request_id}

    async def after(self, station_id: str, name: str, args: dict[str, Any],
                    result: dict[str, Any]) -> None:
        """Keep what a command's reply says about the station."""
        handler = getattr(self, "_after_" + name.replace("-", "_"), None)
        if handler is not None:
            await handler(station_id, args, result)

    async def _after_requesting(self, station_id: str, args: dict[str, Any],
                                result: dict[str, Any]) -> None:
        status, request_id = result.get("status"), args.get("request_id")
        if status == "Accepted" or request_id is None:
            return
        now = self._clock.now()

        def work(uow: UnitOfWork) -> None:
            request = uow.device.request(station_id, int(request_id))
            if request is None or request.status == dm.COMPLETE:
                return
            # Nothing to report: for a full request, that means nothing is held.
            if request.full and status in ("EmptyResultSet", "Unknown"):
                _forget_stale(uow, request)
            uow.device.update_request(station_id, request.request_id, status=str(status),
                                      completed_at=now)

        await self._db.write(work)

    _after_get_base_report = _after_get_report = _after_requesting
    _after_get_monitoring_report = _after_get_display_messages = _after_requesting

    async def _after_set_display_message(self, station_id: str, args: dict[str, Any],
                                         result: dict[str, Any]) -> None:
        if result.get("status") != "Accepted":
            return
        message = display_from_args(args)
        now = self._clock.now()
        await self._db.write(lambda uow: uow.device.upsert_messages(station_id, [message], now))

    async def _after_clear_display_message(self, station_id: str, args: dict[str, Any],
                                           result: dict[str, Any]) -> None:
        if result.get("status") in ("Accepted", "Unknown"):  # either way, it is not there
            await self._db.write(lambda uow: uow.device.delete_message(
                station_id, int(args["id"])))

    async def _after_set_variable_monitoring(self, station_id: str, args: dict[str, Any],
                                             result: dict[str, Any]) -> None:
        wanted = args.get("monitors") or []
        monitors = [
            Monitor(int(r["id"]), key_from_args(r), r["type"], _number(w["value"]),
                    int(r["severity"]), bool(w.get("transaction", False)))
            for r, w in zip(result.get("results", []), wanted, strict=False)
            if r.get("status") == "Accepted" and r.get("id") is not None]
        if monitors:
            now = self._clock.now()
            await self._db.write(lambda uow: uow.device.upsert_monitors(
                station_id, monitors, now))

    async def _after_clear_variable_monitoring(self, station_id: str, args: dict[str, Any],
                                               result: dict[str, Any]) -> None:
        gone = [int(r["id"]) for r in result.get("results", [])
                if r.get("status") in ("Accepted", "NotFound")]
        await self._db.write(lambda uow: uow.device.delete_monitors(station_id, gone))

    # --- configuration: what the answers to get/set-configuration say --------------------
    async def configuration_read(self, station_id: str, command: GetConfiguration,
                                 result: ConfigurationResult) -> None:
        """Keep the values read; forget the keys the station does not know. A whole 1.6
        list (no keys asked) also forgets the keys no longer in it."""
        started = now = self._clock.now()

        def work(uow: UnitOfWork) -> None:
            for c in result.configuration:
                if c.value is not None:
                    uow.device.set_attribute(station_id, c.var, "Actual", c.value,
                                             _source(c.var), now, c.readonly)
            uow.device.delete_variables(station_id, result.unknown)
            if not command.keys:
                uow.device.delete_stale_variables(station_id, started, configuration=True)

        await self._db.write(work)

    async def configuration_set(self, station_id: str, command: SetConfiguration,
                                result: ConfigurationSetResult) -> None:
        # RebootRequired: the station took the value; it applies after a reboot.
        if result.status not in ("Accepted", "RebootRequired") or result.var is None:
            return
        key, now = result.var, self._clock.now()
        await self._db.write(lambda uow: uow.device.set_attribute(
            station_id, key, "Actual", command.value, _source(key), now))

    # --- what stations send -------------------------------------------------------------

    async def report_part(self, station_id: str, request_id: int, tbc: bool,
                          variables: Sequence[Variable]) -> None:
        """One NotifyReport part."""
        variables = [replace(v, request_id=request_id) for v in variables]
        await self._part(station_id, request_id, tbc,
                         lambda uow, at: uow.device.upsert_variables(station_id, variables, at))

    async def monitoring_part(self, station_id: str, request_id: int, tbc: bool,
                              monitors: Sequence[Monitor]) -> None:
        """One NotifyMonitoringReport part."""
        await self._part(station_id, request_id, tbc,
                         lambda uow, at: uow.device.upsert_monitors(station_id, monitors, at))

    async def display_part(self, station_id: str, request_id: int, tbc: bool,
                           messages: Sequence[DisplayMessage]) -> None:
        """One NotifyDisplayMessages part."""
        await self._part(station_id, request_id, tbc,
                         lambda uow, at: uow.device.upsert_messages(station_id, messages, at))

    async def _part(self, station_id: str, request_id: int, tbc: bool, store: Any) -> None:
        now = self._clock.now()

        def work(uow: UnitOfWork) -> None:
            request = uow.device.request(station_id, request_id)
            if request is None:  # not asked through csms (raw route, or unsolicited)
                request = DeviceRequest(station_id, request_id, dm.UNSOLICITED, False,
                                        "Accepted", 0, now)
                uow.device.add_request(request)
            store(uow, now)
            fields: dict[str, Any] = {"parts": request.parts + 1, "status": "Accepted"}
            if not tbc:
                fields |= {"status": dm.COMPLETE, "completed_at": now}
                if request.full:
                    _forget_stale(uow, request)
                uow.publish(Event(REPORT_COMPLETED, station_id, {
                    "request_id": request_id, "kind": request.kind,
                    "parts": request.parts + 1}))
            uow.device.update_request(station_id, request_id, **fields)

        await self._db.write(work)

    async def events(self, station_id: str, events: Sequence[DeviceEvent]) -> None:
        """NotifyEvent: appended; each part stands on its own."""
        now = self._clock.now()

        def work(uow: UnitOfWork) -> None:
            uow.device.add_events(station_id, events, now)
            uow.publish(Event(EVENTS_NOTIFIED, station_id, {"count": len(events)}))

        await self._db.write(work)

    # --- the API side -------------------------------------------------------------------

    async def _read(self, station_id: str, fn: Any) -> Any:
        def work(uow: UnitOfWork) -> Any:
            if uow.stations.get(station_id) is None:
                raise NotFound(f"station {station_id!r} not found")
            return fn(uow)

        return await self._db.read(work)

    async def variables(self, station_id: str, component: str | None = None,
                        variable: str | None = None, limit: int = 1000,
                        offset: int = 0) -> list[Variable]:
        rows: list[Variable] = await self._read(station_id, lambda uow: uow.device.variables(
            station_id, component, variable, limit, offset))
        return rows

    async def requests(self, station_id: str, limit: int = 100) -> list[DeviceRequest]:
        rows: list[DeviceRequest] = await self._read(
            station_id, lambda uow: uow.device.requests(station_id, limit))
        return rows

    async def monitors(self, station_id: str) -> list[Monitor]:
        rows: list[Monitor] = await self._read(station_id,
                                               lambda uow: uow.device.monitors(station_id))
        return rows

    async def device_events(self, station_id: str, component: str | None = None,
                            variable: str | None = None, limit: int = 100,
                            offset: int = 0) -> list[DeviceEvent]:
        rows: list[DeviceEvent] = await self._read(station_id, lambda uow: uow.device.events(
            station_id, component, variable, limit, offset))
        return rows

    async def display_messages(self, station_id: str) -> list[DisplayMessage]:
        rows: list[DisplayMessage] = await self._read(
            station_id, lambda uow: uow.device.messages(station_id))
        return rows


def _kind(name: str, args: dict[str, Any]) -> tuple[str, bool]:
    """(kind, full) of a request: a full answer replaces what is stored."""
    if name == "get-base-report":
        base = str(args["report_base"])
        return base, base == "FullInventory"
    if name == "get-report":
        return dm.CUSTOM, False
    if name == "get-monitoring-report":
        return dm.MONITORING, not (args.get("criteria") or args.get("component_variables"))
    return dm.DISPLAY, not (args.get("ids") or args.get("priority") or args.get("state"))


def _forget_stale(uow: UnitOfWork, request: DeviceRequest) -> None:
    """A complete answer to a full request: what was stored before it and is not in it goes."""
    sid, before = request.station_id, request.requested_at
    if request.kind == dm.MONITORING:
        uow.device.delete_stale_monitors(sid, before)
    elif request.kind == dm.DISPLAY:
        uow.device.delete_stale_messages(sid, before)
    else:
        uow.device.delete_stale_variables(sid, before, configuration=False)


def _source(key: VarKey) -> str:
    """A 1.6 configuration key has no component; a 2.0.1 variable always has one."""
    return "variables" if key.component else "configuration"


def display_from_args(a: dict[str, Any]) -> DisplayMessage:
    """The message as the set-display-message command described it."""
    m = a["message"]
    return DisplayMessage(
        int(a["id"]), a["priority"], m["content"], m.get("format") or "UTF8", m.get("language"),
        a.get("state"), _dt(a.get("start_at")), _dt(a.get("end_at")), a.get("transaction_id"),
        a.get("evse_id"), "set")


def _number(value: Any) -> str:
    """A monitor's value as the station reports it back (22000, not 22000.0)."""
    number = float(value)
    return str(int(number)) if number.is_integer() else str(number)


def _dt(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
