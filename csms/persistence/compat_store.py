"""Compatibility profiles and the violation log, on the same group commit as the rest: the
repository shares the connection and the transaction of the core unit of work."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, delete, func, insert, select

from csms.domain.compatibility import (
    CompatibilityProfile,
    MeterRegister,
    ModelKey,
    ModelProfile,
    Outcome,
    Violation,
)
from csms.persistence import tables_compat as t
from csms.persistence.database import SqlDatabase
from csms.persistence.tables import stations
from csms.persistence.unit_of_work import SqlUnitOfWork
from csms.services.ports import UnitOfWork

T = TypeVar("T")


def _profile_values(p: CompatibilityProfile, at: datetime) -> dict[str, Any]:
    return {"lenient_validation": p.lenient_validation, "timezone": p.timezone,
            "id_token_pattern": p.id_token_pattern, "meter_register": p.meter_register.value,
            "ping": p.ping, "updated_at": at}


def _profile(m: Any) -> CompatibilityProfile:
    return CompatibilityProfile(
        lenient_validation=m["lenient_validation"], timezone=m["timezone"],
        id_token_pattern=m["id_token_pattern"], meter_register=MeterRegister(m["meter_register"]),
        ping=m["ping"])


class CompatRepo:
    def __init__(self, conn: Connection) -> None:
        self._c = conn

    def station_profiles(self, station_ids: Sequence[str] | None = None
                         ) -> dict[str, CompatibilityProfile]:
        q = select(t.station_compatibility)
        if station_ids is not None:
            q = q.where(t.station_compatibility.c.station_id.in_(list(station_ids)))
        return {r.station_id: _profile(r._mapping) for r in self._c.execute(q)}

    def put_station(self, station_id: str, profile: CompatibilityProfile, at: datetime) -> None:
        self.delete_station(station_id)
        self._c.execute(insert(t.station_compatibility).values(
            station_id=station_id, **_profile_values(profile, at)))

    def delete_station(self, station_id: str) -> bool:
        c = t.station_compatibility.c
        return bool(self._c.execute(
            delete(t.station_compatibility).where(c.station_id == station_id)).rowcount)

    def model_profiles(self) -> list[ModelProfile]:
        q = select(t.model_compatibility).order_by(t.model_compatibility.c.vendor_key,
                                                   t.model_compatibility.c.model_key)
        return [ModelProfile(r.vendor, r.model, _profile(r._mapping)) for r in self._c.execute(q)]

    def put_model(self, profile: ModelProfile, at: datetime) -> None:
        self.delete_model(profile.key)
        key = profile.key
        self._c.execute(insert(t.model_compatibility).values(
            vendor_key=key.vendor, model_key=key.model, vendor=profile.vendor,
            model=profile.model, **_profile_values(profile.profile, at)))

    def delete_model(self, key: ModelKey) -> bool:
        c = t.model_compatibility.c
        return bool(self._c.execute(delete(t.model_compatibility).where(
            c.vendor_key == key.vendor, c.model_key == key.model)).rowcount)

    def station_models(self, station_ids: Sequence[str] | None = None
                       ) -> dict[str, tuple[str, str]]:
        c = stations.c
        q = select(c.id, c.vendor, c.model).where(c.vendor.is_not(None), c.model.is_not(None))
        if station_ids is not None:
            q = q.where(c.id.in_(list(station_ids)))
        return {r.id: (r.vendor, r.model) for r in self._c.execute(q)}

    def add_violations(self, violations: Sequence[Violation], keep: int) -> None:
        if not violations:
            return
        self._c.execute(insert(t.station_violations), [
            {"station_id": v.station_id, "at": v.at, "action": v.action[:64],
             "path": v.path[:255], "message": v.message[:500], "outcome": v.outcome.value}
            for v in violations])
        c = t.station_violations.c
        for station_id in {v.station_id for v in violations}:
            newest = (select(c.id).where(c.station_id == station_id)
                      .order_by(c.id.desc()).limit(keep).subquery())
            oldest_kept = select(func.min(newest.c.id)).scalar_subquery()
            self._c.execute(delete(t.station_violations).where(
                c.station_id == station_id, c.id < oldest_kept))

    def violations(self, station_id: str, limit: int) -> list[Violation]:
        c = t.station_violations.c
        q = (select(t.station_violations).where(c.station_id == station_id)
             .order_by(c.id.desc()).limit(limit))
        return [Violation(r.station_id, r.at, r.action, r.path, r.message, Outcome(r.outcome))
                for r in self._c.execute(q)]


def _connection(uow: UnitOfWork) -> Connection:
    assert isinstance(uow, SqlUnitOfWork)
    return uow.connection


class CompatDatabase:
    def __init__(self, db: SqlDatabase) -> None:
        self._db = db

    async def write(self, work: Callable[[CompatRepo], T]) -> T:
        return await self._db.write(lambda uow: work(CompatRepo(_connection(uow))))

    async def read(self, work: Callable[[CompatRepo], T]) -> T:
        return await self._db.read(lambda uow: work(CompatRepo(_connection(uow))))
