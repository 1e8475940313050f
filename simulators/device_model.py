"""A small OCPP 2.0.1 device model (GetVariables, SetVariables, reports).

Only the variables a CSMS commonly reads or writes; values are strings as on
the wire.  ``on_change`` lets the station apply a write (heartbeat interval,
sample interval...).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from simulators.metering import DEFAULT_MEASURANDS, parse_measurands

RW, RO, WO = "ReadWrite", "ReadOnly", "WriteOnly"


@dataclass
class Variable:
    """One component/variable pair with its Actual attribute."""

    component: str
    name: str
    value: str
    mutability: str = RW
    data_type: str = "string"  # string | integer | decimal | boolean | MemberList | ...
    evse: int | None = None
    connector: int | None = None
    instance: str | None = None  # variable instance
    getter: Callable[[], str] | None = None  # dynamic read-only values
    reboot: bool = False  # a write is answered RebootRequired (it applies after a reboot)

    def actual(self) -> str:
        return self.getter() if self.getter else self.value

    def component_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.component}
        if self.evse is not None:
            out["evse"] = {"id": self.evse}
            if self.connector is not None:
                out["evse"]["connectorId"] = self.connector
        return out

    def variable_json(self) -> dict[str, Any]:
        return {"name": self.name} | ({"instance": self.instance} if self.instance else {})


def _valid(var: Variable, value: str) -> bool:
    if var.data_type == "integer":
        return value.strip().lstrip("-").isdigit()
    if var.data_type == "decimal":
        try:
            float(value)
        except ValueError:
            return False
        return True
    if var.data_type == "boolean":
        return value.lower() in ("true", "false")
    if var.name.endswith("Measurands"):
        return parse_measurands(value) is not None
    return len(value) <= 1000


class DeviceModel:
    """Lookup, read, write and report of the variables."""

    def __init__(self, variables: Iterable[Variable],
                 on_change: Callable[[Variable], None]) -> None:
        self.variables = list(variables)
        self._on_change = on_change

    def find(self, component: dict[str, Any], variable: dict[str, Any]) -> Variable | str:
        """The variable, or the status UnknownComponent / UnknownVariable."""
        evse = component.get("evse") or {}
        comps = [v for v in self.variables if v.component == component["name"]
                 and v.evse == evse.get("id") and v.connector == evse.get("connectorId")]
        if not comps or component.get("instance"):
            return "UnknownComponent"
        for v in comps:
            if v.name == variable["name"] and v.instance == variable.get("instance"):
                return v
        return "UnknownVariable"

    def lookup(self, component: str, name: str, instance: str | None = None) -> Variable:
        for v in self.variables:
            if (v.component, v.name, v.instance, v.evse) == (component, name, instance, None):
                return v
        raise KeyError(f"{component}.{name}")

    def value(self, component: str, name: str) -> str:
        return self.lookup(component, name).actual()

    def flag(self, component: str, name: str) -> bool:
        return self.value(component, name).lower() == "true"

    def get(self, item: dict[str, Any]) -> dict[str, Any]:
        """One getVariableResult."""
        out = {"component": item["component"], "variable": item["variable"]}
        if "attributeType" in item:
            out["attributeType"] = item["attributeType"]
        found = self.find(item["component"], item["variable"])
        if isinstance(found, str):
            return out | {"attributeStatus": found}
        if item.get("attributeType", "Actual") != "Actual":
            return out | {"attributeStatus": "NotSupportedAttributeType"}
        if found.mutability == WO:
            return out | {"attributeStatus": "Rejected"}
        return out | {"attributeStatus": "Accepted", "attributeValue": found.actual()[:2500]}

    def set(self, item: dict[str, Any]) -> dict[str, Any]:
        """One setVariableResult (applies the value when Accepted)."""
        out = {"component": item["component"], "variable": item["variable"]}
        if "attributeType" in item:
            out["attributeType"] = item["attributeType"]
        found = self.find(item["component"], item["variable"])
        if isinstance(found, str):
            return out | {"attributeStatus": found}
        if item.get("attributeType", "Actual") != "Actual":
            return out | {"attributeStatus": "NotSupportedAttributeType"}
        value = str(item["attributeValue"])
        if found.mutability == RO or not _valid(found, value):
            return out | {"attributeStatus": "Rejected"}
        found.value = value.lower() if found.data_type == "boolean" else value
        self._on_change(found)
        return out | {"attributeStatus": "RebootRequired" if found.reboot else "Accepted"}

    def report(self, variables: Iterable[Variable]) -> list[dict[str, Any]]:
        """reportData entries for NotifyReport."""
        out = []
        for v in variables:
            attribute: dict[str, Any] = {"type": "Actual", "mutability": v.mutability}
            if v.mutability != WO:
                attribute["value"] = v.actual()[:2500]
            out.append({"component": v.component_json(), "variable": v.variable_json(),
                        "variableAttribute": [attribute],
                        "variableCharacteristics": {"dataType": v.data_type,
                                                    "supportsMonitoring": False}})
        return out


def default_variables(*, model: str, vendor: str, station_id: str, meter_interval_s: float,
                      evses: int, connectors: int, max_power_w: float, secure: bool,
                      now: Callable[[], str], availability: Callable[[int, int], str]
                      ) -> list[Variable]:
    """The simulator's device model."""
    def v(comp: str, name: str, value: str, mut: str = RW, dtype: str = "string",
          instance: str | None = None) -> Variable:
        return Variable(comp, name, value, mut, dtype, instance=instance)
    measurands = ",".join(DEFAULT_MEASURANDS)
    out = [
        v("ChargingStation", "Model", model, RO), v("ChargingStation", "VendorName", vendor, RO),
        v("ChargingStation", "Available", "true", RO, "boolean"),
        v("ChargingStation", "SupplyPhases", "3", RO, "integer"),
        v("OCPPCommCtrlr", "HeartbeatInterval", "300", dtype="integer"),
        v("OCPPCommCtrlr", "NetworkConfigurationPriority", "0", dtype="SequenceList"),
        v("OCPPCommCtrlr", "NetworkProfileConnectionAttempts", "3", dtype="integer"),
        v("OCPPCommCtrlr", "OfflineThreshold", "60", dtype="integer"),
        v("OCPPCommCtrlr", "ResetRetries", "2", dtype="integer"),
        v("OCPPCommCtrlr", "MessageAttempts", "3", dtype="integer", instance="TransactionEvent"),
        v("OCPPCommCtrlr", "MessageAttemptInterval", "60", dtype="integer",
          instance="TransactionEvent"),
        v("OCPPCommCtrlr", "WebSocketPingInterval", "0", dtype="integer"),
        v("OCPPCommCtrlr", "FileTransferProtocols", "HTTPS,FTP", RO, "MemberList"),
        v("SampledDataCtrlr", "Enabled", "true", dtype="boolean"),
        v("SampledDataCtrlr", "TxUpdatedInterval", str(int(meter_interval_s)), dtype="integer"),
        v("SampledDataCtrlr", "TxUpdatedMeasurands", measurands, dtype="MemberList"),
        v("SampledDataCtrlr", "TxStartedMeasurands", DEFAULT_MEASURANDS[0], dtype="MemberList"),
        v("SampledDataCtrlr", "TxEndedMeasurands", DEFAULT_MEASURANDS[0], dtype="MemberList"),
        v("SampledDataCtrlr", "TxEndedInterval", "0", dtype="integer"),
        # enabled, but silent until the CSMS sets an Interval
        v("AlignedDataCtrlr", "Enabled", "true", dtype="boolean"),
        v("AlignedDataCtrlr", "Interval", "0", dtype="integer"),
        v("AlignedDataCtrlr", "Measurands", DEFAULT_MEASURANDS[0], dtype="MemberList"),
        v("AuthCtrlr", "Enabled", "true", dtype="boolean"),
        v("AuthCtrlr", "AuthorizeRemoteStart", "true", dtype="boolean"),
        v("AuthCtrlr", "LocalAuthorizeOffline", "true", dtype="boolean"),
        v("AuthCtrlr", "LocalPreAuthorize", "false", dtype="boolean"),
        v("AuthCacheCtrlr", "Enabled", "true", dtype="boolean"),
        v("LocalAuthListCtrlr", "Enabled", "true", dtype="boolean"),
        v("LocalAuthListCtrlr", "ItemsPerMessage", "100", RO, "integer"),
        v("LocalAuthListCtrlr", "BytesPerMessage", "10000", RO, "integer"),
        v("SmartChargingCtrlr", "Enabled", "true", dtype="boolean"),
        v("SmartChargingCtrlr", "RateUnit", "A,W", RO, "MemberList"),
        v("SmartChargingCtrlr", "PeriodsPerSchedule", "24", RO, "integer"),
        v("SmartChargingCtrlr", "ProfileStackLevel", "10", RO, "integer"),
        v("SmartChargingCtrlr", "LimitChangeSignificance", "1.0", dtype="decimal"),
        v("TxCtrlr", "EVConnectionTimeOut", "60", dtype="integer"),
        v("TxCtrlr", "StopTxOnEVSideDisconnect", "true", RO, "boolean"),
        v("TxCtrlr", "StopTxOnInvalidId", "true", dtype="boolean"),
        v("TxCtrlr", "TxStartPoint", "Authorized", dtype="MemberList"),
        v("TxCtrlr", "TxStopPoint", "Authorized,EVConnected", dtype="MemberList"),
        v("ReservationCtrlr", "Enabled", "true", dtype="boolean"),
        v("DeviceDataCtrlr", "ItemsPerMessage", "50", RO, "integer", instance="GetReport"),
        v("DeviceDataCtrlr", "ItemsPerMessage", "50", RO, "integer", instance="GetVariables"),
        v("DeviceDataCtrlr", "ItemsPerMessage", "50", RO, "integer", instance="SetVariables"),
        v("DeviceDataCtrlr", "BytesPerMessage", "65000", RO, "integer", instance="GetReport"),
        v("ClockCtrlr", "TimeSource", "Heartbeat", dtype="SequenceList"),
        v("SecurityCtrlr", "Identity", station_id, RO),
        v("SecurityCtrlr", "SecurityProfile", "1" if secure else "0", RO, "integer"),
        v("SecurityCtrlr", "BasicAuthPassword", "", WO),
        v("SecurityCtrlr", "OrganizationName", "csms-sim"),
    ]
    # the network connection order is read at boot: a change needs a reboot (B09)
    for var in out:
        var.reboot = (var.component, var.name) == ("OCPPCommCtrlr", "NetworkConfigurationPriority")
    out.append(Variable("ClockCtrlr", "DateTime", "", RO, "dateTime", getter=now))
    for e in range(1, evses + 1):
        out.append(Variable("EVSE", "AvailabilityState", "", RO, "OptionList", evse=e,
                            getter=partial(availability, e, 1)))
        out.append(Variable("EVSE", "Power", str(max_power_w), RO, "decimal", evse=e))
        for c in range(1, connectors + 1):
            out.append(Variable("Connector", "AvailabilityState", "", RO, "OptionList", evse=e,
                                connector=c,
                                getter=partial(availability, e, c)))
            out.append(Variable("Connector", "ConnectorType", "cType2", RO, evse=e, connector=c))
    return out
