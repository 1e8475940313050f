"""Repository of station set-up on boot: site metering policies, stations' answers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from csms.domain.station_setup import AppliedSetting, MeteringPolicy, MeterSetting
from csms.persistence import tables_setup as t


def _items(text: str) -> tuple[str, ...]:
    return tuple(m for m in text.split(",") if m)


class StationSetupRepo:
    def __init__(self, conn: Connection) -> None:
        self._c = conn

    def policy(self, site_id: str) -> MeteringPolicy | None:
        p = t.site_metering_policies
        row = self._c.execute(select(p).where(p.c.site_id == site_id)).first()
        return None if row is None else _policy(row._mapping)

    def put_policy(self, policy: MeteringPolicy) -> None:
        p = t.site_metering_policies
        values = {
            "enabled": policy.enabled, "sampled_measurands": ",".join(policy.sampled_measurands),
            "sample_interval_s": policy.sample_interval_s,
            "aligned_measurands": ",".join(policy.aligned_measurands),
            "aligned_interval_s": policy.aligned_interval_s,
            "ended_measurands": ",".join(policy.ended_measurands), "version": policy.version,
            "updated_at": policy.updated_at}
        done = self._c.execute(update(p).where(p.c.site_id == policy.site_id).values(**values))
        if not done.rowcount:
            self._c.execute(insert(p).values(site_id=policy.site_id, **values))

    def applied(self, station_id: str) -> dict[MeterSetting, AppliedSetting]:
        a = t.station_applied_settings
        rows = self._c.execute(select(a).where(a.c.station_id == station_id))
        out = {}
        for r in rows:
            m = r._mapping
            if m["setting"] in MeterSetting._value2member_map_:  # a setting csms no longer has
                setting = _applied(m)
                out[setting.setting] = setting
        return out

    def record(self, settings: Sequence[AppliedSetting]) -> None:
        a = t.station_applied_settings
        for s in settings:
            self._c.execute(delete(a).where(a.c.station_id == s.station_id,
                                            a.c.setting == s.setting.value))
            self._c.execute(insert(a).values(
                station_id=s.station_id, setting=s.setting.value, requested=s.requested,
                value=s.value, status=s.status, key=s.key, policy_site_id=s.policy_site_id,
                policy_version=s.policy_version, firmware_version=s.firmware_version,
                asked_at=s.asked_at, note=s.note))


def _policy(m: Any) -> MeteringPolicy:
    return MeteringPolicy(
        sampled_measurands=_items(m["sampled_measurands"]),
        sample_interval_s=m["sample_interval_s"],
        aligned_measurands=_items(m["aligned_measurands"]),
        aligned_interval_s=m["aligned_interval_s"],
        ended_measurands=_items(m["ended_measurands"]), enabled=m["enabled"],
        site_id=m["site_id"], version=m["version"], updated_at=m["updated_at"])


def _applied(m: Any) -> AppliedSetting:
    return AppliedSetting(
        station_id=m["station_id"], setting=MeterSetting(m["setting"]),
        requested=m["requested"], value=m["value"], status=m["status"], key=m["key"],
        policy_site_id=m["policy_site_id"], policy_version=m["policy_version"],
        firmware_version=m["firmware_version"], asked_at=m["asked_at"], note=m["note"])
