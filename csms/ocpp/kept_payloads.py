"""Station messages csms keeps as the station sent them, for support to see raw (the
station's reports, the EV schedules of its charging limits): their forms are OCPP's, so what
the services need out of them, and csms's own entries among them, go through here.

Only forms that 1.6 and 2.0.1 share (or that one version alone has) live here; the services
reach them through the ports `SecurityEventForm` and `EvScheduleForm`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from csms.domain.security import SecurityEvent


class KeptSecurityEvents:
    """SecurityEventNotification: the same fields in the 1.6 security extension and 2.0.1."""

    def read(self, at: datetime, data: Mapping[str, Any]) -> SecurityEvent:
        tech = data.get("techInfo")
        return SecurityEvent(type=str(data.get("type", "")), timestamp=at,
                             tech_info=str(tech) if tech is not None else None)

    def render(self, event: SecurityEvent) -> dict[str, Any]:
        data: dict[str, Any] = {"type": event.type, "timestamp": event.timestamp.isoformat()}
        if event.tech_info is not None:
            data["techInfo"] = event.tech_info
        return data


class KeptEvSchedules:
    """NotifyEVChargingSchedule (2.0.1 only)."""

    def evse_id(self, data: Mapping[str, Any]) -> int:
        return int(data.get("evseId", 0))


def data_transfer(p: Mapping[str, Any]) -> dict[str, Any]:
    """An incoming DataTransfer as kept (the same fields in 1.6 and 2.0.1): what the station
    named, without the fields it left empty or its customData."""
    return {k: p[k] for k in ("vendorId", "messageId", "data") if p.get(k) is not None}
