"""The typed commands (csms.domain.commands) as OCPP 1.6 calls, and the replies as their typed
results: `EXCHANGES`, one table from command type to (build the call, parse the reply), which
the sibling modules extend."""

from __future__ import annotations

import json
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
from csms.domain.device import VarKey
from csms.domain.errors import InvalidInput
from csms.ocpp.exchange import Call, Exchange, Table
from csms.ocpp.request_ids import TimeIds
from csms.ocpp.timestamps import format_utc
from csms.ocpp.v16 import capabilities, cost_commands, manage_commands, profiles, security_commands


def _connector_of(evse_id: int | None, connector_id: int | None,
                  default: int | None = None) -> int | None:
    """1.6 has one id for what 2.0.1 splits into EVSE and connector: prefer evse_id."""
    if evse_id is not None:
        return evse_id
    return connector_id if connector_id is not None else default


def _status(reply: dict[str, Any], call: Call, command: Any) -> StatusResult:
    return StatusResult(str(reply["status"]))


def _remote_start(c: RemoteStart, now: datetime) -> Call:
    payload: dict[str, Any] = {"idTag": c.id_token}
    connector = _connector_of(c.evse_id, c.connector_id)
    if connector is not None:
        payload["connectorId"] = connector
    if c.charging_profile is not None:
        payload["chargingProfile"] = c.charging_profile
    return Call("RemoteStartTransaction", payload)


def _remote_start_result(reply: dict[str, Any], call: Call, c: RemoteStart) -> RemoteStartResult:
    return RemoteStartResult(str(reply["status"]))


def _remote_stop(c: RemoteStop, now: datetime) -> Call:
    return Call("RemoteStopTransaction", {"transactionId": profiles.transaction_id(
        c.transaction_id)})


def _reset(c: Reset, now: datetime) -> Call:
    return Call("Reset", {"type": {"soft": "Soft", "hard": "Hard"}[c.type]})


def _unlock(c: Unlock, now: datetime) -> Call:
    return Call("UnlockConnector", {"connectorId": _connector_of(c.evse_id, c.connector_id, 1)})


def _change_availability(c: ChangeAvailability, now: datetime) -> Call:
    return Call("ChangeAvailability", {
        "connectorId": _connector_of(c.evse_id, c.connector_id, 0),
        "type": "Operative" if c.operative else "Inoperative"})


def _data_transfer(c: DataTransfer, now: datetime) -> Call:
    payload: dict[str, Any] = {"vendorId": c.vendor_id}
    if c.message_id is not None:
        payload["messageId"] = c.message_id
    if c.data is not None:
        payload["data"] = c.data if isinstance(c.data, str) else json.dumps(c.data)
    return Call("DataTransfer", payload)


def _data_transfer_result(reply: dict[str, Any], call: Call,
                          c: DataTransfer) -> DataTransferResult:
    return DataTransferResult(str(reply["status"]), data=reply.get("data"))


def _get_configuration(c: GetConfiguration, now: datetime) -> Call:
    return Call("GetConfiguration", {"key": list(c.keys)} if c.keys else {})


def _configuration(reply: dict[str, Any], call: Call, c: GetConfiguration) -> ConfigurationResult:
    unknown = [str(k) for k in reply.get("unknownKey", [])]
    return ConfigurationResult("Accepted", [
        ConfigurationValue(k["key"], k.get("value"), k.get("readonly", False), VarKey("", k["key"]))
        for k in reply.get("configurationKey", [])
    ], unknown, [VarKey("", k) for k in unknown])


def _set_configuration(c: SetConfiguration, now: datetime) -> Call:
    return Call("ChangeConfiguration", {"key": c.key, "value": c.value})


def _configuration_set(reply: dict[str, Any], call: Call,
                       c: SetConfiguration) -> ConfigurationSetResult:
    status = str(reply["status"])
    return ConfigurationSetResult(status, status == "RebootRequired", VarKey("", c.key))


_reservation_ids = TimeIds()


def _set_charging_profile(c: SetChargingProfile, now: datetime) -> Call:
    return Call("SetChargingProfile", profiles.to_wire(c.profile, c.evse_id, now))


def _profile_set(reply: dict[str, Any], call: Call, c: SetChargingProfile) -> ProfileSetResult:
    return ProfileSetResult(str(reply["status"]),
                            call.payload["csChargingProfiles"]["chargingProfileId"])


def _get_composite_schedule(c: GetCompositeSchedule, now: datetime) -> Call:
    payload: dict[str, Any] = {"connectorId": c.evse_id, "duration": c.duration_s}
    if c.unit is not None:
        payload["chargingRateUnit"] = c.unit
    return Call("GetCompositeSchedule", payload)


def _composite_schedule(reply: dict[str, Any], call: Call,
                        c: GetCompositeSchedule) -> CompositeScheduleResult:
    return CompositeScheduleResult(str(reply["status"]),
                                   schedule=profiles.composite_schedule(reply))


def _reserve_now(c: ReserveNow, now: datetime) -> Call:
    reservation_id = c.reservation_id
    if reservation_id is None:
        reservation_id = _reservation_ids.next(now)
    payload: dict[str, Any] = {
        "connectorId": _connector_of(c.evse_id, c.connector_id, 0),
        "expiryDate": format_utc(c.expires_at), "idTag": c.id_token,
        "reservationId": reservation_id}
    if c.group_id is not None:
        payload["parentIdTag"] = c.group_id
    return Call("ReserveNow", payload)


def _reserve_now_result(reply: dict[str, Any], call: Call, c: ReserveNow) -> ReserveNowResult:
    return ReserveNowResult(str(reply["status"]), call.payload["reservationId"])


def _cancel_reservation(c: CancelReservation, now: datetime) -> Call:
    return Call("CancelReservation", {"reservationId": c.reservation_id})


def _local_entry(entry: LocalListEntry, full: bool) -> dict[str, Any]:
    """A removal in a differential update has no idTagInfo (1.6 §5.15)."""
    out: dict[str, Any] = {"idTag": entry.id_token}
    if full or not entry.is_removal:
        info: dict[str, Any] = {"status": entry.status or "Accepted"}
        if entry.expires_at is not None:
            info["expiryDate"] = format_utc(entry.expires_at)
        if entry.group_id is not None:
            info["parentIdTag"] = entry.group_id
        out["idTagInfo"] = info
    return out


def _send_local_list(c: SendLocalList, now: datetime) -> Call:
    return Call("SendLocalList", {
        "listVersion": c.version, "updateType": "Full" if c.full else "Differential",
        "localAuthorizationList": [_local_entry(e, c.full) for e in c.entries]})


def _local_list_version(reply: dict[str, Any], call: Call,
                        c: GetLocalListVersion) -> LocalListVersionResult:
    """1.6 §5.9: -1 means the station has no local list support."""
    version = int(reply["listVersion"])
    return LocalListVersionResult("NotSupported" if version < 0 else "Accepted", version)


# --- firmware and logs; request_id comes from the job csms keeps ---
_request_ids = TimeIds()


_SECURITY = "OCPP 1.6 security extension"


def _retries(c: UpdateFirmware | GetDiagnostics, payload: dict[str, Any]) -> dict[str, Any]:
    if c.retries is not None:
        payload["retries"] = c.retries
    if c.retry_interval_s is not None:
        payload["retryInterval"] = c.retry_interval_s
    return payload


def _request_id(given: int | None, now: datetime) -> int:
    return given if given is not None else _request_ids.next(now)


def _update_firmware(c: UpdateFirmware, now: datetime) -> Call:
    if not c.signed:
        return Call("UpdateFirmware", _retries(c, {
            "location": c.location, "retrieveDate": format_utc(c.retrieve_at)}))
    if c.signature is None or c.signing_certificate is None:
        raise InvalidInput("OCPP 1.6 signed firmware (SignedUpdateFirmware, security "
                           "extension) needs both signature and signing_certificate")
    firmware = {"location": c.location, "retrieveDateTime": format_utc(c.retrieve_at),
                "signingCertificate": c.signing_certificate, "signature": c.signature}
    payload = {"requestId": _request_id(c.request_id, now), "firmware": firmware}
    return Call("SignedUpdateFirmware", _retries(c, payload), _SECURITY)


def _firmware_result(reply: dict[str, Any], call: Call, c: UpdateFirmware) -> FirmwareResult:
    if call.action == "UpdateFirmware":
        return FirmwareResult("Accepted")  # UpdateFirmware.conf is empty: the station took it
    return FirmwareResult(str(reply["status"]), request_id=call.payload["requestId"])


def _get_diagnostics(c: GetDiagnostics, now: datetime) -> Call:
    """The security log needs the security extension (GetLog)."""
    if c.location is None:
        raise InvalidInput("get-diagnostics needs a location")
    if c.log_type == "security":
        log: dict[str, Any] = {"remoteLocation": c.location}
        if c.start is not None:
            log["oldestTimestamp"] = format_utc(c.start)
        if c.stop is not None:
            log["latestTimestamp"] = format_utc(c.stop)
        payload = {"logType": "SecurityLog", "requestId": _request_id(c.request_id, now),
                   "log": log}
        return Call("GetLog", _retries(c, payload), _SECURITY)
    payload = {"location": c.location}
    if c.start is not None:
        payload["startTime"] = format_utc(c.start)
    if c.stop is not None:
        payload["stopTime"] = format_utc(c.stop)
    return Call("GetDiagnostics", _retries(c, payload))


def _publish_firmware(c: PublishFirmware, now: datetime) -> Call:
    raise InvalidInput("OCPP 1.6 has no PublishFirmware: local controllers that publish "
                       "firmware are OCPP 2.0.1")


def _unpublish_firmware(c: UnpublishFirmware, now: datetime) -> Call:
    raise InvalidInput("OCPP 1.6 has no UnpublishFirmware: local controllers that publish "
                       "firmware are OCPP 2.0.1")


def _log_result(reply: dict[str, Any], call: Call, c: GetDiagnostics) -> LogResult:
    """No fileName in the reply means there is nothing to upload: Accepted, file_name null,
    as 2.0.1 GetLog answers the same case."""
    if call.action == "GetDiagnostics":
        return LogResult("Accepted", file_name=reply.get("fileName"))
    return LogResult(str(reply["status"]), file_name=reply.get("filename"),
                     request_id=call.payload["requestId"])


EXCHANGES: Table = {
    RemoteStart: Exchange(_remote_start, _remote_start_result),
    RemoteStop: Exchange(_remote_stop, _status),
    Reset: Exchange(_reset, _status),
    Unlock: Exchange(_unlock, _status),
    ChangeAvailability: Exchange(_change_availability, _status),
    ClearCache: Exchange(lambda c, now: Call("ClearCache", {}), _status),
    DataTransfer: Exchange(_data_transfer, _data_transfer_result),
    ReserveNow: Exchange(_reserve_now, _reserve_now_result),
    CancelReservation: Exchange(_cancel_reservation, _status),
    SendLocalList: Exchange(_send_local_list, _status),
    GetLocalListVersion: Exchange(lambda c, now: Call("GetLocalListVersion", {}),
                                  _local_list_version),
    SetChargingProfile: Exchange(_set_charging_profile, _profile_set),
    ClearChargingProfile: Exchange(
        lambda c, now: Call("ClearChargingProfile", profiles.clear_request(c)), _status),
    GetCompositeSchedule: Exchange(_get_composite_schedule, _composite_schedule),
    GetConfiguration: Exchange(_get_configuration, _configuration),
    SetConfiguration: Exchange(_set_configuration, _configuration_set),
    UpdateFirmware: Exchange(_update_firmware, _firmware_result),
    GetDiagnostics: Exchange(_get_diagnostics, _log_result),
    PublishFirmware: Exchange(_publish_firmware, _status),
    UnpublishFirmware: Exchange(_unpublish_firmware, _status),
}
EXCHANGES.update(capabilities.EXCHANGES)  # what a charger can do with profiles
EXCHANGES.update(cost_commands.EXCHANGES)  # cost-updated through DataTransfer (tariffs)
EXCHANGES.update(manage_commands.EXCHANGES)  # trigger, device model, transaction status, customers
EXCHANGES.update(security_commands.EXCHANGES)  # certificates
