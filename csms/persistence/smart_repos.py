"""Repositories of the smart-charging integration: charger capabilities, group defaults."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from csms.domain.smart import ChargingCapabilities, ChargingDefaults
from csms.persistence import tables_smart as t


class CapabilityRepo:
    def __init__(self, conn: Connection) -> None:
        self._c = conn

    def get_many(self, station_ids: Sequence[str]) -> dict[str, ChargingCapabilities]:
        c = t.station_charging_capabilities.c
        q = select(t.station_charging_capabilities).where(c.station_id.in_(list(station_ids)))
        return {r.station_id: _caps(r._mapping) for r in self._c.execute(q)}

    def put(self, caps: ChargingCapabilities) -> None:
        c = t.station_charging_capabilities.c
        self._c.execute(delete(t.station_charging_capabilities)
                        .where(c.station_id == caps.station_id))
        self._c.execute(insert(t.station_charging_capabilities).values(
            station_id=caps.station_id, smart_charging=caps.smart_charging,
            rate_units=",".join(caps.rate_units) or None, max_periods=caps.max_periods,
            max_stack_level=caps.max_stack_level, max_profiles=caps.max_profiles,
            limit_change_significance=caps.limit_change_significance,
            evse_max_kw={str(k): v for k, v in caps.evse_max_kw.items()} or None,
            probed_at=caps.probed_at, note=caps.note))


def _caps(m: Any) -> ChargingCapabilities:
    return ChargingCapabilities(
        station_id=m["station_id"], smart_charging=m["smart_charging"],
        rate_units=tuple(u for u in (m["rate_units"] or "").split(",") if u),
        max_periods=m["max_periods"], max_stack_level=m["max_stack_level"],
        max_profiles=m["max_profiles"], limit_change_significance=m["limit_change_significance"],
        evse_max_kw={int(k): float(v) for k, v in (m["evse_max_kw"] or {}).items()},
        probed_at=m["probed_at"], note=m["note"])


class GroupDefaultsRepo:
    def __init__(self, conn: Connection) -> None:
        self._c = conn

    def get_many(self, group_ids: Sequence[str]) -> dict[str, ChargingDefaults]:
        c = t.token_group_defaults.c
        q = select(t.token_group_defaults).where(c.group_id.in_(list(group_ids)))
        return {r.group_id: ChargingDefaults(r.dwell_h, r.energy_kwh, r.mode)
                for r in self._c.execute(q)}

    def put(self, group_id: str, defaults: ChargingDefaults, at: datetime) -> None:
        self.delete(group_id)
        self._c.execute(insert(t.token_group_defaults).values(
            group_id=group_id, dwell_h=defaults.dwell_h, energy_kwh=defaults.energy_kwh,
            mode=defaults.mode, updated_at=at))

    def delete(self, group_id: str) -> bool:
        c = t.token_group_defaults.c
        return bool(self._c.execute(
            delete(t.token_group_defaults).where(c.group_id == group_id)).rowcount)
