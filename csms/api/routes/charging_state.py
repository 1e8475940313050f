"""A station's charging state: the profiles csms believes it holds (and what it last reported),
and the limits set on it from outside csms (grid operator, local EMS)."""

from __future__ import annotations

from fastapi import APIRouter

from csms.api.billing_schemas import (
    ChargingLimitOut,
    ChargingLimitsOut,
    ChargingProfilesOut,
    EvScheduleOut,
    InstalledProfileOut,
    ProfileReportOut,
    ReportPartOut,
)
from csms.api.deps import Clock, ProfilesState
from csms.domain.charging_state import limit_kw

router = APIRouter(tags=["smart charging"])


@router.get("/stations/{station_id}/charging-profiles",
            responses={404: {"description": "unknown station"}})
async def charging_profiles(station_id: str, profiles_state: ProfilesState) -> ChargingProfilesOut:
    view = await profiles_state.profiles(station_id)
    report = None
    if view.report:
        report = ProfileReportOut(
            request_id=view.report[0].request_id, complete=not view.report[-1].tbc,
            parts=[ReportPartOut(seq=p.seq, evse_id=p.evse_id, source=p.source,
                                 profiles=list(p.profiles), received_at=p.received_at)
                   for p in view.report])
    return ChargingProfilesOut(
        station_id=station_id, last_report=report,
        installed=[InstalledProfileOut(
            id=p.profile_id, evse_id=p.evse_id, purpose=p.purpose, stack_level=p.stack_level,
            transaction_id=p.transaction_id, profile=p.profile, set_at=p.set_at)
            for p in view.installed])


@router.get("/stations/{station_id}/charging-limits",
            responses={404: {"description": "unknown station"}})
async def charging_limits(station_id: str, clock: Clock, profiles_state: ProfilesState
                         ) -> ChargingLimitsOut:
    view = await profiles_state.limits(station_id)
    now = clock.now()
    return ChargingLimitsOut(
        station_id=station_id, external_limit_kw=view.in_force_kw.get(0),
        limits=[ChargingLimitOut(
            evse_id=x.evse_id, source=x.source, grid_critical=x.grid_critical,
            schedules=[dict(s) for s in x.as_sent], received_at=x.received_at,
            in_force_kw=limit_kw(x, now))
            for x in view.limits],
        ev_schedules=[EvScheduleOut(evse_id=e.evse_id, received_at=e.received_at,
                                    notification=e.as_sent) for e in view.ev_schedules])
