"""A station's device model: variables (2.0.1 inventory or 1.6 configuration keys), report
requests, monitors and events, as csms last heard them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from csms.api.deps import DeviceModel
from csms.api.device_schemas import (
    AttributeOut,
    CharacteristicsOut,
    ComponentOut,
    DeviceEventOut,
    DeviceRequestOut,
    MonitorOut,
    VariableOut,
)
from csms.domain.device import DeviceEvent, Monitor, Variable, VarKey

router = APIRouter(tags=["device model"])

Name = Annotated[str | None, Query(min_length=1, max_length=50)]
Limit = Annotated[int, Query(ge=1, le=5000)]
Offset = Annotated[int, Query(ge=0)]


def component_out(key: VarKey) -> ComponentOut:
    return ComponentOut(name=key.component, instance=key.component_instance,
                        evse_id=key.evse_id, connector_id=key.connector_id)


def variable_out(v: Variable) -> VariableOut:
    actual = next((a for a in v.attributes if a.type == "Actual"), None)
    readonly = None if actual is None or actual.mutability is None else (
        actual.mutability == "ReadOnly")
    chars = v.characteristics
    return VariableOut(
        key=v.key.label, component=component_out(v.key) if v.key.component else None,
        variable=v.key.variable, variable_instance=v.key.variable_instance,
        value=actual.value if actual else None, readonly=readonly,
        attributes=[AttributeOut(type=a.type, value=a.value, mutability=a.mutability,
                                 persistent=a.persistent, constant=a.constant)
                    for a in v.attributes],
        characteristics=None if chars is None else CharacteristicsOut(
            data_type=chars.data_type, unit=chars.unit, min_limit=chars.min_limit,
            max_limit=chars.max_limit, values_list=chars.values_list,
            supports_monitoring=chars.supports_monitoring),
        source=v.source, request_id=v.request_id, updated_at=v.updated_at)


def monitor_out(m: Monitor) -> MonitorOut:
    return MonitorOut(id=m.id, component=component_out(m.key), variable=m.key.variable,
                      variable_instance=m.key.variable_instance, type=m.type, value=m.value,
                      severity=m.severity, transaction=m.transaction, updated_at=m.updated_at)


def event_out(e: DeviceEvent) -> DeviceEventOut:
    return DeviceEventOut(
        event_id=e.event_id, timestamp=e.timestamp, trigger=e.trigger,
        actual_value=e.actual_value, notification_type=e.notification_type, cause=e.cause,
        tech_code=e.tech_code, tech_info=e.tech_info, cleared=e.cleared,
        transaction_id=e.transaction_id, variable_monitoring_id=e.variable_monitoring_id,
        component=component_out(e.key), variable=e.key.variable,
        variable_instance=e.key.variable_instance, received_at=e.received_at)


@router.get("/stations/{station_id}/variables")
async def station_variables(
    station_id: str, device_model: DeviceModel, component: Name = None, variable: Name = None,
    limit: Limit = 1000, offset: Offset = 0,
) -> list[VariableOut]:
    """2.0.1: the component/variable inventory (NotifyReport, Get/SetVariables); 1.6: the
    configuration keys (GetConfiguration, ChangeConfiguration), with `component` null."""
    rows = await device_model.variables(station_id, component, variable, limit, offset)
    return [variable_out(v) for v in rows]


@router.get("/stations/{station_id}/device-reports")
async def station_device_reports(
    station_id: str, device_model: DeviceModel, limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[DeviceRequestOut]:
    """Requests answered in notifications (reports, monitoring reports, display messages):
    status Requested, Accepted (parts arriving), Complete, or the station's refusal."""
    rows = await device_model.requests(station_id, limit)
    return [DeviceRequestOut(request_id=r.request_id, kind=r.kind, status=r.status,
                             parts=r.parts, requested_at=r.requested_at,
                             completed_at=r.completed_at) for r in rows]


@router.get("/stations/{station_id}/monitors")
async def station_monitors(station_id: str, device_model: DeviceModel) -> list[MonitorOut]:
    """Variable monitors as set through csms or reported by NotifyMonitoringReport."""
    return [monitor_out(m) for m in await device_model.monitors(station_id)]


@router.get("/stations/{station_id}/device-events")
async def station_device_events(
    station_id: str, device_model: DeviceModel, component: Name = None, variable: Name = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100, offset: Offset = 0,
) -> list[DeviceEventOut]:
    """NotifyEvent reports (alerts, monitor triggers, problems), newest first."""
    rows = await device_model.device_events(station_id, component, variable, limit, offset)
    return [event_out(e) for e in rows]
