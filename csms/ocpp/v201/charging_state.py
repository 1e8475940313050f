"""OCPP 2.0.1 smart-charging reports (block K): translate, call one service.

ReportChargingProfiles (K09, the multi-part answer to GetChargingProfiles), NotifyChargingLimit
and ClearedChargingLimit (K11-K13, limits set outside csms); V201Session inherits these
handlers. Reported profiles are kept in the station's own JSON; a limit's schedules arrive in
the domain translated, beside the station's own JSON that the API shows.
"""

from __future__ import annotations

from typing import Any

from csms.ocpp.session import Session, handles
from csms.ocpp.v201.translate import limit_schedule


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
        as_sent = p.get("chargingSchedule") or []
        await self.services.profiles_state.limit_notified(
            self.station_id, p.get("evseId"), limit["chargingLimitSource"],
            limit.get("isGridCritical"), [limit_schedule(s) for s in as_sent], as_sent)
        return {}

    @handles("ClearedChargingLimit")
    async def on_cleared_charging_limit(self, p: dict[str, Any]) -> dict[str, Any]:
        await self.services.profiles_state.limit_cleared(
            self.station_id, p["chargingLimitSource"], p.get("evseId"))
        return {}
