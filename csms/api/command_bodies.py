"""The request body of every command the API offers (`POST /stations/{id}/commands/{name}`),
keyed to the typed command registry (csms.domain.commands).

A command whose body carries validation or docs of its own has a hand-written pydantic body in
one of the schema modules, paired with its command type here and nowhere else; any other
command gets a body generated from its dataclass's fields. The schema modules only define
bodies: nothing is registered by importing them.
"""

from __future__ import annotations

import dataclasses
from typing import Any, get_type_hints

from pydantic import BaseModel, create_model

from csms.api import billing_schemas as billing
from csms.api import command_schemas as station
from csms.api import device_schemas as device
from csms.api import security_schemas as security
from csms.api.schemas import Strict
from csms.domain.commands import Command, api_commands
from csms.domain.commands import authorization as c_auth
from csms.domain.commands import certificates as c_certs
from csms.domain.commands import charging as c_charging
from csms.domain.commands import configuration as c_config
from csms.domain.commands import device as c_device
from csms.domain.commands import files as c_files
from csms.domain.commands import station as c_station

# In the order of the OpenAPI document's command routes.
WRITTEN: dict[type[Command[Any]], type[Strict]] = {
    c_station.RemoteStart: station.RemoteStart,
    c_station.RemoteStop: station.RemoteStop,
    c_station.Reset: station.Reset,
    c_station.Unlock: station.Unlock,
    c_station.ChangeAvailability: station.ChangeAvailability,
    c_station.TriggerMessage: station.TriggerMessage,
    c_config.GetConfiguration: station.GetConfiguration,
    c_config.SetConfiguration: station.SetConfiguration,
    c_station.ClearCache: station.Empty,
    c_station.DataTransfer: station.DataTransfer,
    c_charging.SetChargingProfile: station.SetChargingProfile,
    c_charging.ClearChargingProfile: station.ClearChargingProfile,
    c_charging.GetCompositeSchedule: station.GetCompositeSchedule,
    c_auth.ReserveNow: station.ReserveNow,
    c_auth.CancelReservation: station.CancelReservation,
    c_auth.SendLocalList: station.SendLocalList,
    c_auth.GetLocalListVersion: station.Empty,
    c_files.UpdateFirmware: station.UpdateFirmware,
    c_files.GetDiagnostics: station.GetDiagnostics,
    c_station.GetTransactionStatus: station.GetTransactionStatus,
    c_station.CustomerInformation: station.CustomerInformation,
    # device model, monitoring, network profile, display messages
    c_device.GetBaseReport: device.GetBaseReport,
    c_device.GetReport: device.GetReport,
    c_device.SetVariableMonitoring: device.SetVariableMonitoring,
    c_device.ClearVariableMonitoring: device.ClearVariableMonitoring,
    c_device.GetMonitoringReport: device.GetMonitoringReport,
    c_device.SetMonitoringBase: device.SetMonitoringBase,
    c_device.SetMonitoringLevel: device.SetMonitoringLevel,
    c_device.SetNetworkProfile: device.SetNetworkProfile,
    c_device.SetDisplayMessage: device.SetDisplayMessage,
    c_device.GetDisplayMessages: device.GetDisplayMessages,
    c_device.ClearDisplayMessage: device.ClearDisplayMessage,
    # certificates
    c_certs.InstallCertificate: security.InstallCertificate,
    c_certs.GetInstalledCertificateIds: security.GetInstalledCertificateIds,
    c_certs.DeleteCertificate: security.DeleteCertificate,
    # charging state and costs
    c_charging.GetChargingProfiles: billing.GetChargingProfiles,  # OCPP 2.0.1 only
    c_charging.CostUpdated: billing.CostUpdated,
}


def generated_body(command: type[Command[Any]]) -> type[BaseModel]:
    """A body from a typed command's own fields, for a command that needs no more validation
    than its types."""
    hints = get_type_hints(command)
    fields: dict[str, Any] = {
        f.name: (hints[f.name], ... if f.default is dataclasses.MISSING else f.default)
        for f in dataclasses.fields(command)}  # type: ignore[arg-type]
    model: type[BaseModel] = create_model(
        "".join(part.title() for part in command.name.split("-")), __base__=Strict, **fields)
    return model


def command_bodies() -> dict[str, type[BaseModel]]:
    """Every command the API offers, by name, with its body: the hand-written ones first."""
    offered = api_commands()
    missing = [typed.name for typed in WRITTEN if offered.get(typed.name) is not typed]
    if missing:
        raise TypeError(f"request bodies for commands the API does not offer: {missing}")
    bodies: dict[str, type[BaseModel]] = {typed.name: body for typed, body in WRITTEN.items()}
    return bodies | {name: generated_body(typed) for name, typed in offered.items()
                     if typed not in WRITTEN}
