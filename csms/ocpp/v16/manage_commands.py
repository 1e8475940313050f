"""OCPP 1.6 side of the device model, trigger and display commands;
merged into csms.ocpp.v16.commands.EXCHANGES.

1.6 has configuration keys, not a device model: what only 2.0.1 can do is refused with a
422 that says what 1.6 offers instead.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from csms.domain.commands import StatusResult
from csms.domain.commands.device import (
    ClearDisplayMessage,
    ClearVariableMonitoring,
    GetBaseReport,
    GetDisplayMessages,
    GetMonitoringReport,
    GetReport,
    SetDisplayMessage,
    SetMonitoringBase,
    SetMonitoringLevel,
    SetNetworkProfile,
    SetVariableMonitoring,
)
from csms.domain.commands.station import CustomerInformation, GetTransactionStatus, TriggerMessage
from csms.domain.errors import InvalidInput
from csms.ocpp.exchange import Call, Exchange, Table

# TriggerMessage (1.6 §6.51 MessageTrigger) and ExtendedTriggerMessage (security extension).
TRIGGERS = ("BootNotification", "DiagnosticsStatusNotification", "FirmwareStatusNotification",
            "Heartbeat", "MeterValues", "StatusNotification")
EXTENDED_ONLY = ("LogStatusNotification", "SignChargePointCertificate")
_ALIASES = {"SignChargingStationCertificate": "SignChargePointCertificate"}


def _trigger(c: TriggerMessage, now: datetime) -> Call:
    """TriggerMessage for the core messages; ExtendedTriggerMessage for those only the
    security extension knows (its other values are the core ones, which TriggerMessage does
    on every 1.6 station)."""
    message = _ALIASES.get(c.message, c.message)
    if message not in TRIGGERS + EXTENDED_ONLY:
        raise InvalidInput(f"OCPP 1.6 cannot trigger {c.message!r}; "
                           f"allowed: {', '.join(TRIGGERS + EXTENDED_ONLY)}")
    action = "ExtendedTriggerMessage" if message in EXTENDED_ONLY else "TriggerMessage"
    payload: dict[str, Any] = {"requestedMessage": message}
    connector = c.evse_id if c.evse_id is not None else c.connector_id
    if connector is not None:
        payload["connectorId"] = connector
    return Call(action, payload)


def _status(reply: dict[str, Any], call: Call, c: Any) -> StatusResult:
    return StatusResult(str(reply["status"]))


def _refusal(why: str) -> Callable[[Any, datetime], Call]:
    def refuse(c: Any, now: datetime) -> Call:
        raise InvalidInput(why)

    return refuse


_NO_DEVICE_MODEL = ("OCPP 1.6 has no device model reports: use get-configuration (its keys "
                    "are stored and listed at /stations/{id}/variables)")
_NO_MONITORING = "OCPP 1.6 has no variable monitoring (a 2.0.1 feature)"
_NO_DISPLAY = "OCPP 1.6 has no display messages: they are OCPP 2.0.1 (block O)"


EXCHANGES: Table = {
    TriggerMessage: Exchange(_trigger, _status),
    GetBaseReport: Exchange(_refusal(_NO_DEVICE_MODEL), _status),
    GetReport: Exchange(_refusal(_NO_DEVICE_MODEL), _status),
    SetVariableMonitoring: Exchange(_refusal(_NO_MONITORING), _status),
    ClearVariableMonitoring: Exchange(_refusal(_NO_MONITORING), _status),
    GetMonitoringReport: Exchange(_refusal(_NO_MONITORING), _status),
    SetMonitoringBase: Exchange(_refusal(_NO_MONITORING), _status),
    SetMonitoringLevel: Exchange(_refusal(_NO_MONITORING), _status),
    SetNetworkProfile: Exchange(_refusal(
        "OCPP 1.6 has no SetNetworkProfile: a 1.6 station's CSMS URL is set locally or "
        "through a vendor configuration key (set-configuration)"), _status),
    SetDisplayMessage: Exchange(_refusal(_NO_DISPLAY), _status),
    GetDisplayMessages: Exchange(_refusal(_NO_DISPLAY), _status),
    ClearDisplayMessage: Exchange(_refusal(_NO_DISPLAY), _status),
    GetTransactionStatus: Exchange(_refusal(
        "OCPP 1.6 has no GetTransactionStatus: its queued transaction messages arrive on "
        "reconnect"), _status),
    CustomerInformation: Exchange(_refusal(
        "OCPP 1.6 has no CustomerInformation (an OCPP 2.0.1 block N feature)"), _status),
}
