"""Meter readings: a station's samples of one time in one row. The packing reads back what went
in; the readers (a transaction's samples, the latest total of a measurand, the accounting's
registers) see through it; garbage in the column is a clear error; and the migration packs a
table kept a row per sample (and unpacks it on the way down) on both databases."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic import command
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import create_async_engine

from csms.domain.model import Sample, Station, Transaction
from csms.domain.records import SamplesAdded, TransactionInserted
from csms.domain.units import ENERGY_REGISTER
from csms.persistence import meter_readings as readings
from csms.persistence.database import SqlDatabase
from csms.persistence.migrate import alembic_config, upgrade
from csms.services.ports import UnitOfWork

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
BEFORE = "0018"  # the head before readings were packed

POWER = "Power.Active.Import"


def sample(at: datetime, measurand: str, value: float, phase: str | None = None) -> Sample:
    return Sample(at, measurand, value, "W", value, phase, "Outlet", "Sample.Periodic")


texts = st.none() | st.text(max_size=20)
finite = st.floats(allow_nan=False, allow_infinity=False)
samples = st.builds(Sample, st.just(T0), st.text(min_size=1, max_size=40), finite, texts,
                    st.none() | finite, texts, texts, texts)


@given(st.lists(samples, max_size=12))
def test_a_reading_unpacks_to_what_was_packed(got: list[Sample]) -> None:
    assert readings.unpack(T0, readings.pack(got)) == got


def test_samples_split_into_runs_of_one_time() -> None:
    later = T0 + timedelta(seconds=10)
    a, b, c = sample(T0, POWER, 1.0), sample(T0, ENERGY_REGISTER, 2.0), sample(later, POWER, 3.0)
    d = sample(T0.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Sofia")), POWER, 4.0)
    assert list(readings.by_time([a, b, c, d])) == [(T0, [a, b]), (later, [c]), (T0, [d])]
    assert list(readings.by_time([])) == []


def test_find_takes_the_total_not_a_phase_and_the_last_of_several() -> None:
    text = readings.pack([sample(T0, POWER, 7000.0), sample(T0, POWER, 2300.0, "L1"),
                          sample(T0, POWER, 7100.0), sample(T0, ENERGY_REGISTER, 5.0)])
    assert readings.find(T0, text, POWER) == sample(T0, POWER, 7100.0)
    assert readings.find(T0, text, "SoC") is None


@pytest.mark.parametrize("garbage", ["", "{}", '"x"', "[[1, 2]]", "[1]", "not json"])
def test_a_damaged_reading_is_a_clear_error(garbage: str) -> None:
    with pytest.raises((ValueError, TypeError)):
        readings.unpack(T0, garbage)


async def _transaction(db: SqlDatabase, pk: int) -> None:
    def add_station(uow: UnitOfWork) -> None:
        if uow.stations.get("M1") is None:
            uow.stations.add(Station(id="M1", created_at=T0))

    await db.write(add_station)
    await db.append([TransactionInserted(Transaction(
        pk=pk, station_id="M1", transaction_id=f"tx-{pk}", evse_id=1, connector_id=1,
        id_token="T", started_at=T0))])


async def test_the_latest_total_is_found_behind_many_readings_without_it(
        db: SqlDatabase) -> None:
    await _transaction(db, 7)
    old = sample(T0, POWER, 11000.0)
    newer = [(sample(T0 + timedelta(minutes=i), ENERGY_REGISTER, float(i)),
              sample(T0 + timedelta(minutes=i), POWER, 3000.0, "L1")) for i in range(1, 60)]
    await db.append([SamplesAdded("M1", 1, 1, 7, (old,))]
                    + [SamplesAdded("M1", 1, 1, 7, pair) for pair in newer])
    assert await db.read(lambda uow: uow.transactions.latest_sample(7, POWER)) == old
    assert await db.read(lambda uow: uow.transactions.latest_sample(7, "SoC")) is None
    got = await db.read(lambda uow: uow.transactions.samples(7))
    assert got == [old, *(s for pair in newer for s in pair)]
    registers = await db.read(lambda uow: uow.accounting.register_samples([7, 8]))
    assert registers == {7: [a for a, _ in newer], 8: []}


_VALUES = sa.table(
    "meter_values", sa.column("id"), sa.column("station_id"), sa.column("transaction_pk"),
    sa.column("evse_id"), sa.column("connector_id"), sa.column("timestamp", sa.DateTime(True)),
    sa.column("measurand"), sa.column("value"), sa.column("unit"), sa.column("si_value"),
    sa.column("phase"), sa.column("location"), sa.column("context"))


async def test_the_migration_packs_a_table_kept_a_row_per_sample_and_unpacks_it_down(
        url: str) -> None:
    await asyncio.to_thread(upgrade, url)
    db = SqlDatabase(url)
    await db.start()
    try:
        await _transaction(db, 3)
    finally:
        await db.stop()
    await asyncio.to_thread(command.downgrade, alembic_config(url), BEFORE)

    later = T0 + timedelta(minutes=5)
    rows = [("M1", 3, T0, ENERGY_REGISTER, 100.0, None), ("M1", 3, T0, POWER, 7000.0, None),
            ("M1", 3, T0, POWER, 2333.0, "L1"), ("M1", None, T0, POWER, 50.0, None),
            ("M1", 3, later, ENERGY_REGISTER, 700.0, None), ("M1", 3, later, POWER, 6900.0, None)]
    # readings of three samples beyond the migration's page of 5,000 rows, one of them across it
    rows += [("M2", None, T0 + timedelta(minutes=i // 3), POWER, float(i), f"L{i % 3 + 1}")
             for i in range(3 * 1700)]
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(sa.insert(_VALUES), [
            {"station_id": s, "transaction_pk": pk, "evse_id": 1, "connector_id": 1,
             "timestamp": at, "measurand": m, "value": v, "unit": "W", "si_value": v,
             "phase": ph, "location": "Outlet", "context": "Sample.Periodic"}
            for s, pk, at, m, v, ph in rows])
    await asyncio.to_thread(upgrade, url)

    db = SqlDatabase(url)
    await db.start()
    try:
        got = await db.read(lambda uow: uow.transactions.samples(3))
        latest = await db.read(lambda uow: uow.transactions.latest_sample(3, POWER))
    finally:
        await db.stop()
    assert got == [sample(at, m, v, ph) for s, pk, at, m, v, ph in rows if pk == 3]
    assert latest == sample(later, POWER, 6900.0)
    async with engine.connect() as conn:
        packed = (await conn.execute(sa.text("SELECT count(*) FROM meter_readings"))).scalar()
    assert packed == 3 + 1700  # T0 with a transaction, T0 without, later; M2's

    await asyncio.to_thread(command.downgrade, alembic_config(url), BEFORE)
    async with engine.connect() as conn:
        back = (await conn.execute(sa.select(_VALUES).order_by(sa.text("id")))).all()
    await engine.dispose()
    assert sorted((r.transaction_pk or 0, r.timestamp.replace(tzinfo=UTC)
                   if r.timestamp.tzinfo is None else r.timestamp, r.measurand, r.value, r.phase)
                  for r in back) == \
        sorted((pk or 0, at, m, v, ph) for s, pk, at, m, v, ph in rows)
