"""The migration that gives external limits' schedules csms's own stored shape: limits stored
before it read back as they did (same limit in force), with the station's JSON kept as sent;
a downgrade restores the station's JSON where it was."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.ext.asyncio import create_async_engine

from csms.domain.charging_state import in_force_kw
from csms.persistence.database import SqlDatabase
from csms.persistence.migrate import alembic_config, upgrade

RECEIVED = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=30)
SO = [{"id": 1, "startSchedule": (RECEIVED - timedelta(hours=1)).isoformat(),
       "chargingRateUnit": "W", "duration": 86_400,
       "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 40_000.0},
                                  {"startPeriod": 600, "limit": 30_000.0}]}]
# no start (counts from reception), amperes with and without a phase count, a salesTariff the
# domain never read: kept only as sent
EMS = [{"id": 2, "chargingRateUnit": "A", "chargingSchedulePeriod": [
           {"startPeriod": 0, "limit": 16.0, "numberPhases": 1}],
        "salesTariff": {"id": 1, "salesTariffEntry": []}},
       {"id": 3, "chargingRateUnit": "A", "startSchedule": "2026-01-01T00:00:00",
        "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 32}]}]


# charging_limits as it was at 0014
_LIMITS = sa.table("charging_limits", sa.column("station_id"), sa.column("evse_id"),
                   sa.column("source"), sa.column("grid_critical"),
                   sa.column("schedules", sa.JSON), sa.column("received_at", sa.DateTime(True)))


async def _execute(url: str, *statements: Any) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        for statement in statements:
            await conn.execute(statement)
    await engine.dispose()


async def _schedules(url: str) -> dict[str, Any]:
    engine = create_async_engine(url)
    async with engine.connect() as conn:
        rows = (await conn.execute(sa.select(_LIMITS.c.source, _LIMITS.c.schedules))).all()
    await engine.dispose()
    return {row.source: row.schedules for row in rows}


async def test_limits_stored_before_read_back_the_same(url: str) -> None:
    await asyncio.to_thread(upgrade, url, "0014")
    await _execute(
        url,
        sa.text("INSERT INTO stations (id, created_at) VALUES ('OLD', :at)")
        .bindparams(at=RECEIVED),
        sa.insert(_LIMITS).values(station_id="OLD", evse_id=0, source="SO", grid_critical=True,
                                 schedules=SO, received_at=RECEIVED),
        sa.insert(_LIMITS).values(station_id="OLD", evse_id=1, source="EMS", grid_critical=None,
                                 schedules=EMS, received_at=RECEIVED))
    await asyncio.to_thread(upgrade, url)

    db = SqlDatabase(url)
    await db.start()
    try:
        stored = await db.read(lambda uow: uow.charging_state.limits("OLD"))
    finally:
        await db.stop()
    by_source = {x.source: x for x in stored}
    assert [dict(x) for x in by_source["SO"].as_sent] == SO
    assert [dict(x) for x in by_source["EMS"].as_sent] == EMS
    assert by_source["SO"].grid_critical is True
    # SO: its second period since 10 minutes after its start; EMS: the tighter of 16 A on
    # one phase and 32 A on three (its naive start counts from reception)
    assert in_force_kw(stored, datetime.now(UTC)) == {0: 30.0, 1: pytest.approx(16 * 230 / 1000)}

    await asyncio.to_thread(command.downgrade, alembic_config(url), "0014")
    assert await _schedules(url) == {"SO": SO, "EMS": EMS}
