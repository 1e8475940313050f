"""OCPP 2.0.1 device model notifications (blocks B, N, O): translate, call one service.

NotifyReport, NotifyMonitoringReport, NotifyEvent and NotifyDisplayMessages; V201Session
inherits these handlers. The wire <-> domain translation lives here too.
"""

from __future__ import annotations

from typing import Any

from csms.domain.device import (
    Attribute,
    Characteristics,
    DeviceEvent,
    DisplayMessage,
    Monitor,
    Variable,
    VarKey,
)
from csms.ocpp.session import Session, handles
from csms.ocpp.timestamps import parse


def var_key(component: dict[str, Any], variable: dict[str, Any] | None) -> VarKey:
    evse = component.get("evse") or {}
    variable = variable or {}
    return VarKey(component["name"], variable.get("name", ""), component.get("instance"),
                  evse.get("id"), evse.get("connectorId"), variable.get("instance"))


def component_json(key: VarKey) -> dict[str, Any]:
    out: dict[str, Any] = {"name": key.component}
    if key.component_instance is not None:
        out["instance"] = key.component_instance
    if key.evse_id is not None:
        out["evse"] = {"id": key.evse_id}
        if key.connector_id is not None:
            out["evse"]["connectorId"] = key.connector_id
    return out


def variable_json(key: VarKey) -> dict[str, Any]:
    out: dict[str, Any] = {"name": key.variable}
    if key.variable_instance is not None:
        out["instance"] = key.variable_instance
    return out


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def variable(entry: dict[str, Any]) -> Variable:
    attrs = tuple(Attribute(a.get("type", "Actual"), a.get("value"), a.get("mutability"),
                            a.get("persistent"), a.get("constant"))
                  for a in entry["variableAttribute"])
    ch = entry.get("variableCharacteristics")
    chars = None if ch is None else Characteristics(
        ch.get("dataType"), ch.get("unit"), _text(ch.get("minLimit")), _text(ch.get("maxLimit")),
        ch.get("valuesList"), ch.get("supportsMonitoring"))
    return Variable(var_key(entry["component"], entry["variable"]), attrs, chars, "report")


def monitors(entry: dict[str, Any]) -> list[Monitor]:
    key = var_key(entry["component"], entry["variable"])
    return [Monitor(m["id"], key, m["type"], _number(m["value"]), m["severity"],
                    m["transaction"]) for m in entry["variableMonitoring"]]


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def event(e: dict[str, Any]) -> DeviceEvent:
    return DeviceEvent(
        var_key(e["component"], e["variable"]), e["eventId"], parse(e["timestamp"]),
        e["trigger"], e["actualValue"], e["eventNotificationType"], e.get("cause"),
        e.get("techCode"), e.get("techInfo"), e.get("cleared"), e.get("transactionId"),
        e.get("variableMonitoringId"))


def display_message(m: dict[str, Any]) -> DisplayMessage:
    text = m["message"]
    evse = ((m.get("display") or {}).get("evse") or {}).get("id")
    start, end = m.get("startDateTime"), m.get("endDateTime")
    return DisplayMessage(
        m["id"], m["priority"], text["content"], text["format"], text.get("language"),
        m.get("state"), parse(start) if start else None, parse(end) if end else None,
        m.get("transactionId"), evse, "reported")


class DeviceHandlers(Session):
    """The device model notifications of a 2.0.1 station."""

    @handles("NotifyReport")
    async def on_notify_report(self, p: dict[str, Any]) -> dict[str, Any]:
        variables = [variable(e) for e in p.get("reportData", [])]
        await self.services.device_model.report_part(
            self.station_id, p["requestId"], bool(p.get("tbc", False)), variables)
        return {}

    @handles("NotifyMonitoringReport")
    async def on_notify_monitoring_report(self, p: dict[str, Any]) -> dict[str, Any]:
        found = [m for e in p.get("monitor", []) for m in monitors(e)]
        await self.services.device_model.monitoring_part(
            self.station_id, p["requestId"], bool(p.get("tbc", False)), found)
        return {}

    @handles("NotifyEvent")
    async def on_notify_event(self, p: dict[str, Any]) -> dict[str, Any]:
        await self.services.device_model.events(
            self.station_id, [event(e) for e in p["eventData"]])
        return {}

    @handles("NotifyDisplayMessages")
    async def on_notify_display_messages(self, p: dict[str, Any]) -> dict[str, Any]:
        found = [display_message(m) for m in p.get("messageInfo", [])]
        await self.services.device_model.display_part(
            self.station_id, p["requestId"], bool(p.get("tbc", False)), found)
        return {}
