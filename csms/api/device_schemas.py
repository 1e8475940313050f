"""Bodies of the device model, monitoring, network profile and display message commands,
and the shapes of their API listings (bodies paired with commands in command_bodies)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from csms.api.schemas import Strict, UtcDateTime

RequestId = Field(None, ge=0, le=2**31 - 1,
                  description="default: a fresh one, returned; notifications refer to it")
Name50 = Field(min_length=1, max_length=50)


class ComponentVariable(Strict):
    """A component, and optionally one of its variables (2.0.1 ComponentVariableType)."""

    component: str = Name50
    component_instance: str | None = Field(None, min_length=1, max_length=50)
    evse_id: int | None = Field(None, ge=1)
    connector_id: int | None = Field(None, ge=1, description="needs evse_id")
    variable: str | None = Field(None, min_length=1, max_length=50)
    variable_instance: str | None = Field(None, min_length=1, max_length=50,
                                          description="needs variable")

    @model_validator(mode="after")
    def _parts(self) -> ComponentVariable:
        if self.connector_id is not None and self.evse_id is None:
            raise ValueError("connector_id needs evse_id")
        if self.variable_instance is not None and self.variable is None:
            raise ValueError("variable_instance needs variable")
        return self


class GetBaseReport(Strict):
    report_base: Literal["ConfigurationInventory", "FullInventory", "SummaryInventory"]
    request_id: int | None = RequestId


class GetReport(Strict):
    request_id: int | None = RequestId
    component_criteria: list[Literal["Active", "Available", "Enabled", "Problem"]] | None = (
        Field(None, min_length=1, max_length=4))
    component_variables: list[ComponentVariable] | None = Field(None, min_length=1,
                                                                max_length=1000)


class MonitorIn(ComponentVariable):
    variable: str = Name50  # type: ignore[assignment]
    id: int | None = Field(None, ge=0, description="an existing monitor's id replaces it")
    type: Literal["UpperThreshold", "LowerThreshold", "Delta", "Periodic",
                  "PeriodicClockAligned"]
    value: float = Field(ge=-1e12, le=1e12)
    severity: int = Field(ge=0, le=9)
    transaction: bool | None = None


class SetVariableMonitoring(Strict):
    monitors: list[MonitorIn] = Field(min_length=1, max_length=1000)


class ClearVariableMonitoring(Strict):
    ids: list[int] = Field(min_length=1, max_length=1000)

    @model_validator(mode="after")
    def _ids(self) -> ClearVariableMonitoring:
        if any(i < 0 for i in self.ids):
            raise ValueError("monitor ids are >= 0")
        return self


class GetMonitoringReport(Strict):
    request_id: int | None = RequestId
    criteria: list[Literal["ThresholdMonitoring", "DeltaMonitoring",
                           "PeriodicMonitoring"]] | None = Field(None, min_length=1,
                                                                 max_length=3)
    component_variables: list[ComponentVariable] | None = Field(None, min_length=1,
                                                                max_length=1000)


class SetMonitoringBase(Strict):
    base: Literal["All", "FactoryDefault", "HardWiredOnly"]


class SetMonitoringLevel(Strict):
    severity: int = Field(ge=0, le=9, description="monitors up to this severity report")


class NetworkProfile(Strict):
    """2.0.1 NetworkConnectionProfileType; vpn and apn are passed through as the station's
    own VPNType / APNType JSON."""

    csms_url: str = Field(min_length=1, max_length=512, pattern=r"^wss?://\S+$")
    security_profile: int = Field(ge=0, le=3)
    ocpp_interface: Literal["Wired0", "Wired1", "Wired2", "Wired3", "Wireless0", "Wireless1",
                            "Wireless2", "Wireless3"]
    ocpp_version: Literal["OCPP12", "OCPP15", "OCPP16", "OCPP20"] = "OCPP20"
    ocpp_transport: Literal["JSON", "SOAP"] = "JSON"
    message_timeout_s: int = Field(30, ge=1, le=3600)
    vpn: dict[str, Any] | None = None
    apn: dict[str, Any] | None = None


class SetNetworkProfile(Strict):
    configuration_slot: int = Field(ge=0, le=2**31 - 1)
    profile: NetworkProfile


class MessageContent(Strict):
    content: str = Field(min_length=1, max_length=512)
    format: Literal["ASCII", "HTML", "URI", "UTF8"] = "UTF8"
    language: str | None = Field(None, min_length=1, max_length=8)


Priority = Literal["AlwaysFront", "InFront", "NormalCycle"]
MessageState = Literal["Charging", "Faulted", "Idle", "Unavailable"]


class SetDisplayMessage(Strict):
    id: int | None = Field(None, ge=0, le=2**31 - 1,
                           description="default: one above the highest stored; the same id "
                                       "replaces a message")
    priority: Priority
    message: MessageContent
    state: MessageState | None = None
    start_at: UtcDateTime | None = None
    end_at: UtcDateTime | None = None
    transaction_id: str | None = Field(None, min_length=1, max_length=36)
    evse_id: int | None = Field(None, ge=1, description="the display of this EVSE")

    @model_validator(mode="after")
    def _window(self) -> SetDisplayMessage:
        if self.start_at and self.end_at and self.end_at <= self.start_at:
            raise ValueError("end_at must be after start_at")
        return self


class GetDisplayMessages(Strict):
    ids: list[int] | None = Field(None, min_length=1, max_length=1000)
    priority: Priority | None = None
    state: MessageState | None = None
    request_id: int | None = RequestId


class ClearDisplayMessage(Strict):
    id: int = Field(ge=0, le=2**31 - 1)




# --- listings ------------------------------------------------------------------------------

class ComponentOut(BaseModel):
    name: str
    instance: str | None
    evse_id: int | None
    connector_id: int | None


class AttributeOut(BaseModel):
    type: str
    value: str | None
    mutability: str | None
    persistent: bool | None
    constant: bool | None


class CharacteristicsOut(BaseModel):
    data_type: str | None
    unit: str | None
    min_limit: str | None
    max_limit: str | None
    values_list: str | None
    supports_monitoring: bool | None


class VariableOut(BaseModel):
    key: str = Field(description="Component.Variable (2.0.1) or the 1.6 configuration key, "
                                 "as get-configuration / set-configuration name it")
    component: ComponentOut | None = Field(description="null for a 1.6 configuration key")
    variable: str
    variable_instance: str | None
    value: str | None = Field(description="the Actual attribute's value")
    readonly: bool | None
    attributes: list[AttributeOut]
    characteristics: CharacteristicsOut | None
    source: str = Field(description="report (NotifyReport), configuration (1.6 "
                                    "GetConfiguration / ChangeConfiguration), variables "
                                    "(2.0.1 GetVariables / SetVariables)")
    request_id: int | None
    updated_at: datetime | None


class DeviceRequestOut(BaseModel):
    request_id: int
    kind: str
    status: str
    parts: int
    requested_at: datetime
    completed_at: datetime | None


class MonitorOut(BaseModel):
    id: int
    component: ComponentOut
    variable: str
    variable_instance: str | None
    type: str
    value: str
    severity: int
    transaction: bool
    updated_at: datetime | None


class DeviceEventOut(BaseModel):
    event_id: int
    timestamp: datetime
    trigger: str
    actual_value: str
    notification_type: str
    cause: int | None
    tech_code: str | None
    tech_info: str | None
    cleared: bool | None
    transaction_id: str | None
    variable_monitoring_id: int | None
    component: ComponentOut
    variable: str
    variable_instance: str | None
    received_at: datetime | None


class DisplayMessageOut(BaseModel):
    id: int
    priority: str
    state: str | None
    message: dict[str, Any] = Field(description="{content, format, language}")
    start_at: datetime | None
    end_at: datetime | None
    transaction_id: str | None
    evse_id: int | None
    source: str = Field(description="set (by csms) or reported (by the station)")
    updated_at: datetime | None
