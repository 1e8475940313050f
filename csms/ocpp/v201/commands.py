"""The typed commands (csms.domain.commands) as OCPP 2.0.1 calls, and the replies as their typed
results: `EXCHANGES`, one table from command type to (build the call, parse the reply), which
the sibling modules extend."""

from __future__ import annotations

import itertools
import random
from datetime import datetime
from typing import Any

from csms.domain.commands import StatusResult
from csms.domain.commands.authorization import (
    CancelReservation,
    GetLocalListVersion,
    LocalListEntry,
    LocalListVersionResult,
    ReserveNow,
    ReserveNowResult,
    SendLocalList,
)
from csms.domain.commands.charging import (
    ClearChargingProfile,
    CompositeScheduleResult,
    GetCompositeSchedule,
    ProfileSetResult,
    SetChargingProfile,
)
from csms.domain.commands.configuration import (
    ConfigurationResult,
    ConfigurationSetResult,
    ConfigurationValue,
    GetConfiguration,
    SetConfiguration,
)
from csms.domain.commands.files import (
    FirmwareResult,
    GetDiagnostics,
    LogResult,
    PublishFirmware,
    UnpublishFirmware,
    UpdateFirmware,
)
from csms.domain.commands.station import (
    ChangeAvailability,
    ClearCache,
    DataTransfer,
    DataTransferResult,
    RemoteStart,
    RemoteStartResult,
    RemoteStop,
    Reset,
    Unlock,
)
from csms.domain.errors import InvalidInput
from csms.ocpp.exchange import Call, Exchange, Table
from csms.ocpp.request_ids import TimeIds
from csms.ocpp.timestamps import format_utc
from csms.ocpp.v201 import (
    capabilities,
    charging_commands,
    manage_commands,
    profiles,
    security_commands,
)
from csms.ocpp.v201.device import var_key

# remoteStartId must be unique per station; a random start avoids reuse across restarts.
_remote_start_ids = itertools.count(random.randint(1, 1_000_000))


def _component_variable(key: str) -> dict[str, Any]:
    component, sep, variable = key.partition(".")
    if not sep or not component or not variable:
        raise InvalidInput(f"key {key!r} must be Component.Variable in OCPP 2.0.1")
    return {"component": {"name": component}, "variable": {"name": variable}}


def _status_result(reply: dict[str, Any], call: Call, command: Any) -> StatusResult:
    return StatusResult(str(reply["status"]), _reason(reply))


def _reason(reply: dict[str, Any]) -> str | None:
    info = reply.get("statusInfo")
    return None if info is None else info.get("reasonCode")


def _evse_of(evse_id: int | None, connector_id: int | None) -> dict[str, Any] | None:
    if evse_id is None:
        return None
    evse: dict[str, Any] = {"id": evse_id}
    if connector_id is not None:
        evse["connectorId"] = connector_id
    return evse


def _remote_start(c: RemoteStart, now: datetime) -> Call:
    payload: dict[str, Any] = {
        "idToken": {"idToken": c.id_token, "type": "Central"},
        "remoteStartId": next(_remote_start_ids),
    }
    if c.evse_id is not None:
        payload["evseId"] = c.evse_id
    if c.charging_profile is not None:
        payload["chargingProfile"] = c.charging_profile
    return Call("RequestStartTransaction", payload)


def _remote_start_result(reply: dict[str, Any], call: Call, c: RemoteStart) -> RemoteStartResult:
    return RemoteStartResult(str(reply["status"]), _reason(reply),
                             call.payload["remoteStartId"], reply.get("transactionId") or None)


def _remote_stop(c: RemoteStop, now: datetime) -> Call:
    return Call("RequestStopTransaction", {"transactionId": c.transaction_id})


def _reset(c: Reset, now: datetime) -> Call:
    # hard: reboot now; soft: once no transaction runs (OCPP 2.0.1 B11/B12).
    return Call("Reset", {"type": {"soft": "OnIdle", "hard": "Immediate"}[c.type]})


def _unlock(c: Unlock, now: datetime) -> Call:
    return Call("UnlockConnector", {"evseId": c.evse_id or 1, "connectorId": c.connector_id})


def _change_availability(c: ChangeAvailability, now: datetime) -> Call:
    payload: dict[str, Any] = {
        "operationalStatus": "Operative" if c.operative else "Inoperative"}
    if c.evse_id is None and c.connector_id is not None:
        raise InvalidInput("OCPP 2.0.1 names a connector within an EVSE: give evse_id too")
    evse = _evse_of(c.evse_id, c.connector_id)
    if evse is not None:
        payload["evse"] = evse
    return Call("ChangeAvailability", payload)


def _data_transfer(c: DataTransfer, now: datetime) -> Call:
    payload: dict[str, Any] = {"vendorId": c.vendor_id}
    if c.message_id is not None:
        payload["messageId"] = c.message_id
    if c.data is not None:
        payload["data"] = c.data
    return Call("DataTransfer", payload)


def _data_transfer_result(reply: dict[str, Any], call: Call,
                          c: DataTransfer) -> DataTransferResult:
    return DataTransferResult(str(reply["status"]), _reason(reply), reply.get("data"))


def _get_configuration(c: GetConfiguration, now: datetime) -> Call:
    if not c.keys:
        raise InvalidInput("OCPP 2.0.1 needs keys (Component.Variable); "
                           "send GetBaseReport through the raw route for everything")
    return Call("GetVariables", {"getVariableData": [_component_variable(k) for k in c.keys]})


def _configuration(reply: dict[str, Any], call: Call, c: GetConfiguration) -> ConfigurationResult:
    """Each result names its component and variable in full (instance, EVSE): that is the
    key kept, so it is the same variable the station's inventory (NotifyReport) lists."""
    config, unknown, unknown_keys = [], [], []
    for r in reply["getVariableResult"]:
        key = var_key(r["component"], r["variable"])
        label = f"{key.component}.{key.variable}"
        if r["attributeStatus"] == "Accepted":
            config.append(ConfigurationValue(label, r.get("attributeValue"), None, key))
        else:
            unknown.append(key)
            unknown_keys.append(label)
    return ConfigurationResult("Accepted", config, unknown_keys, unknown)


def _set_configuration(c: SetConfiguration, now: datetime) -> Call:
    item = _component_variable(c.key) | {"attributeValue": c.value}
    return Call("SetVariables", {"setVariableData": [item]})


def _configuration_set(reply: dict[str, Any], call: Call,
                       c: SetConfiguration) -> ConfigurationSetResult:
    result = reply["setVariableResult"][0]
    status = str(result["attributeStatus"])
    return ConfigurationSetResult(status, status == "RebootRequired",
                                  var_key(result["component"], result["variable"]))


# reservation and request ids: growing with time, so a restart does not reuse them.
_reservation_ids = TimeIds()
_request_ids = TimeIds()
# The type of tokens drivers present (RFID cards), unless the caller names another.
_CARD = "ISO14443"


def _retries(c: UpdateFirmware | GetDiagnostics | PublishFirmware,
             payload: dict[str, Any]) -> dict[str, Any]:
    if c.retries is not None:
        payload["retries"] = c.retries
    if c.retry_interval_s is not None:
        payload["retryInterval"] = c.retry_interval_s
    return payload


def _set_charging_profile(c: SetChargingProfile, now: datetime) -> Call:
    return Call("SetChargingProfile", profiles.to_wire(c.profile, c.evse_id, now))


def _profile_set(reply: dict[str, Any], call: Call, c: SetChargingProfile) -> ProfileSetResult:
    return ProfileSetResult(str(reply["status"]), call.payload["chargingProfile"]["id"],
                            _reason(reply))


def _get_composite_schedule(c: GetCompositeSchedule, now: datetime) -> Call:
    payload: dict[str, Any] = {"evseId": c.evse_id, "duration": c.duration_s}
    if c.unit is not None:
        payload["chargingRateUnit"] = c.unit
    return Call("GetCompositeSchedule", payload)


def _composite_schedule(reply: dict[str, Any], call: Call,
                        c: GetCompositeSchedule) -> CompositeScheduleResult:
    return CompositeScheduleResult(str(reply["status"]), _reason(reply),
                                   profiles.composite_schedule(reply))


def _reserve_now(c: ReserveNow, now: datetime) -> Call:
    if c.connector_id is not None:
        raise InvalidInput("OCPP 2.0.1 reserves an EVSE, not a connector: use evse_id")
    reservation_id = c.reservation_id
    if reservation_id is None:
        reservation_id = _reservation_ids.next(now)
    payload: dict[str, Any] = {
        "id": reservation_id, "expiryDateTime": format_utc(c.expires_at),
        "idToken": {"idToken": c.id_token, "type": c.id_token_type or _CARD}}
    if c.evse_id:  # 0 or none: any EVSE
        payload["evseId"] = c.evse_id
    if c.group_id is not None:
        payload["groupIdToken"] = {"idToken": c.group_id, "type": "Central"}
    return Call("ReserveNow", payload)


def _reserve_now_result(reply: dict[str, Any], call: Call, c: ReserveNow) -> ReserveNowResult:
    return ReserveNowResult(str(reply["status"]), call.payload["id"], _reason(reply))


def _cancel_reservation(c: CancelReservation, now: datetime) -> Call:
    return Call("CancelReservation", {"reservationId": c.reservation_id})


def _local_entry(entry: LocalListEntry, full: bool) -> dict[str, Any]:
    """A removal in a differential update has no idTokenInfo (2.0.1 D01)."""
    out: dict[str, Any] = {"idToken": {"idToken": entry.id_token,
                                       "type": entry.id_token_type or _CARD}}
    if full or not entry.is_removal:
        info: dict[str, Any] = {"status": entry.status or "Accepted"}
        if entry.expires_at is not None:
            info["cacheExpiryDateTime"] = format_utc(entry.expires_at)
        if entry.group_id is not None:
            info["groupIdToken"] = {"idToken": entry.group_id, "type": "Central"}
        out["idTokenInfo"] = info
    return out


def _send_local_list(c: SendLocalList, now: datetime) -> Call:
    payload: dict[str, Any] = {"versionNumber": c.version,
                               "updateType": "Full" if c.full else "Differential"}
    entries = [_local_entry(e, c.full) for e in c.entries]
    if entries:  # the schema wants at least one item when the list is present
        payload["localAuthorizationList"] = entries
    return Call("SendLocalList", payload)


def _local_list_version(reply: dict[str, Any], call: Call,
                        c: GetLocalListVersion) -> LocalListVersionResult:
    """2.0.1 D02: 0 when the station has no list (or no support for one)."""
    return LocalListVersionResult("Accepted", int(reply["versionNumber"]))


def _update_firmware(c: UpdateFirmware, now: datetime) -> Call:
    firmware: dict[str, Any] = {"location": c.location,
                                "retrieveDateTime": format_utc(c.retrieve_at)}
    if c.signature is not None:
        firmware["signature"] = c.signature
    if c.signing_certificate is not None:
        firmware["signingCertificate"] = c.signing_certificate
    payload = {"requestId": _job_request_id(c.request_id, now), "firmware": firmware}
    return Call("UpdateFirmware", _retries(c, payload))


def _firmware_result(reply: dict[str, Any], call: Call, c: UpdateFirmware) -> FirmwareResult:
    return FirmwareResult(str(reply["status"]), _reason(reply), call.payload["requestId"])


def _publish_firmware(c: PublishFirmware, now: datetime) -> Call:
    payload = {"location": c.location, "checksum": c.checksum,
               "requestId": _job_request_id(c.request_id, now)}
    return Call("PublishFirmware", _retries(c, payload))


def _publish_result(reply: dict[str, Any], call: Call, c: PublishFirmware) -> FirmwareResult:
    return FirmwareResult(str(reply["status"]), _reason(reply), call.payload["requestId"])


def _job_request_id(given: int | None, now: datetime) -> int:
    """The id of the job csms keeps for this request, else a fresh one."""
    return given if given is not None else _request_ids.next(now)


def _get_diagnostics(c: GetDiagnostics, now: datetime) -> Call:
    if c.location is None:
        raise InvalidInput("get-diagnostics needs a location")
    log: dict[str, Any] = {"remoteLocation": c.location}
    if c.start is not None:
        log["oldestTimestamp"] = format_utc(c.start)
    if c.stop is not None:
        log["latestTimestamp"] = format_utc(c.stop)
    log_type = "SecurityLog" if c.log_type == "security" else "DiagnosticsLog"
    payload = {"logType": log_type, "requestId": _job_request_id(c.request_id, now), "log": log}
    return Call("GetLog", _retries(c, payload))


def _log_result(reply: dict[str, Any], call: Call, c: GetDiagnostics) -> LogResult:
    return LogResult(str(reply["status"]), _reason(reply), reply.get("filename"),
                     call.payload["requestId"])


EXCHANGES: Table = {
    RemoteStart: Exchange(_remote_start, _remote_start_result),
    RemoteStop: Exchange(_remote_stop, _status_result),
    Reset: Exchange(_reset, _status_result),
    Unlock: Exchange(_unlock, _status_result),
    ChangeAvailability: Exchange(_change_availability, _status_result),
    ClearCache: Exchange(lambda c, now: Call("ClearCache", {}), _status_result),
    DataTransfer: Exchange(_data_transfer, _data_transfer_result),
    ReserveNow: Exchange(_reserve_now, _reserve_now_result),
    CancelReservation: Exchange(_cancel_reservation, _status_result),
    SendLocalList: Exchange(_send_local_list, _status_result),
    GetLocalListVersion: Exchange(lambda c, now: Call("GetLocalListVersion", {}),
                                  _local_list_version),
    SetChargingProfile: Exchange(_set_charging_profile, _profile_set),
    ClearChargingProfile: Exchange(
        lambda c, now: Call("ClearChargingProfile", profiles.clear_request(c)), _status_result),
    GetCompositeSchedule: Exchange(_get_composite_schedule, _composite_schedule),
    GetConfiguration: Exchange(_get_configuration, _configuration),
    SetConfiguration: Exchange(_set_configuration, _configuration_set),
    UpdateFirmware: Exchange(_update_firmware, _firmware_result),
    GetDiagnostics: Exchange(_get_diagnostics, _log_result),
    PublishFirmware: Exchange(_publish_firmware, _publish_result),
    UnpublishFirmware: Exchange(
        lambda c, now: Call("UnpublishFirmware", {"checksum": c.checksum}), _status_result),
}
EXCHANGES.update(capabilities.EXCHANGES)  # what a charger can do with profiles
EXCHANGES.update(charging_commands.EXCHANGES)  # get-charging-profiles, cost-updated
EXCHANGES.update(manage_commands.EXCHANGES)  # trigger, device model, transaction status, customers
EXCHANGES.update(security_commands.EXCHANGES)  # certificates
