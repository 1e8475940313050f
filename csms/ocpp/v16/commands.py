"""Version-agnostic commands (CONTRACT.md) as OCPP 1.6 calls, and their replies as `{status}`."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from csms.clock import Clock
from csms.domain.charging_profiles import parse_time
from csms.domain.errors import InvalidInput, StationCallError
from csms.ocpp.request_ids import TimeIds
from csms.ocpp.timestamps import format_utc
from csms.ocpp.v16 import cost_commands, manage_commands, profiles, security_commands


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


def _connector(args: dict[str, Any], default: int | None = None) -> int | None:
    """1.6 has one id for what 2.0.1 splits into EVSE and connector: prefer evse_id."""
    value = args.get("evse_id", args.get("connector_id", default))
    return None if value is None else int(value)


async def remote_start(s: Caller, a: dict[str, Any]) -> dict[str, Any]:
    payload: dict[str, Any] = {"idTag": a["id_token"]}
    connector = _connector(a)
    if connector is not None:
        payload["connectorId"] = connector
    if a.get("charging_profile") is not None:
        payload["chargingProfile"] = a["charging_profile"]
    return {"status": (await s.call("RemoteStartTransaction", payload))["status"]}


async def remote_stop(s: Caller, a: dict[str, Any]) -> dict[str, Any]:
    tx_id = profiles.transaction_id(a["transaction_id"])
    reply = await s.call("RemoteStopTransaction", {"transactionId": tx_id})
    return {"status": reply["status"]}


async def reset(s: Caller, a: dict[str, Any]) -> dict[str, Any]:
    kind = {"soft": "Soft", "hard": "Hard"}[a.get("type", "soft")]
    return {"status": (await s.call("Reset", {"type": kind}))["status"]}


async def unlock(s: Caller, a: dict[str, Any]) -> dict[str, Any]:
    reply = await s.call("UnlockConnector", {"connectorId": _connector(a, 1)})
    return {"status": reply["status"]}


async def change_availability(s: Caller, a: dict[str, Any]) -> dict[str, Any]:
    kind = "Operative" if a["operative"] else "Inoperative"
    reply = await s.call("ChangeAvailability", {"connectorId": _connector(a, 0), "type": kind})
    return {"status": reply["status"]}


async def get_configuration(s: Caller, a: dict[str, Any]) -> dict[str, Any]:
    payload = {"key": list(a["keys"])} if a.get("keys") else {}
    reply = await s.call("GetConfiguration", payload)
    return {
        "status": "Accepted",
        "configuration": [
            {"key": c["key"], "value": c.get("value"), "readonly": c.get("readonly", False)}
            for c in reply.get("configurationKey", [])
        ],
        "unknown_keys": reply.get("unknownKey", []),
    }


async def set_configuration(s: Caller, a: dict[str, Any]) -> dict[str, Any]:
    reply = await s.call("ChangeConfiguration", {"key": a["key"], "value": str(a["value"])})
    return {"status": reply["status"], "reboot_required": reply["status"] == "RebootRequired"}


async def clear_cache(s: Caller, a: dict[str, Any]) -> dict[str, Any]:
    return {"status": (await s.call("ClearCache", {}))["status"]}


async def data_transfer(s: Caller, a: dict[str, Any]) -> dict[str, Any]:
    payload: dict[str, Any] = {"vendorId": a["vendor_id"]}
    if a.get("message_id") is not None:
        payload["messageId"] = a["message_id"]
    if a.get("data") is not None:
        data = a["data"]
        payload["data"] = data if isinstance(data, str) else json.dumps(data)
    reply = await s.call("DataTransfer", payload)
    return {"status": reply["status"], "data": reply.get("data")}


_reservation_ids = TimeIds()


def _time(a: dict[str, Any], key: str) -> str:
    return format_utc(parse_time(a[key], key))


def _only(a: dict[str, Any], *keys: str, why: str) -> None:
    given = [k for k in keys if a.get(k) is not None]
    if given:
        raise InvalidInput(f"OCPP 1.6 cannot express {', '.join(given)}: {why}")


async def set_charging_profile(s: Caller, a: dict[str, Any]) -> dict[str, Any]:
    payload = profiles.to_wire(a["profile"], a.get("evse_id"), s.services.clock.now())
    reply = await s.call("SetChargingProfile", payload)
    return {"status": reply["status"],
            "profile_id": payload["csChargingProfiles"]["chargingProfileId"]}


async def clear_charging_profile(s: Caller, a: dict[str, Any]) -> dict[str, Any]:
    reply = await s.call("ClearChargingProfile", profiles.clear_request(a))
    return {"status": reply["status"]}


async def get_composite_schedule(s: Caller, a: dict[str, Any]) -> dict[str, Any]:
    payload: dict[str, Any] = {"connectorId": int(a["evse_id"]), "duration": int(a["duration_s"])}
    if a.get("unit") is not None:
        payload["chargingRateUnit"] = a["unit"]
    reply = await s.call("GetCompositeSchedule", payload)
    return {"status": reply["status"], "schedule": profiles.composite_schedule(reply)}


async def reserve_now(s: Caller, a: dict[str, Any]) -> dict[str, Any]:
    reservation_id = a.get("reservation_id")
    if reservation_id is None:
        reservation_id = _reservation_ids.next(s.services.clock.now())
    payload: dict[str, Any] = {
        "connectorId": _connector(a, 0), "expiryDate": _time(a, "expires_at"),
        "idTag": a["id_token"], "reservationId": int(reservation_id)}
    if a.get("group_id") is not None:
        payload["parentIdTag"] = a["group_id"]
    reply = await s.call("ReserveNow", payload)
    return {"status": reply["status"], "reservation_id": payload["reservationId"]}


async def cancel_reservation(s: Caller, a: dict[str, Any]) -> dict[str, Any]:
    reply = await s.call("CancelReservation", {"reservationId": int(a["reservation_id"])})
    return {"status": reply["status"]}


def _local_entry(entry: dict[str, Any], full: bool) -> dict[str, Any]:
    """An entry without status, expiry or group is a removal in a differential update
    (1.6 §5.15: no idTagInfo); in a full list it is an Accepted token."""
    out: dict[str, Any] = {"idTag": entry["id_token"]}
    if full or any(entry.get(k) is not None for k in ("status", "expires_at", "group_id")):
        info: dict[str, Any] = {"status": entry.get("status") or "Accepted"}
        if entry.get("expires_at") is not None:
            info["expiryDate"] = _time(entry, "expires_at")
        if entry.get("group_id") is not None:
            info["parentIdTag"] = entry["group_id"]
        out["idTagInfo"] = info
    return out


async def send_local_list(s: Caller, a: dict[str, Any]) -> dict[str, Any]:
    full = a["update"] == "full"
    payload = {
        "listVersion": int(a["version"]), "updateType": "Full" if full else "Differential",
        "localAuthorizationList": [_local_entry(e, full) for e in a.get("entries") or []]}
    return {"status": (await s.call("SendLocalList", payload))["status"]}


async def get_local_list_version(s: Caller, a: dict[str, Any]) -> dict[str, Any]:
    """1.6 §5.9: -1 means the station has no local list support."""
    version = int((await s.call("GetLocalListVersion", {}))["listVersion"])
    return {"status": "NotSupported" if version < 0 else "Accepted", "version": version}


# --- firmware and logs (issue 4 items 1, 2); request_id comes from the job csms keeps ---
_request_ids = TimeIds()


def _retries(a: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
    if a.get("retries") is not None:
        payload["retries"] = int(a["retries"])
    if a.get("retry_interval_s") is not None:
        payload["retryInterval"] = int(a["retry_interval_s"])
    return payload


def _request_id(s: Caller, a: dict[str, Any]) -> int:
    given = a.get("request_id")
    return int(given) if given is not None else _request_ids.next(s.services.clock.now())


async def _security_call(s: Caller, action: str, payload: dict[str, Any]) -> dict[str, Any]:
    """A call of the 1.6 security extension: a station without it says so with a CALLERROR,
    which makes the request invalid for this station (422), not a station failure (502)."""
    try:
        return await s.call(action, payload)
    except StationCallError as e:
        if e.code in ("NotImplemented", "NotSupported"):
            raise InvalidInput(f"the station does not support {action} (OCPP 1.6 security "
                               f"extension): {e.description}") from e
        raise


async def update_firmware(s: Caller, a: dict[str, Any]) -> dict[str, Any]:
    if a.get("signature") is not None or a.get("signing_certificate") is not None:
        return await _signed_update_firmware(s, a)
    payload: dict[str, Any] = {"location": a["location"], "retrieveDate": _time(a, "retrieve_at")}
    await s.call("UpdateFirmware", _retries(a, payload))
    return {"status": "Accepted"}  # UpdateFirmware.conf is empty: the station took it


async def _signed_update_firmware(s: Caller, a: dict[str, Any]) -> dict[str, Any]:
    if a.get("signature") is None or a.get("signing_certificate") is None:
        raise InvalidInput("OCPP 1.6 signed firmware (SignedUpdateFirmware, security "
                           "extension) needs both signature and signing_certificate")
    request_id = _request_id(s, a)
    firmware = {"location": a["location"], "retrieveDateTime": _time(a, "retrieve_at"),
                "signingCertificate": a["signing_certificate"], "signature": a["signature"]}
    payload = _retries(a, {"requestId": request_id, "firmware": firmware})
    reply = await _security_call(s, "SignedUpdateFirmware", payload)
    return {"status": reply["status"], "request_id": request_id}


async def _get_security_log(s: Caller, a: dict[str, Any]) -> dict[str, Any]:
    log: dict[str, Any] = {"remoteLocation": a["location"]}
    for key, wire in (("start", "oldestTimestamp"), ("stop", "latestTimestamp")):
        if a.get(key) is not None:
            log[wire] = _time(a, key)
    request_id = _request_id(s, a)
    payload = _retries(a, {"logType": "SecurityLog", "requestId": request_id, "log": log})
    reply = await _security_call(s, "GetLog", payload)
    return {"status": reply["status"], "file_name": reply.get("filename"),
            "request_id": request_id}


async def get_diagnostics(s: Caller, a: dict[str, Any]) -> dict[str, Any]:
    """No fileName in the reply means there is nothing to upload: Accepted, file_name null,
    as 2.0.1 GetLog answers the same case. The security log needs the security extension."""
    if a.get("log_type") == "security":
        return await _get_security_log(s, a)
    payload: dict[str, Any] = {"location": a["location"]}
    for key, wire in (("start", "startTime"), ("stop", "stopTime")):
        if a.get(key) is not None:
            payload[wire] = _time(a, key)
    if a.get("retries") is not None:
        payload["retries"] = int(a["retries"])
    if a.get("retry_interval_s") is not None:
        payload["retryInterval"] = int(a["retry_interval_s"])
    reply = await s.call("GetDiagnostics", payload)
    return {"status": "Accepted", "file_name": reply.get("fileName")}


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
COMMANDS.update(cost_commands.COMMANDS)  # cost-updated through DataTransfer (tariffs)
COMMANDS.update(security_commands.COMMANDS)  # certificates (security extension)
