"""Metering set on boot: a site's policy, and what each station was asked and answered."""

from __future__ import annotations

from fastapi import APIRouter

from csms.api.deps import StationSetup
from csms.api.setup_schemas import (
    AppliedSettingOut,
    MeteringPolicyIn,
    MeteringPolicyOut,
    StationMeteringOut,
)
from csms.domain.station_setup import AppliedSetting, MeteringPolicy

router = APIRouter(tags=["station configuration"])


def policy_out(p: MeteringPolicy) -> MeteringPolicyOut:
    return MeteringPolicyOut(
        site_id=p.site_id, source="site" if p.site_id else "default", version=p.version,
        updated_at=p.updated_at, enabled=p.enabled,
        sampled_measurands=list(p.sampled_measurands), sample_interval_s=p.sample_interval_s,
        aligned_measurands=list(p.aligned_measurands), aligned_interval_s=p.aligned_interval_s,
        ended_measurands=list(p.ended_measurands))


def applied_out(a: AppliedSetting) -> AppliedSettingOut:
    return AppliedSettingOut(
        setting=a.setting.value, key=a.key, requested=a.requested, value=a.value,
        status=a.status, note=a.note, asked_at=a.asked_at, policy_site_id=a.policy_site_id,
        policy_version=a.policy_version, firmware_version=a.firmware_version)


@router.get("/sites/{site_id}/station-configuration")
async def get_site_policy(site_id: str, station_setup: StationSetup) -> MeteringPolicyOut:
    """The metering the site's stations are given on boot (the defaults until one is set)."""
    return policy_out(await station_setup.policy(site_id))


@router.put("/sites/{site_id}/station-configuration")
async def put_site_policy(site_id: str, body: MeteringPolicyIn, station_setup: StationSetup
                         ) -> MeteringPolicyOut:
    """Set the site's policy; connected stations get what changed soon, others at boot."""
    wanted = MeteringPolicy(
        sampled_measurands=tuple(body.sampled_measurands),
        sample_interval_s=body.sample_interval_s,
        aligned_measurands=tuple(body.aligned_measurands),
        aligned_interval_s=body.aligned_interval_s,
        ended_measurands=tuple(body.ended_measurands), enabled=body.enabled)
    return policy_out(await station_setup.set_policy(site_id, wanted))


@router.get("/stations/{station_id}/configuration-policy")
async def get_station_metering(station_id: str, station_setup: StationSetup) -> StationMeteringOut:
    """The policy in force for the station, its answer to each setting, and what is due."""
    view = await station_setup.station(station_id)
    return StationMeteringOut(
        station_id=view.station_id, policy=policy_out(view.policy),
        settings=[applied_out(a) for a in view.settings],
        pending=[s.value for s in view.pending], up_to_date=not view.pending)
