"""The group-commit writer: shared commits, isolation of a failing write, nothing half-written."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from csms.domain.model import IdToken, Station
from csms.persistence.database import GATHER_S, SqlDatabase
from csms.services.ports import UnitOfWork

NOW = datetime(2026, 11, 27, tzinfo=UTC)
# A write whose future is never resolved hangs its test: fail it in seconds, not at the
# suite's 120 s timeout.
pytestmark = pytest.mark.timeout(30)


def add_station(station_id: str):  # type: ignore[no-untyped-def]
    def work(uow: UnitOfWork) -> str:
        uow.stations.add(Station(id=station_id, created_at=NOW))
        return station_id

    return work


async def test_concurrent_writes_share_commits_and_all_land(db: SqlDatabase) -> None:
    ids = [f"S{i:03d}" for i in range(200)]
    results = await asyncio.gather(*(db.write(add_station(i)) for i in ids))
    assert results == ids
    stored = await db.read(lambda uow: uow.stations.all())
    assert sorted(s.id for s in stored) == ids
    assert db.writes == 200
    assert db.batches < 200  # group commit actually grouped


async def test_under_load_the_writer_waits_for_more_writes_and_alone_it_does_not(
    db: SqlDatabase,
) -> None:
    await asyncio.gather(*(db.write(add_station(f"L{i}")) for i in range(10)))  # load seen
    batches = db.batches

    async def later(station_id: str, delay: float) -> str:
        await asyncio.sleep(delay)
        return await db.write(add_station(station_id))

    # the second write comes 2 ms after the first: under load both share one commit
    await asyncio.gather(later("G1", 0), later("G2", GATHER_S * 0.4))
    assert db.batches == batches + 1
    # now the writer saw a batch of two, under GATHER_AFTER: the same two commit apart
    await asyncio.gather(later("A1", 0), later("A2", GATHER_S * 0.4))
    assert db.batches == batches + 3


async def test_failing_write_is_isolated_and_leaves_nothing(db: SqlDatabase) -> None:
    class Boom(Exception):
        pass

    def half_then_fail(uow: UnitOfWork) -> None:
        uow.tokens.add(IdToken("HALF"))
        raise Boom("refused")

    jobs = [db.write(add_station(f"OK{i}")) for i in range(10)]
    jobs.insert(5, db.write(half_then_fail))
    results = await asyncio.gather(*jobs, return_exceptions=True)
    assert isinstance(results[5], Boom)
    assert [r for i, r in enumerate(results) if i != 5] == [f"OK{i}" for i in range(10)]
    assert await db.read(lambda uow: uow.tokens.get("HALF")) is None
    assert len(await db.read(lambda uow: uow.stations.all())) == 10


async def test_duplicate_key_fails_only_its_own_write(db: SqlDatabase) -> None:
    await db.write(add_station("DUP"))
    results = await asyncio.gather(
        db.write(add_station("A1")), db.write(add_station("DUP")), db.write(add_station("A2")),
        return_exceptions=True,
    )
    assert results[0] == "A1" and results[2] == "A2"
    assert isinstance(results[1], Exception)
    assert {s.id for s in await db.read(lambda uow: uow.stations.all())} == {"DUP", "A1", "A2"}
