"""Version-agnostic commands (CONTRACT.md) as OCPP 2.0.1 calls, and their replies as `{status}`."""

from __future__ import annotations

import itertools
import random
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from csms.clock import Clock
from csms.domain.charging_profiles import parse_time
from csms.domain.errors import InvalidInput
from csms.ocpp.request_ids import TimeIds
from csms.ocpp.timestamps import format_utc
from csms.ocpp.v201 import charging_commands, manage_commands, profiles, security_commands


class _HasClock(Protocol):
    @property
    def clock(self) -> Clock: ...


class Caller(Protocol):
    @property
    def services(self) -> _HasClock: ...

    async def call(
        self, action: str, payload: dict[str, Any], timeout: float | None = None
    ) -> dict[str, Any]: ...


Command = Callable[[Any, dict[str, Any]], Awaitable[dict[str, Any]]]

# remoteStartId must be unique per station; a random start avoids reuse across restarts.
_remote_start_ids = itertools.count(random.randint(1, 1_000_000))


def _status(reply: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"status": reply["status"]}
    if "statusInfo" in reply:
        out["reason"] = reply["statusInfo"].get("reasonCode")
    return out


def _evse(a: dict[str, Any]) -> dict[str, Any] | None:
    if a.get("evse_id") is None:
        return None
    evse: dict[str, Any] = {"id": int(a["evse_id"])}
    if a.get("connector_id") is not None:
        evse["connectorId"] = int(a["connector_id"])
    return evse


def _component_variable(key: str) -> dict[str, Any]:
    component, sep, variable = key.partition(".")
    if not sep or not component or not variable:
        raise InvalidInput(f"key {key!r} must be Component.Variable in OCPP 2.0.1")
    return {"component": {"name": component}, "variable": {"name": variable}}


async def remote_start(s: Caller, a: dict[str, Any]) -> dict[str, Any]:
    remote_id = next(_remote_start_ids)
    payload: dict[str, Any] = {
        "idToken": {"idToken": a["id_token"], "type": a.get("id_token_type", "Central")},
        "remoteStartId": remote_id,
    }
    if a.get("evse_id") is not None:
        payload["evseId"] = int(a["evse_id"])
    if a.get("charging_profile") is not None:
        payload["chargingProfile"] = a["charging_profile"]
    reply = await s.call("RequestStartTransaction", payload)
    out = _status(reply) | {"remote_start_id": remote_id}
    if reply.get("transactionId"):
        out["transaction_id"] = reply["transactionId"]
    return out


async def remote_stop(s: Caller, a: dict[str, Any]) -> dict[str, Any]:
    reply = await s.call("RequestStopTransaction", {"transactionId": str(a["transaction_id"])})
    return _status(reply)


async def reset(s: Caller, a: dict[str, Any]) -> dict[str, Any]:
    # hard: reboot now; soft: once no transaction runs (OCPP 2.0.1 B11/B12).
    kind = {"soft": "OnIdle", "hard": "Immediate"}[a.get("type", "soft")]
    payload: dict[str, Any] = {"type": kind}
    if a.get("evse_id") is not None:
        payload["evseId"] = int(a["evse_id"])
    return _status(await s.call("Reset", payload))


async def unlock(s: Caller, a: dict[str, Any]) -> dict[str, Any]:
    payload = {"evseId": int(a.get("evse_id") or 1), "connectorId": int(a["connector_id"])}
    return _status(await s.call("UnlockConnector", payload))


async def change_availability(s: Caller, a: dict[str, Any]) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "operationalStatus": "Operative" if a["operative"] else "Inoperative"}
    if a.get("evse_id") is None and a.get("connector_id") is not None:  # availability
        raise InvalidInput("OCPP 2.0.1 names a connector within an EVSE: give evse_id too")
    evse = _evse(a)
    if evse is not None:
        payload["evse"] = evse
    return _status(await s.call("ChangeAvailability", payload))


async def get_configuration(s: Caller, a: dict[str, Any]) -> dict[str, Any]:
    keys = a.get("keys") or []
    if not keys:
        raise InvalidInput("OCPP 2.0.1 needs keys (Component.Variable); "
                           "send GetBaseReport through the raw route for everything")
    data = [_component_variable(k) for k in keys]
    reply = await s.call("GetVariables", {"getVariableData": data})
    config, unknown = [], []
    for r in reply["getVariableResult"]:
        key = f"{r['component']['name']}.{r['variable']['name']}"
        if r["attributeStatus"] == "Accepted":
            config.append({"key": key, "value": r.get("attributeValue"), "readonly": None})
        else:
            unknown.append(key)
    return {"status": "Accepted", "configuration": config, "unknown_keys": unknown}


async def set_configuration(s: Caller, a: dict[str, Any]) -> dict[str, Any]:
    item = _component_variable(a["key"]) | {"attributeValue": str(a["value"])}
    reply = await s.call("SetVariables", {"setVariableData": [item]})
    result = reply["setVariableResult"][0]
    status = result["attributeStatus"]
    return {"status": status, "reboot_required": status == "RebootRequired"}


async def clear_cache(s: Caller, a: dict[str, Any]) -> dict[str, Any]:
    return _status(await s.call("ClearCache", {}))


async def data_transfer(s: Caller, a: dict[str, Any]) -> dict[str, Any]:
    payload: dict[str, Any] = {"vendorId": a["vendor_id"]}
    if a.get("message_id") is not None:
        payload["messageId"] = a["message_id"]
    if a.get("data") is not None:
        payload["data"] = a["data"]
    reply = await s.call("DataTransfer", payload)
    return _status(reply) | {"data": reply.get("data")}


# reservation and request ids: growing with time, so a restart does not reuse them.
_reservation_ids = TimeIds()
_request_ids = TimeIds()
# The type of tokens drivers present (RFID cards), unless the caller names another.
_CARD = "ISO14443"


def _time(a: dict[str, Any], key: str) -> str:
    return format_utc(parse_time(a[key], key))


def _retries(a: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
    if a.get("retries") is not None:
        payload["retries"] = int(a["retries"])
    if a.get("retry_interval_s") is not None:
        payload["retryInterval"] = int(a["retry_interval_s"])
    return payload


async def set_charging_profile(s: Caller, a: dict[str, Any]) -> dict[str, Any]:
    payload = profiles.to_wire(a["profile"], a.get("evse_id"), s.services.clock.now())
    reply = await s.call("SetChargingProfile", payload)
    return _status(reply) | {"profile_id": payload["chargingProfile"]["id"]}


async def clear_charging_profile(s: Caller, a: dict[str, Any]) -> dict[str, Any]:
    return _status(await s.call("ClearChargingProfile", profiles.clear_request(a)))


async def get_composite_schedule(s: Caller, a: dict[str, Any]) -> dict[str, Any]:
    payload: dict[str, Any] = {"evseId": int(a["evse_id"]), "duration": int(a["duration_s"])}
    if a.get("unit") is not None:
        payload["chargingRateUnit"] = a["unit"]
    reply = await s.call("GetCompositeSchedule", payload)
    return _status(reply) | {"schedule": profiles.composite_schedule(reply)}


async def reserve_now(s: Caller, a: dict[str, Any]) -> dict[str, Any]:
    if a.get("connector_id") is not None:
        raise InvalidInput("OCPP 2.0.1 reserves an EVSE, not a connector: use evse_id")
    reservation_id = a.get("reservation_id")
    if reservation_id is None:
        reservation_id = _reservation_ids.next(s.services.clock.now())
    payload: dict[str, Any] = {
        "id": int(reservation_id), "expiryDateTime": _time(a, "expires_at"),
        "idToken": {"idToken": a["id_token"], "type": a.get("id_token_type") or _CARD}}
    if a.get("evse_id"):  # 0 or none: any EVSE
        payload["evseId"] = int(a["evse_id"])
    if a.get("group_id") is not None:
        payload["groupIdToken"] = {"idToken": a["group_id"], "type": "Central"}
    return _status(await s.call("ReserveNow", payload)) | {"reservation_id": payload["id"]}


async def cancel_reservation(s: Caller, a: dict[str, Any]) -> dict[str, Any]:
    return _status(await s.call("CancelReservation",
                                {"reservationId": int(a["reservation_id"])}))


def _local_entry(entry: dict[str, Any], full: bool) -> dict[str, Any]:
    """An entry without status, expiry or group is a removal in a differential update
    (2.0.1 D01: no idTokenInfo); in a full list it is an Accepted token."""
    out: dict[str, Any] = {"idToken": {"idToken": entry["id_token"],
                                       "type": entry.get("id_token_type") or _CARD}}
    if full or any(entry.get(k) is not None for k in ("status", "expires_at", "group_id")):
        info: dict[str, Any] = {"status": entry.get("status") or "Accepted"}
        if entry.get("expires_at") is not None:
            info["cacheExpiryDateTime"] = _time(entry, "expires_at")
        if entry.get("group_id") is not None:
            info["groupIdToken"] = {"idToken": entry["group_id"], "type": "Central"}
        out["idTokenInfo"] = info
    return out


async def send_local_list(s: Caller, a: dict[str, Any]) -> dict[str, Any]:
    full = a["update"] == "full"
    payload: dict[str, Any] = {"versionNumber": int(a["version"]),
                               "updateType": "Full" if full else "Differential"}
    entries = [_local_entry(e, full) for e in a.get("entries") or []]
    if entries:  # the schema wants at least one item when the list is present
        payload["localAuthorizationList"] = entries
    return _status(await s.call("SendLocalList", payload))


async def get_local_list_version(s: Caller, a: dict[str, Any]) -> dict[str, Any]:
    """2.0.1 D02: 0 when the station has no list (or no support for one)."""
    reply = await s.call("GetLocalListVersion", {})
    return {"status": "Accepted", "version": int(reply["versionNumber"])}


async def update_firmware(s: Caller, a: dict[str, Any]) -> dict[str, Any]:
    firmware: dict[str, Any] = {"location": a["location"],
                                "retrieveDateTime": _time(a, "retrieve_at")}
    if a.get("signature") is not None:
        firmware["signature"] = a["signature"]
    if a.get("signing_certificate") is not None:
        firmware["signingCertificate"] = a["signing_certificate"]
    request_id = _job_request_id(s, a)
    payload = _retries(a, {"requestId": request_id, "firmware": firmware})
    return _status(await s.call("UpdateFirmware", payload)) | {"request_id": request_id}


def _job_request_id(s: Caller, a: dict[str, Any]) -> int:
    """The id of the job csms keeps for this request (issue 4 items 1, 2), else a fresh one."""
    given = a.get("request_id")
    return int(given) if given is not None else _request_ids.next(s.services.clock.now())


async def get_diagnostics(s: Caller, a: dict[str, Any]) -> dict[str, Any]:
    log: dict[str, Any] = {"remoteLocation": a["location"]}
    for key, wire in (("start", "oldestTimestamp"), ("stop", "latestTimestamp")):
        if a.get(key) is not None:
            log[wire] = _time(a, key)
    request_id = _job_request_id(s, a)
    log_type = "SecurityLog" if a.get("log_type") == "security" else "DiagnosticsLog"
    payload = _retries(a, {"logType": log_type, "requestId": request_id, "log": log})
    reply = await s.call("GetLog", payload)
    return _status(reply) | {"file_name": reply.get("filename"), "request_id": request_id}


COMMANDS: dict[str, Command] = {
    "remote-start": remote_start,
    "remote-stop": remote_stop,
    "reset": reset,
    "unlock": unlock,
    "change-availability": change_availability,
    "get-configuration": get_configuration,
    "set-configuration": set_configuration,
    "clear-cache": clear_cache,
    "data-transfer": data_transfer,
    "set-charging-profile": set_charging_profile,
    "clear-charging-profile": clear_charging_profile,
    "get-composite-schedule": get_composite_schedule,
    "reserve-now": reserve_now,
    "cancel-reservation": cancel_reservation,
    "send-local-list": send_local_list,
    "get-local-list-version": get_local_list_version,  # local authorization list
    "update-firmware": update_firmware,
    "get-diagnostics": get_diagnostics,
}
# trigger-message, device model, monitoring, network profile, display messages
COMMANDS.update(manage_commands.COMMANDS)
COMMANDS.update(charging_commands.COMMANDS)  # get-charging-profiles, cost-updated (tariffs)
COMMANDS.update(security_commands.COMMANDS)  # certificates (blocks A, M)
