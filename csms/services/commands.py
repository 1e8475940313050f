"""Remote commands to stations: typed commands, or raw actions in the station's version.

A command is a dataclass of csms.domain.commands; the edge (csms.ocpp.vXX.commands) turns it
into the station's own message and the reply into the command's typed result. This service
checks that the station can be reached and, for the API's commands, keeps what a reply says
(`_keep`: one explicit step per command type whose answer csms remembers).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar, cast

from csms.domain.commands import Command, Result, api_commands, from_data, to_data
from csms.domain.commands.charging import (
    ClearChargingProfile,
    ProfileSetResult,
    SetChargingProfile,
)
from csms.domain.commands.configuration import (
    ConfigurationResult,
    ConfigurationSetResult,
    GetConfiguration,
    SetConfiguration,
)
from csms.domain.commands.device import (
    ClearDisplayMessage,
    ClearVariableMonitoring,
    GetBaseReport,
    GetDisplayMessages,
    GetMonitoringReport,
    GetReport,
    SetDisplayMessage,
    SetVariableMonitoring,
)
from csms.domain.commands.files import GetDiagnostics, UpdateFirmware
from csms.domain.commands.station import ChangeAvailability
from csms.domain.errors import NotFound, StationOffline
from csms.services.devices.availability import AvailabilityService
from csms.services.devices.device_model import DeviceModelService
from csms.services.files.diagnostics import DiagnosticsService
from csms.services.files.firmware import FirmwareService
from csms.services.ports import Database, StationGateway
from csms.services.smart.profiles_state import ProfileStateService

R = TypeVar("R", bound=Result)


@dataclass(frozen=True)
class Keepers:
    """The services that keep what the answer to one of the API's commands says."""

    availability: AvailabilityService
    profiles: ProfileStateService
    device_model: DeviceModelService
    firmware: FirmwareService  # firmware and log jobs: they send the command themselves
    diagnostics: DiagnosticsService


class CommandService:
    def __init__(self, db: Database, gateway: StationGateway, keepers: Keepers) -> None:
        self._db = db
        self._gateway = gateway
        self._keepers = keepers

    async def reachable(self, station_id: str) -> None:
        """NotFound or StationOffline unless connected (reservations check before writing)."""
        await self._reachable(station_id)

    async def _reachable(self, station_id: str) -> None:
        if self._gateway.is_connected(station_id):
            return
        if await self._db.read(lambda uow: uow.stations.get(station_id)) is None:
            raise NotFound(f"station {station_id!r} not found")
        raise StationOffline(f"station {station_id!r} is not connected")

    async def send(self, station_id: str, command: Command[R]) -> R:
        """Send a typed command; the caller keeps what the result says."""
        await self._reachable(station_id)
        return await self._gateway.send(station_id, command)

    async def run(self, station_id: str, name: str, args: dict[str, Any]) -> dict[str, Any]:
        """The API's commands: arguments and answer as the API's JSON."""
        typed = api_commands().get(name)
        if typed is None:
            known = ", ".join(sorted(api_commands()))
            raise NotFound(f"unknown command {name!r}; known: {known}")
        command = from_data(typed, args)
        await self._reachable(station_id)
        return cast(dict[str, Any], to_data(await self._answer(station_id, command), public=True))

    async def _answer(self, station_id: str, command: Command[Any]) -> Result:
        """Send one of the API's commands and keep what its answer says: one explicit step
        per command type whose answer csms remembers."""
        k = self._keepers
        if isinstance(command, UpdateFirmware):  # a job, kept only if the station accepts
            return await k.firmware.update(station_id, command)
        if isinstance(command, GetDiagnostics):
            return await k.diagnostics.request(station_id, command)
        if isinstance(command, GetBaseReport | GetReport | GetMonitoringReport
                      | GetDisplayMessages):  # recorded before sent: answered in parts
            return await k.device_model.request(station_id, command)
        if isinstance(command, SetDisplayMessage):
            return await k.device_model.set_display_message(station_id, command)
        if isinstance(command, ClearDisplayMessage):
            return await k.device_model.clear_display_message(station_id, command)
        if isinstance(command, SetVariableMonitoring):
            return await k.device_model.set_monitoring(station_id, command)
        if isinstance(command, ClearVariableMonitoring):
            return await k.device_model.clear_monitoring(station_id, command)
        result: Result = await self._gateway.send(station_id, command)
        if isinstance(command, ChangeAvailability):
            await k.availability.answered(station_id, command, result)
        elif isinstance(command, SetChargingProfile) and isinstance(result, ProfileSetResult):
            await k.profiles.profile_set(station_id, command, result)
        elif isinstance(command, ClearChargingProfile):
            await k.profiles.profiles_cleared(station_id, command, result)
        elif isinstance(command, GetConfiguration) and isinstance(result, ConfigurationResult):
            await k.device_model.configuration_read(station_id, command, result)
        elif isinstance(command, SetConfiguration) and isinstance(
                result, ConfigurationSetResult):
            await k.device_model.configuration_set(station_id, command, result)
        return result

    async def raw(self, station_id: str, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        await self._reachable(station_id)
        return await self._gateway.call(station_id, action, payload)
