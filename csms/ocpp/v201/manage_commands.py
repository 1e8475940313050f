"""OCPP 2.0.1 commands for the device model, monitoring, network profile, remote trigger and
display messages, transaction status and customer information; merged
into csms.ocpp.v201.commands.EXCHANGES.

Request and message ids come from the device model service (csms.services.devices.device_model),
which records the request before it is sent; the builders only translate.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from csms.domain.commands import StatusResult
from csms.domain.commands.device import (
    ClearDisplayMessage,
    ClearVariableMonitoring,
    ComponentVariable,
    DisplayMessageSet,
    GetBaseReport,
    GetDisplayMessages,
    GetMonitoringReport,
    GetReport,
    MonitorCleared,
    MonitorOutcome,
    MonitorsCleared,
    MonitorSpec,
    MonitorsSet,
    RequestAccepted,
    SetDisplayMessage,
    SetMonitoringBase,
    SetMonitoringLevel,
    SetNetworkProfile,
    SetVariableMonitoring,
)
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
from csms.ocpp.v201.device import component_json, var_key, variable_json

# MessageTriggerEnumType (2.0.1 Part 2 §3.56), and the 1.6 names accepted for the same thing.
TRIGGERS = ("BootNotification", "LogStatusNotification", "FirmwareStatusNotification",
            "Heartbeat", "MeterValues", "SignChargingStationCertificate", "SignV2GCertificate",
            "StatusNotification", "TransactionEvent", "SignCombinedCertificate",
            "PublishFirmwareStatusNotification")
_ALIASES = {"DiagnosticsStatusNotification": "LogStatusNotification",
            "SignChargePointCertificate": "SignChargingStationCertificate"}


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

def _request_id(c: Any) -> int:
    """Filled in by the device model service, which records the request before it is sent."""
    if c.request_id is None:
        raise InvalidInput("missing argument 'request_id'")
    return int(c.request_id)


def _component_variable(c: ComponentVariable) -> dict[str, Any]:
    out: dict[str, Any] = {"component": component_json(c.key)}
    if c.variable:
        out["variable"] = variable_json(c.key)
    return out


def _accepted(reply: dict[str, Any], call: Call, c: Any) -> RequestAccepted:
    return RequestAccepted(str(reply["status"]), call.payload["requestId"], _reason(reply))


def _get_base_report(c: GetBaseReport, now: datetime) -> Call:
    return Call("GetBaseReport", {"requestId": _request_id(c), "reportBase": c.report_base})


def _get_report(c: GetReport, now: datetime) -> Call:
    payload: dict[str, Any] = {"requestId": _request_id(c)}
    if c.component_criteria:
        payload["componentCriteria"] = list(c.component_criteria)
    if c.component_variables:
        payload["componentVariable"] = [_component_variable(v) for v in c.component_variables]
    return Call("GetReport", payload)


# --- monitoring (N02 to N06) --------------------------------------------------------------

def _monitor_wire(m: MonitorSpec) -> dict[str, Any]:
    out: dict[str, Any] = {"value": float(m.value), "type": m.type, "severity": m.severity,
                           "component": component_json(m.key), "variable": variable_json(m.key)}
    if m.id is not None:
        out["id"] = m.id
    if m.transaction is not None:
        out["transaction"] = m.transaction
    return out


def _overall(statuses: list[str]) -> str:
    """Accepted when every item was, Rejected when none was, Partial otherwise."""
    accepted = sum(s == "Accepted" for s in statuses)
    if accepted == len(statuses):
        return "Accepted"
    return "Rejected" if accepted == 0 else "Partial"


def _set_variable_monitoring(c: SetVariableMonitoring, now: datetime) -> Call:
    return Call("SetVariableMonitoring", {"setMonitoringData": [_monitor_wire(m)
                                                                for m in c.monitors]})


def _monitors_set(reply: dict[str, Any], call: Call, c: SetVariableMonitoring) -> MonitorsSet:
    results = []
    for r in reply["setMonitoringResult"]:
        key = var_key(r["component"], r["variable"])
        results.append(MonitorOutcome(
            key.component, key.component_instance, key.evse_id, key.connector_id,
            key.variable or None, key.variable_instance, r.get("id"), r["status"], r["type"],
            r["severity"], _reason(r)))
    return MonitorsSet(_overall([r.status for r in results]), results)


def _monitors_cleared(reply: dict[str, Any], call: Call,
                      c: ClearVariableMonitoring) -> MonitorsCleared:
    results = [MonitorCleared(r["id"], r["status"]) for r in reply["clearMonitoringResult"]]
    return MonitorsCleared(_overall([r.status for r in results]), results)


def _get_monitoring_report(c: GetMonitoringReport, now: datetime) -> Call:
    payload: dict[str, Any] = {"requestId": _request_id(c)}
    if c.criteria:
        payload["monitoringCriteria"] = list(c.criteria)
    if c.component_variables:
        payload["componentVariable"] = [_component_variable(v) for v in c.component_variables]
    return Call("GetMonitoringReport", payload)


# --- network profile (B09) ----------------------------------------------------------------

def _set_network_profile(c: SetNetworkProfile, now: datetime) -> Call:
    p = c.profile
    data: dict[str, Any] = {"ocppVersion": p.ocpp_version, "ocppTransport": p.ocpp_transport,
                            "ocppCsmsUrl": p.csms_url, "messageTimeout": p.message_timeout_s,
                            "securityProfile": p.security_profile,
                            "ocppInterface": p.ocpp_interface}
    if p.vpn is not None:
        data["vpn"] = p.vpn
    if p.apn is not None:
        data["apn"] = p.apn
    return Call("SetNetworkProfile", {"configurationSlot": c.configuration_slot,
                                      "connectionData": data})


# --- display messages (O01 to O06) --------------------------------------------------------

def _message_info(c: SetDisplayMessage) -> dict[str, Any]:
    text: dict[str, Any] = {"format": c.message.format or "UTF8", "content": c.message.content}
    if c.message.language is not None:
        text["language"] = c.message.language
    info: dict[str, Any] = {"id": c.id, "priority": c.priority, "message": text}
    if c.state is not None:
        info["state"] = c.state
    if c.transaction_id is not None:
        info["transactionId"] = c.transaction_id
    if c.start_at is not None:
        info["startDateTime"] = format_utc(c.start_at)
    if c.end_at is not None:
        info["endDateTime"] = format_utc(c.end_at)
    if c.evse_id is not None:
        info["display"] = {"name": "Display", "evse": {"id": c.evse_id}}
    return info


def _set_display_message(c: SetDisplayMessage, now: datetime) -> Call:
    if c.id is None:
        raise InvalidInput("missing argument 'id'")
    return Call("SetDisplayMessage", {"message": _message_info(c)})


def _display_message_set(reply: dict[str, Any], call: Call,
                         c: SetDisplayMessage) -> DisplayMessageSet:
    return DisplayMessageSet(str(reply["status"]), call.payload["message"]["id"],
                             _reason(reply))


def _get_display_messages(c: GetDisplayMessages, now: datetime) -> Call:
    payload: dict[str, Any] = {"requestId": _request_id(c)}
    if c.ids:
        payload["id"] = list(c.ids)
    if c.priority is not None:
        payload["priority"] = c.priority
    if c.state is not None:
        payload["state"] = c.state
    return Call("GetDisplayMessages", payload)


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
    GetBaseReport: Exchange(_get_base_report, _accepted),
    GetReport: Exchange(_get_report, _accepted),
    SetVariableMonitoring: Exchange(_set_variable_monitoring, _monitors_set),
    ClearVariableMonitoring: Exchange(
        lambda c, now: Call("ClearVariableMonitoring", {"id": list(c.ids)}), _monitors_cleared),
    GetMonitoringReport: Exchange(_get_monitoring_report, _accepted),
    SetMonitoringBase: Exchange(
        lambda c, now: Call("SetMonitoringBase", {"monitoringBase": c.base}), _status_result),
    SetMonitoringLevel: Exchange(
        lambda c, now: Call("SetMonitoringLevel", {"severity": c.severity}), _status_result),
    SetNetworkProfile: Exchange(_set_network_profile, _status_result),
    SetDisplayMessage: Exchange(_set_display_message, _display_message_set),
    GetDisplayMessages: Exchange(_get_display_messages, _accepted),
    ClearDisplayMessage: Exchange(
        lambda c, now: Call("ClearDisplayMessage", {"id": c.id}), _status_result),
    GetTransactionStatus: Exchange(_transaction_status, _transaction_status_result),
    CustomerInformation: Exchange(_customer_information, _customer_information_result),
}
