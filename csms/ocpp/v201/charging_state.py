"""OCPP 2.0.1 smart-charging reports (block K): translate, call one service.

ReportChargingProfiles (K09, the multi-part answer to GetChargingProfiles), NotifyChargingLimit
and ClearedChargingLimit (K11-K13, limits set outside csms); V201Session inherits these
handlers. The profiles and schedules are kept in the station's own JSON.
"""

from __future__ import annotations

from typing import Any

from csms.ocpp.session import Session, handles


class ChargingStateHandlers(Session):
    @handles("ReportChargingProfiles")
    async def on_report_charging_profiles(self, p: dict[str, Any]) -> dict[str, Any]:
        await self.services.profiles_state.report(
            self.station_id, p["requestId"], p["evseId"], p["chargingLimitSource"],
            p["chargingProfile"], bool(p.get("tbc", False)))
        return {}

    @handles("NotifyChargingLimit")
    async def on_notify_charging_limit(self, p: dict[str, Any]) -> dict[str, Any]:
        limit = p["chargingLimit"]
        await self.services.profiles_state.limit_notified(
            self.station_id, p.get("evseId"), limit["chargingLimitSource"],
            limit.get("isGridCritical"), p.get("chargingSchedule") or [])
        return {}

    @handles("ClearedChargingLimit")
    async def on_cleared_charging_limit(self, p: dict[str, Any]) -> dict[str, Any]:
        await self.services.profiles_state.limit_cleared(
            self.station_id, p["chargingLimitSource"], p.get("evseId"))
        return {}
