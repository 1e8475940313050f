"""The message log's packs: a station's frames of one write in one row, read back newest
first across packs, trimmed to whole packs holding the newest frames; and the migration that
packs a log kept a row per frame (and unpacks it on the way down)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import command
from sqlalchemy.ext.asyncio import create_async_engine

from csms.clock import EPOCH, MICROSECOND, SystemClock
from csms.persistence.database import SqlDatabase
from csms.persistence.message_packs import frames_of, pack, unpack
from csms.persistence.migrate import alembic_config, upgrade
from csms.services.message_log import MessageLog
from csms.services.ports import LoggedFrame, UnitOfWork

T0 = datetime(2026, 12, 7, 3, 0, 0, 250000, tzinfo=UTC)


def frame(i: int) -> str:
    return f'[2,"{i}","Heartbeat",{{}}]'


def us(at: datetime) -> int:
    return (at - EPOCH) // MICROSECOND


def test_a_pack_reads_back_what_went_in_with_its_instants_in_utc() -> None:
    frames = [(us(T0), "in", '[2,"1","Heartbeat",{}]'),
              (us(T0) + 1, "out", 'not json \n "quoted"')]
    back = unpack(pack(frames))
    assert back == [(T0, "in", frames[0][2]), (T0 + MICROSECOND, "out", frames[1][2])]
    assert all(at.utcoffset() == timedelta(0) for at, _, _ in back)


def test_packs_written_with_text_times_still_read() -> None:
    import zlib

    import orjson
    old = zlib.compress(orjson.dumps([[T0.isoformat(), "in", frame(1)]]))
    assert unpack(old) == [(T0, "in", frame(1))]
    assert frames_of(old) == [(us(T0), "in", frame(1))]


async def test_recent_spans_packs_newest_first_and_trim_keeps_whole_packs(url: str) -> None:
    await asyncio.to_thread(upgrade, url)
    db = SqlDatabase(url)
    await db.start()
    try:
        for n in range(5):  # five writes of four frames each, and one of another station
            stations = {
                "A": [(us(T0 + timedelta(seconds=4 * n + i)), "in", frame(4 * n + i))
                      for i in range(4)],
                "B": [(us(T0), "out", frame(99))]}
            trim = ["A"] if n == 4 else []

            def write(uow: UnitOfWork, stations: dict[str, list[LoggedFrame]] = stations,
                      trim: list[str] = trim) -> None:
                uow.messages.append(stations, keep=6, trim=trim)

            await db.write(write)
        newest = await db.read(lambda uow: uow.messages.recent("A", limit=100))
        # trimmed to the packs holding the newest 6 frames: the last two, whole
        assert [f for _, _, f in newest] == [frame(i) for i in range(19, 11, -1)]
        newest = await db.read(lambda uow: uow.messages.recent("A", limit=6))
        assert [at for at, _, _ in newest] == [T0 + timedelta(seconds=i)
                                               for i in range(19, 13, -1)]
        engine = create_async_engine(url)
        async with engine.connect() as conn:
            packs = (await conn.execute(sa.text(
                "SELECT frames FROM ocpp_message_packs WHERE station_id = 'A' ORDER BY id"))
            ).scalars().all()
        await engine.dispose()
        assert packs == [4, 4]
        assert [f for _, _, f in await db.read(lambda uow: uow.messages.recent("A", 5))] == \
            [frame(i) for i in range(19, 14, -1)]
        assert len(await db.read(lambda uow: uow.messages.recent("B"))) == 5
        assert await db.read(lambda uow: uow.messages.recent("nobody")) == []
    finally:
        await db.stop()


async def test_a_flush_writes_one_pack_per_station(url: str) -> None:
    await asyncio.to_thread(upgrade, url)
    db = SqlDatabase(url)
    await db.start()
    try:
        log = MessageLog(SystemClock(), size=200)
        for i in range(30):  # interleaved, as stations talk
            log.record(f"S{i % 3}", "in", frame(i))
        await log.flush(db)
        engine = create_async_engine(url)
        async with engine.connect() as conn:
            rows = (await conn.execute(sa.text(
                "SELECT station_id, frames FROM ocpp_message_packs ORDER BY station_id"))).all()
        await engine.dispose()
        assert [tuple(r) for r in rows] == [("S0", 10), ("S1", 10), ("S2", 10)]
        got = await db.read(lambda uow: uow.messages.recent("S1", 3))
        assert [f for _, _, f in got] == [frame(28), frame(25), frame(22)]
    finally:
        await db.stop()


_ROWS = sa.table("ocpp_messages", sa.column("station_id"), sa.column("at", sa.DateTime(True)),
                 sa.column("direction"), sa.column("frame"))


async def test_the_migration_packs_a_log_kept_a_row_per_frame_and_unpacks_it_down(
    url: str,
) -> None:
    await asyncio.to_thread(upgrade, url, "0016")
    old = [{"station_id": s, "at": T0 + timedelta(seconds=i), "direction": "in",
            "frame": frame(i)} for i in range(150) for s in ("X",)]
    old.append({"station_id": "Y", "at": T0, "direction": "out", "frame": frame(7)})
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(sa.insert(_ROWS), old)
    await asyncio.to_thread(upgrade, url)

    db = SqlDatabase(url)
    await db.start()
    try:
        x = await db.read(lambda uow: uow.messages.recent("X", limit=1000))
        y = await db.read(lambda uow: uow.messages.recent("Y"))
    finally:
        await db.stop()
    assert [(at, f) for at, _, f in x] == [(T0 + timedelta(seconds=i), frame(i))
                                           for i in range(149, -1, -1)]
    assert y == [(T0, "out", frame(7))]

    await asyncio.to_thread(command.downgrade, alembic_config(url), "0016")
    async with engine.connect() as conn:
        rows = (await conn.execute(sa.select(_ROWS).order_by(sa.text("id")))).all()
    await engine.dispose()
    assert sorted((r.station_id, r.at.replace(tzinfo=UTC) if r.at.tzinfo is None else r.at,
                   r.frame) for r in rows) == \
        sorted((o["station_id"], o["at"], o["frame"]) for o in old)
