"""Commands of the device model (2.0.1): reports, monitoring, network profile, display
messages. A 1.6 station refuses them (422 saying what 1.6 offers instead).

Requests answered in parts (reports, monitoring reports, display messages) carry the request
id the parts will name; csms records the request before it is sent
(csms.services.devices.device_model).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from csms.domain.commands.base import Command, Result, StatusResult, omitted_when_none
from csms.domain.device import VarKey


@dataclass(frozen=True, slots=True)
class ComponentVariable:
    """A component, and optionally one of its variables, in the API's flat form."""

    component: str
    component_instance: str | None = None
    evse_id: int | None = None
    connector_id: int | None = None
    variable: str | None = None
    variable_instance: str | None = None

    @property
    def key(self) -> VarKey:
        return VarKey(self.component, self.variable or "", self.component_instance,
                      self.evse_id, self.connector_id, self.variable_instance)


@dataclass(frozen=True, slots=True)
class RequestAccepted(Result):
    """The answer to a request whose content follows in notifications naming `request_id`."""

    request_id: int
    reason: str | None = omitted_when_none()


@dataclass(frozen=True)
class GetBaseReport(Command[RequestAccepted]):
    name = "get-base-report"
    result = RequestAccepted
    report_base: str  # ConfigurationInventory, FullInventory, SummaryInventory
    request_id: int | None = None


@dataclass(frozen=True)
class GetReport(Command[RequestAccepted]):
    name = "get-report"
    result = RequestAccepted
    request_id: int | None = None
    component_criteria: list[str] | None = None
    component_variables: list[ComponentVariable] | None = None


@dataclass(frozen=True, slots=True)
class MonitorSpec:
    component: str
    variable: str
    type: str  # UpperThreshold, LowerThreshold, Delta, Periodic, PeriodicClockAligned
    value: float
    severity: int
    component_instance: str | None = None
    evse_id: int | None = None
    connector_id: int | None = None
    variable_instance: str | None = None
    id: int | None = None  # an existing monitor's id replaces it
    transaction: bool | None = None

    @property
    def key(self) -> VarKey:
        return VarKey(self.component, self.variable, self.component_instance, self.evse_id,
                      self.connector_id, self.variable_instance)


@dataclass(frozen=True, slots=True)
class MonitorOutcome:
    component: str
    component_instance: str | None
    evse_id: int | None
    connector_id: int | None
    variable: str | None
    variable_instance: str | None
    id: int | None
    status: str
    type: str
    severity: int
    reason: str | None = omitted_when_none()

    @property
    def key(self) -> VarKey:
        return VarKey(self.component, self.variable or "", self.component_instance,
                      self.evse_id, self.connector_id, self.variable_instance)


@dataclass(frozen=True, slots=True)
class MonitorsSet(Result):
    results: list[MonitorOutcome]  # status: Accepted, Rejected (none was) or Partial


@dataclass(frozen=True)
class SetVariableMonitoring(Command[MonitorsSet]):
    name = "set-variable-monitoring"
    result = MonitorsSet
    monitors: list[MonitorSpec]


@dataclass(frozen=True, slots=True)
class MonitorCleared:
    id: int
    status: str


@dataclass(frozen=True, slots=True)
class MonitorsCleared(Result):
    results: list[MonitorCleared]


@dataclass(frozen=True)
class ClearVariableMonitoring(Command[MonitorsCleared]):
    name = "clear-variable-monitoring"
    result = MonitorsCleared
    ids: list[int]


@dataclass(frozen=True)
class GetMonitoringReport(Command[RequestAccepted]):
    name = "get-monitoring-report"
    result = RequestAccepted
    request_id: int | None = None
    criteria: list[str] | None = None
    component_variables: list[ComponentVariable] | None = None


@dataclass(frozen=True)
class SetMonitoringBase(Command[StatusResult]):
    name = "set-monitoring-base"
    result = StatusResult
    base: str  # All, FactoryDefault, HardWiredOnly


@dataclass(frozen=True)
class SetMonitoringLevel(Command[StatusResult]):
    name = "set-monitoring-level"
    result = StatusResult
    severity: int


@dataclass(frozen=True, slots=True)
class NetworkProfile:
    """vpn and apn are the station's own VPNType / APNType JSON, passed through."""

    csms_url: str
    security_profile: int
    ocpp_interface: str
    ocpp_version: str = "OCPP20"
    ocpp_transport: str = "JSON"
    message_timeout_s: int = 30
    vpn: dict[str, Any] | None = None
    apn: dict[str, Any] | None = None


@dataclass(frozen=True)
class SetNetworkProfile(Command[StatusResult]):
    name = "set-network-profile"
    result = StatusResult
    configuration_slot: int
    profile: NetworkProfile


@dataclass(frozen=True, slots=True)
class MessageContent:
    content: str
    format: str = "UTF8"
    language: str | None = None


@dataclass(frozen=True, slots=True)
class DisplayMessageSet(Result):
    id: int
    reason: str | None = omitted_when_none()


@dataclass(frozen=True)
class SetDisplayMessage(Command[DisplayMessageSet]):
    name = "set-display-message"
    result = DisplayMessageSet
    priority: str  # AlwaysFront, InFront, NormalCycle
    message: MessageContent
    id: int | None = None  # default: one above the highest stored; the same id replaces
    state: str | None = None
    start_at: datetime | None = None
    end_at: datetime | None = None
    transaction_id: str | None = None
    evse_id: int | None = None  # the display of this EVSE


@dataclass(frozen=True)
class GetDisplayMessages(Command[RequestAccepted]):
    name = "get-display-messages"
    result = RequestAccepted
    ids: list[int] | None = None
    priority: str | None = None
    state: str | None = None
    request_id: int | None = None


@dataclass(frozen=True)
class ClearDisplayMessage(Command[StatusResult]):
    name = "clear-display-message"
    result = StatusResult
    id: int
