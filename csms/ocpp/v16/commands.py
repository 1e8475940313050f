"""Version-agnostic commands (CONTRACT.md) as OCPP 1.6 calls, and their replies as `{status}`."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from csms.clock import Clock
from csms.domain.charging_profiles import parse_time
from csms.domain.errors import InvalidInput
from csms.ocpp.request_ids import TimeIds
from csms.ocpp.timestamps import format_utc
from csms.ocpp.v16 import profiles


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


_TRIGGER_ALIASES = {"LogStatusNotification": "DiagnosticsStatusNotification"}


async def trigger_message(s: Caller, a: dict[str, Any]) -> dict[str, Any]:
    message = _TRIGGER_ALIASES.get(a["message"], a["message"])
    payload: dict[str, Any] = {"requestedMessage": message}
    connector = _connector(a)
    if connector is not None:
        payload["connectorId"] = connector
    return {"status": (await s.call("TriggerMessage", payload))["status"]}


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


async def update_firmware(s: Caller, a: dict[str, Any]) -> dict[str, Any]:
    _only(a, "signature", "signing_certificate",
          why="signed firmware is SignedUpdateFirmware (security extension): use the raw route")
    payload: dict[str, Any] = {"location": a["location"], "retrieveDate": _time(a, "retrieve_at")}
    if a.get("retries") is not None:
        payload["retries"] = int(a["retries"])
    if a.get("retry_interval_s") is not None:
        payload["retryInterval"] = int(a["retry_interval_s"])
    await s.call("UpdateFirmware", payload)
    return {"status": "Accepted"}  # UpdateFirmware.conf is empty: the station took it


async def get_diagnostics(s: Caller, a: dict[str, Any]) -> dict[str, Any]:
    """No fileName in the reply means there is nothing to upload: Accepted, file_name null,
    as 2.0.1 GetLog answers the same case."""
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
    "trigger-message": trigger_message,
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
    "update-firmware": update_firmware,
    "get-diagnostics": get_diagnostics,
}
