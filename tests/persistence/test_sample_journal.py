"""Meter values are journaled with the reply and filed later; readers never see the seam.

Every reader of samples must return the same thing before, during and after a filing: the
journal's rows and the filed ones together, in the order they arrived (ties in time
included), and the newest of them wherever it lies.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from csms.domain.model import Sample, Station, Transaction
from csms.domain.records import SamplesAdded, TransactionInserted
from csms.domain.units import ENERGY_REGISTER
from csms.persistence import tables as t
from csms.persistence.database import SqlDatabase
from csms.persistence.unit_of_work import SqlUnitOfWork
from csms.services.ports import UnitOfWork
from csms.workers.sample_filing import file_samples

T0 = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
POWER = "Power.Active.Import"


def _sample(minute: int, measurand: str, value: float, phase: str | None = None) -> Sample:
    return Sample(T0 + timedelta(minutes=minute), measurand, value, "W", value, phase, None,
                  "Sample.Periodic")


async def _two_transactions(db: SqlDatabase) -> None:
    def stations(uow: UnitOfWork) -> None:
        uow.stations.add(Station(id="J1", created_at=T0))

    await db.write(stations)
    await db.append([TransactionInserted(Transaction(
        pk=pk, station_id="J1", transaction_id=f"tx-{pk}", evse_id=pk, connector_id=1,
        id_token="T", started_at=T0)) for pk in (1, 2)])


def _counts(uow: UnitOfWork) -> tuple[int, int]:
    assert isinstance(uow, SqlUnitOfWork)
    conn = uow.connection
    return tuple(conn.execute(select(func.count()).select_from(table)).scalar_one()
                 for table in (t.meter_values, t.meter_value_journal))  # type: ignore[return-value]


async def test_readers_see_the_same_before_during_and_after_filing(db: SqlDatabase) -> None:
    await _two_transactions(db)
    # one message per minute per transaction; two samples share each message's time, so
    # only the arrival order tells them apart
    for minute in range(4):
        for pk in (1, 2):
            await db.append([SamplesAdded("J1", pk, 1, pk, (
                _sample(minute, ENERGY_REGISTER, 1000.0 * minute + pk),
                _sample(minute, POWER, 100.0 * minute + pk),
                _sample(minute, POWER, 7.0, phase="L1")))])

    def read(uow: UnitOfWork) -> tuple[list[Sample], dict[int, list[Sample]], dict[int, Sample]]:
        return (uow.transactions.samples(1), uow.accounting.register_samples([1, 2]),
                uow.transactions.latest_samples([1, 2], POWER))

    before = await db.read(read)
    assert await db.read(_counts) == (0, 24)  # the hot path wrote only to the journal
    assert [s.value for s in before[0]] == [v for m in range(4)
                                            for v in (1000.0 * m + 1, 100.0 * m + 1, 7.0)]
    assert [s.value for s in before[1][2]] == [1000.0 * m + 2 for m in range(4)]
    assert {pk: s.value for pk, s in before[2].items()} == {1: 301.0, 2: 302.0}

    # filed in part (a filing moves the oldest rows first), then in whole
    moved = await db.write(lambda uow: uow.transactions.file_samples(10))
    assert moved == 10 and await db.read(_counts) == (10, 14)
    assert await db.read(read) == before
    assert await file_samples(db) == 14
    assert await db.read(_counts) == (24, 0)
    assert await db.read(read) == before
    assert await file_samples(db) == 0  # nothing left: a filing of nothing is harmless


async def test_the_newest_sample_wins_wherever_it_is(db: SqlDatabase) -> None:
    await _two_transactions(db)
    await db.append([SamplesAdded("J1", 1, 1, 1, (_sample(10, POWER, 11.0),))])
    await file_samples(db)
    # a late message with an older time, still in the journal, does not hide the newer one
    await db.append([SamplesAdded("J1", 1, 1, 1, (_sample(5, POWER, 5.0),))])
    # and a newer one in the journal beats what was filed
    await db.append([SamplesAdded("J1", 2, 1, 2, (_sample(1, POWER, 1.0),))])
    await file_samples(db)
    await db.append([SamplesAdded("J1", 2, 1, 2, (_sample(2, POWER, 2.0),))])

    latest = await db.read(lambda uow: uow.transactions.latest_samples([1, 2, 3], POWER))
    assert {pk: s.value for pk, s in latest.items()} == {1: 11.0, 2: 2.0}
