"""Device model and configuration: what each station holds, kept from what it tells us.

Stored from three sources: NotifyReport parts (2.0.1 inventory), the replies to the
configuration commands (1.6 keys, 2.0.1 Get/SetVariables), and notifications answering a
request (monitoring reports, display messages). A request whose answer comes in parts is
recorded *before* it is sent, so that a part arriving before the reply finds it; a complete
answer to a full request replaces what was stored (what it no longer lists is forgotten).

CommandService hands the API's commands of this area to the methods below, which send them
and keep what the answer says.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from csms.clock import Clock
from csms.domain import device as dm
from csms.domain.commands import StatusResult
from csms.domain.commands.configuration import (
    ConfigurationResult,
    ConfigurationSetResult,
    GetConfiguration,
    SetConfiguration,
)
from csms.domain.commands.device import (
    ClearDisplayMessage,
    ClearVariableMonitoring,
    DisplayMessageSet,
    GetBaseReport,
    GetDisplayMessages,
    GetMonitoringReport,
    GetReport,
    MonitorsCleared,
    MonitorsSet,
    RequestAccepted,
    SetDisplayMessage,
    SetVariableMonitoring,
)
from csms.domain.device import (
    DeviceEvent,
    DeviceRequest,
    DisplayMessage,
    Monitor,
    Variable,
    VarKey,
)
from csms.domain.errors import InvalidInput, NotFound
from csms.domain.events import DeviceEventsNotified, DeviceReportCompleted
from csms.services.ports import Database, StationGateway, UnitOfWork

log = logging.getLogger(__name__)

_EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
PartsRequest = GetBaseReport | GetReport | GetMonitoringReport | GetDisplayMessages


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

    # --- commands whose answers csms keeps ----------------------------------------------

    async def request(self, station_id: str, command: PartsRequest) -> RequestAccepted:
        """A request answered in parts (reports, monitoring, display messages): recorded
        before it is sent, so a part arriving before the reply finds it."""
        now = self._clock.now()
        request_id = command.request_id if command.request_id is not None \
            else self._next_id(now)
        command = replace(command, request_id=request_id)
        request = DeviceRequest(station_id, request_id, *_kind(command), "Requested", 0, now)

        def record(uow: UnitOfWork) -> bool:
            if uow.device.request(station_id, request_id) is None:
                uow.device.add_request(request)
                return True
            uow.device.update_request(station_id, request_id, kind=request.kind,
                                      full=request.full, status="Requested", parts=0,
                                      requested_at=now, completed_at=None)
            return False

        added = await self._db.write(record)
        try:
            result = await self._gateway.send(station_id, command)
        except InvalidInput:  # never sent (a 1.6 station has none of these): no request
            if added:
                await self._db.write(lambda uow: uow.device.delete_request(station_id,
                                                                           request_id))
            raise
        await self._answered(station_id, request_id, result.status)
        return result

    async def _answered(self, station_id: str, request_id: int, status: str) -> None:
        if status == "Accepted":
            return
        now = self._clock.now()

        def work(uow: UnitOfWork) -> None:
            request = uow.device.request(station_id, request_id)
            if request is None or request.status == dm.COMPLETE:
                return
            # Nothing to report: for a full request, that means nothing is held.
            if request.full and status in ("EmptyResultSet", "Unknown"):
                _forget_stale(uow, request)
            uow.device.update_request(station_id, request_id, status=status, completed_at=now)

        await self._db.write(work)

    async def set_display_message(self, station_id: str,
                                  command: SetDisplayMessage) -> DisplayMessageSet:
        """Without an id: one above the highest stored."""
        if command.id is None:
            stored = await self._db.read(lambda uow: uow.device.messages(station_id))
            command = replace(command, id=max((m.id for m in stored), default=0) + 1)
        result = await self._gateway.send(station_id, command)
        if result.status == "Accepted":
            message, now = _display_message(command, result.id), self._clock.now()
            await self._db.write(lambda uow: uow.device.upsert_messages(
                station_id, [message], now))
        return result

    async def clear_display_message(self, station_id: str,
                                    command: ClearDisplayMessage) -> StatusResult:
        result = await self._gateway.send(station_id, command)
        if result.status in ("Accepted", "Unknown"):  # either way, it is not there
            await self._db.write(lambda uow: uow.device.delete_message(station_id, command.id))
        return result

    async def set_monitoring(self, station_id: str,
                             command: SetVariableMonitoring) -> MonitorsSet:
        result = await self._gateway.send(station_id, command)
        monitors = [
            Monitor(r.id, r.key, r.type, _number(w.value), r.severity, bool(w.transaction))
            for r, w in zip(result.results, command.monitors, strict=False)
            if r.status == "Accepted" and r.id is not None]
        if monitors:
            now = self._clock.now()
            await self._db.write(lambda uow: uow.device.upsert_monitors(
                station_id, monitors, now))
        return result

    async def clear_monitoring(self, station_id: str,
                               command: ClearVariableMonitoring) -> MonitorsCleared:
        result = await self._gateway.send(station_id, command)
        gone = [r.id for r in result.results if r.status in ("Accepted", "NotFound")]
        await self._db.write(lambda uow: uow.device.delete_monitors(station_id, gone))
        return result

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
                uow.publish(DeviceReportCompleted(station_id, request_id, request.kind,
                                                  request.parts + 1))
            uow.device.update_request(station_id, request_id, **fields)

        await self._db.write(work)

    async def events(self, station_id: str, events: Sequence[DeviceEvent]) -> None:
        """NotifyEvent: appended; each part stands on its own."""
        now = self._clock.now()

        def work(uow: UnitOfWork) -> None:
            uow.device.add_events(station_id, events, now)
            uow.publish(DeviceEventsNotified(station_id, len(events)))

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


def _kind(command: PartsRequest) -> tuple[str, bool]:
    """(kind, full) of a request: a full answer replaces what is stored."""
    if isinstance(command, GetBaseReport):
        return command.report_base, command.report_base == "FullInventory"
    if isinstance(command, GetReport):
        return dm.CUSTOM, False
    if isinstance(command, GetMonitoringReport):
        return dm.MONITORING, not (command.criteria or command.component_variables)
    return dm.DISPLAY, not (command.ids or command.priority or command.state)


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


def _display_message(c: SetDisplayMessage, message_id: int) -> DisplayMessage:
    """The message as the set-display-message command described it."""
    return DisplayMessage(
        message_id, c.priority, c.message.content, c.message.format or "UTF8",
        c.message.language, c.state, c.start_at, c.end_at, c.transaction_id, c.evse_id, "set")


def _number(value: Any) -> str:
    """A monitor's value as the station reports it back (22000, not 22000.0)."""
    number = float(value)
    return str(int(number)) if number.is_integer() else str(number)
