"""Version-agnostic commands (CONTRACT.md) as OCPP 1.6 calls, and their replies as `{status}`."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from csms.domain.errors import InvalidInput


class Caller(Protocol):
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
    try:
        tx_id = int(a["transaction_id"])
    except (TypeError, ValueError) as e:
        raise InvalidInput("OCPP 1.6 transaction ids are integers") from e
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
