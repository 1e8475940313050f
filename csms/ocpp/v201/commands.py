"""Version-agnostic commands (CONTRACT.md) as OCPP 2.0.1 calls, and their replies as `{status}`."""

from __future__ import annotations

import itertools
import random
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from csms.domain.errors import InvalidInput


class Caller(Protocol):
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
    evse = _evse(a)
    if evse is not None:
        payload["evse"] = evse
    return _status(await s.call("ChangeAvailability", payload))


_TRIGGER_ALIASES = {"DiagnosticsStatusNotification": "LogStatusNotification"}


async def trigger_message(s: Caller, a: dict[str, Any]) -> dict[str, Any]:
    payload: dict[str, Any] = {"requestedMessage": _TRIGGER_ALIASES.get(a["message"], a["message"])}
    evse = _evse(a)
    if evse is not None:
        payload["evse"] = evse
    return _status(await s.call("TriggerMessage", payload))


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
}
