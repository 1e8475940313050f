"""What csms knows of a station's device model (2.0.1) or configuration keys (1.6).

A 1.6 configuration key is a variable without a component (component ""): one inventory,
browsable the same way for both versions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# Report requests: the base reports of 2.0.1, plus csms's own kinds.
BASE_REPORTS = ("ConfigurationInventory", "FullInventory", "SummaryInventory")
CUSTOM, MONITORING, DISPLAY, UNSOLICITED = "Custom", "Monitoring", "DisplayMessages", "Unsolicited"
COMPLETE = "Complete"


@dataclass(frozen=True, slots=True)
class VarKey:
    """A component/variable pair; optional parts are None."""

    component: str
    variable: str
    component_instance: str | None = None
    evse_id: int | None = None
    connector_id: int | None = None
    variable_instance: str | None = None

    @property
    def label(self) -> str:
        """`Component.Variable` as the configuration commands name it; a 1.6 key as is."""
        return f"{self.component}.{self.variable}" if self.component else self.variable


@dataclass(frozen=True, slots=True)
class Attribute:
    type: str = "Actual"
    value: str | None = None
    mutability: str | None = None
    persistent: bool | None = None
    constant: bool | None = None


@dataclass(frozen=True, slots=True)
class Characteristics:
    data_type: str | None = None
    unit: str | None = None
    min_limit: str | None = None
    max_limit: str | None = None
    values_list: str | None = None
    supports_monitoring: bool | None = None


@dataclass(frozen=True, slots=True)
class Variable:
    key: VarKey
    attributes: tuple[Attribute, ...]
    characteristics: Characteristics | None = None
    source: str = "report"  # report | configuration | variables
    request_id: int | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Monitor:
    id: int
    key: VarKey
    type: str
    value: str
    severity: int
    transaction: bool = False
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class DeviceEvent:
    key: VarKey
    event_id: int
    timestamp: datetime
    trigger: str
    actual_value: str
    notification_type: str
    cause: int | None = None
    tech_code: str | None = None
    tech_info: str | None = None
    cleared: bool | None = None
    transaction_id: str | None = None
    variable_monitoring_id: int | None = None
    received_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class DisplayMessage:
    id: int
    priority: str
    content: str
    format: str = "UTF8"
    language: str | None = None
    state: str | None = None
    start_at: datetime | None = None
    end_at: datetime | None = None
    transaction_id: str | None = None
    evse_id: int | None = None
    source: str = "set"  # set (by csms) | reported (by the station)
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class DeviceRequest:
    """A request whose answer comes in notifications (NotifyReport, ...), in parts."""

    station_id: str
    request_id: int
    kind: str
    full: bool
    status: str
    parts: int
    requested_at: datetime
    completed_at: datetime | None = None
