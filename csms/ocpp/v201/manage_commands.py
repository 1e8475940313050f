"""OCPP 2.0.1 commands for the device model, monitoring, network profile, remote trigger and
display messages (issue 4 items 5, 6, 9); merged into csms.ocpp.v201.commands.COMMANDS.

Request and message ids come from the command service's hook (csms.services.device_model),
which records the request before it is sent; the builders only translate.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from csms.domain.commands import StatusResult
from csms.domain.commands.station import (
    CustomerInformation,
    CustomerInformationResult,
    GetTransactionStatus,
    TransactionStatusResult,
    TriggerMessage,
)
from csms.domain.errors import InvalidInput
from csms.ocpp.exchange import Call, Exchange, Table
from csms.ocpp.timestamps import format_utc
from csms.ocpp.v201.device import component_json, key_args, var_key, variable_json

Command = Callable[[Any, dict[str, Any]], Awaitable[dict[str, Any]]]

# MessageTriggerEnumType (2.0.1 Part 2 §3.56), and the 1.6 names accepted for the same thing.
TRIGGERS = ("BootNotification", "LogStatusNotification", "FirmwareStatusNotification",
            "Heartbeat", "MeterValues", "SignChargingStationCertificate", "SignV2GCertificate",
            "StatusNotification", "TransactionEvent", "SignCombinedCertificate",
            "PublishFirmwareStatusNotification")
_ALIASES = {"DiagnosticsStatusNotification": "LogStatusNotification",
            "SignChargePointCertificate": "SignChargingStationCertificate"}


def _status(reply: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"status": reply["status"]}
    if "statusInfo" in reply:
        out["reason"] = reply["statusInfo"].get("reasonCode")
    return out


def _request_id(a: dict[str, Any]) -> int:
    if a.get("request_id") is None:
        raise InvalidInput("missing argument 'request_id'")
    return int(a["request_id"])


def _component_variable(a: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"component": component_json(a)}
    if a.get("variable"):
        out["variable"] = variable_json(a)
    return out


def _trigger(c: TriggerMessage, now: datetime) -> Call:
    message = _ALIASES.get(c.message, c.message)
    if message not in TRIGGERS:
        raise InvalidInput(f"OCPP 2.0.1 cannot trigger {c.message!r}; "
                           f"allowed: {', '.join(TRIGGERS)}")
    payload: dict[str, Any] = {"requestedMessage": message}
    if c.evse_id is not None:
        payload["evse"] = {"id": c.evse_id}
        if c.connector_id is not None:
            payload["evse"]["connectorId"] = c.connector_id
    return Call("TriggerMessage", payload)


def _reason(reply: dict[str, Any]) -> str | None:
    info = reply.get("statusInfo")
    return None if info is None else info.get("reasonCode")


def _status_result(reply: dict[str, Any], call: Call, c: Any) -> StatusResult:
    return StatusResult(str(reply["status"]), _reason(reply))


# --- device model reports (B07, B08) ------------------------------------------------------

async def get_base_report(s: Any, a: dict[str, Any]) -> dict[str, Any]:
    request_id = _request_id(a)
    reply = await s.call("GetBaseReport", {"requestId": request_id,
                                           "reportBase": a["report_base"]})
    return _status(reply) | {"request_id": request_id}


async def get_report(s: Any, a: dict[str, Any]) -> dict[str, Any]:
    request_id = _request_id(a)
    payload: dict[str, Any] = {"requestId": request_id}
    if a.get("component_criteria"):
        payload["componentCriteria"] = list(a["component_criteria"])
    if a.get("component_variables"):
        payload["componentVariable"] = [_component_variable(c) for c in a["component_variables"]]
    return _status(await s.call("GetReport", payload)) | {"request_id": request_id}


# --- monitoring (N02 to N06) --------------------------------------------------------------

def _monitor_wire(m: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"value": float(m["value"]), "type": m["type"],
                           "severity": int(m["severity"]),
                           "component": component_json(m), "variable": variable_json(m)}
    if m.get("id") is not None:
        out["id"] = int(m["id"])
    if m.get("transaction") is not None:
        out["transaction"] = bool(m["transaction"])
    return out


def _overall(results: list[dict[str, Any]]) -> str:
    """Accepted when every item was, Rejected when none was, Partial otherwise."""
    accepted = sum(r["status"] == "Accepted" for r in results)
    if accepted == len(results):
        return "Accepted"
    return "Rejected" if accepted == 0 else "Partial"


async def set_variable_monitoring(s: Any, a: dict[str, Any]) -> dict[str, Any]:
    data = [_monitor_wire(m) for m in a["monitors"]]
    reply = await s.call("SetVariableMonitoring", {"setMonitoringData": data})
    results = []
    for r in reply["setMonitoringResult"]:
        row = key_args(var_key(r["component"], r["variable"]))
        row |= {"id": r.get("id"), "status": r["status"], "type": r["type"],
                "severity": r["severity"]}
        if "statusInfo" in r:
            row["reason"] = r["statusInfo"].get("reasonCode")
        results.append(row)
    return {"status": _overall(results), "results": results}


async def clear_variable_monitoring(s: Any, a: dict[str, Any]) -> dict[str, Any]:
    ids = [int(i) for i in a["ids"]]
    reply = await s.call("ClearVariableMonitoring", {"id": ids})
    results = [{"id": r["id"], "status": r["status"]} for r in reply["clearMonitoringResult"]]
    return {"status": _overall(results), "results": results}


async def get_monitoring_report(s: Any, a: dict[str, Any]) -> dict[str, Any]:
    request_id = _request_id(a)
    payload: dict[str, Any] = {"requestId": request_id}
    if a.get("criteria"):
        payload["monitoringCriteria"] = list(a["criteria"])
    if a.get("component_variables"):
        payload["componentVariable"] = [_component_variable(c) for c in a["component_variables"]]
    reply = await s.call("GetMonitoringReport", payload)
    return _status(reply) | {"request_id": request_id}


async def set_monitoring_base(s: Any, a: dict[str, Any]) -> dict[str, Any]:
    return _status(await s.call("SetMonitoringBase", {"monitoringBase": a["base"]}))


async def set_monitoring_level(s: Any, a: dict[str, Any]) -> dict[str, Any]:
    return _status(await s.call("SetMonitoringLevel", {"severity": int(a["severity"])}))


# --- network profile (B09) ----------------------------------------------------------------

_PROFILE_FIELDS = (("ocpp_version", "ocppVersion"), ("ocpp_transport", "ocppTransport"),
                   ("csms_url", "ocppCsmsUrl"), ("message_timeout_s", "messageTimeout"),
                   ("security_profile", "securityProfile"), ("ocpp_interface", "ocppInterface"),
                   ("vpn", "vpn"), ("apn", "apn"))


async def set_network_profile(s: Any, a: dict[str, Any]) -> dict[str, Any]:
    profile = a["profile"]
    data = {wire: profile[key] for key, wire in _PROFILE_FIELDS if profile.get(key) is not None}
    payload = {"configurationSlot": int(a["configuration_slot"]), "connectionData": data}
    return _status(await s.call("SetNetworkProfile", payload))


# --- display messages (O01 to O06) --------------------------------------------------------

def _message_info(a: dict[str, Any]) -> dict[str, Any]:
    m = a["message"]
    text: dict[str, Any] = {"format": m.get("format") or "UTF8", "content": m["content"]}
    if m.get("language") is not None:
        text["language"] = m["language"]
    info: dict[str, Any] = {"id": int(a["id"]), "priority": a["priority"], "message": text}
    for key, wire in (("state", "state"), ("transaction_id", "transactionId")):
        if a.get(key) is not None:
            info[wire] = a[key]
    for key, wire in (("start_at", "startDateTime"), ("end_at", "endDateTime")):
        if a.get(key) is not None:
            info[wire] = format_utc(a[key])
    if a.get("evse_id") is not None:
        info["display"] = {"name": "Display", "evse": {"id": int(a["evse_id"])}}
    return info


async def set_display_message(s: Any, a: dict[str, Any]) -> dict[str, Any]:
    if a.get("id") is None:
        raise InvalidInput("missing argument 'id'")
    reply = await s.call("SetDisplayMessage", {"message": _message_info(a)})
    return _status(reply) | {"id": int(a["id"])}


async def get_display_messages(s: Any, a: dict[str, Any]) -> dict[str, Any]:
    request_id = _request_id(a)
    payload: dict[str, Any] = {"requestId": request_id}
    if a.get("ids"):
        payload["id"] = [int(i) for i in a["ids"]]
    for key in ("priority", "state"):
        if a.get(key) is not None:
            payload[key] = a[key]
    return _status(await s.call("GetDisplayMessages", payload)) | {"request_id": request_id}


async def clear_display_message(s: Any, a: dict[str, Any]) -> dict[str, Any]:
    return _status(await s.call("ClearDisplayMessage", {"id": int(a["id"])}))


COMMANDS: dict[str, Command] = {
    "get-base-report": get_base_report,
    "get-report": get_report,
    "set-variable-monitoring": set_variable_monitoring,
    "clear-variable-monitoring": clear_variable_monitoring,
    "get-monitoring-report": get_monitoring_report,
    "set-monitoring-base": set_monitoring_base,
    "set-monitoring-level": set_monitoring_level,
    "set-network-profile": set_network_profile,
    "set-display-message": set_display_message,
    "get-display-messages": get_display_messages,
    "clear-display-message": clear_display_message,
}


def _transaction_status(c: GetTransactionStatus, now: datetime) -> Call:
    return Call("GetTransactionStatus",
                {"transactionId": c.transaction_id} if c.transaction_id else {})


def _transaction_status_result(reply: dict[str, Any], call: Call,
                               c: GetTransactionStatus) -> TransactionStatusResult:
    return TransactionStatusResult("Accepted", reply["messagesInQueue"],
                                   reply.get("ongoingIndicator"))


def _customer_information(c: CustomerInformation, now: datetime) -> Call:
    """N09/N10; the request id is the caller's (the answer's reports carry it)."""
    if c.request_id is None:
        raise InvalidInput("missing argument 'request_id'")
    payload: dict[str, Any] = {"requestId": c.request_id, "report": c.report,
                               "clear": c.clear}
    if c.customer_identifier:
        payload["customerIdentifier"] = c.customer_identifier
    if c.id_token:
        payload["idToken"] = {"idToken": c.id_token, "type": c.id_token_type}
    return Call("CustomerInformation", payload)


def _customer_information_result(reply: dict[str, Any], call: Call,
                                 c: CustomerInformation) -> CustomerInformationResult:
    return CustomerInformationResult(str(reply["status"]), call.payload["requestId"],
                                     _reason(reply))


EXCHANGES: Table = {
    TriggerMessage: Exchange(_trigger, _status_result),
    GetTransactionStatus: Exchange(_transaction_status, _transaction_status_result),
    CustomerInformation: Exchange(_customer_information, _customer_information_result),
}
