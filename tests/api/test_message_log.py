"""The per-station message log: bounded per station, written in small chunks."""

from __future__ import annotations

from csms.clock import SystemClock
from csms.services.message_log import MessageLog
from tests.api.support import register
from tests.conftest import ServerFactory, api_client
from tests.helpers import BOOT_16, raw_station


async def test_each_station_keeps_its_newest_frames_and_no_more(
    server_factory: ServerFactory,
) -> None:
    server = await server_factory(message_log_size=4)
    async with api_client(server) as api:
        for station_id in ("LOG1", "LOG2"):
            await register(api, station_id)
        async with raw_station(server, "LOG1") as one, raw_station(server, "LOG2") as two:
            await one.ok("BootNotification", BOOT_16)
            await two.ok("BootNotification", BOOT_16)
            for _ in range(10):
                await one.ok("Heartbeat", {})
            await server._flush()
        frames = (await api.get("/stations/LOG1/messages", params={"limit": 1000})).json()
        assert len(frames) == 4
        assert [f["direction"] for f in frames] == ["out", "in", "out", "in"]  # newest first
        # LOG2 wrote two frames: under half its size again, so it was not cut
        assert len((await api.get("/stations/LOG2/messages")).json()) == 2
        # turned off, the log still shows what it kept
        server.services.message_log.size = 0
        assert len((await api.get("/stations/LOG1/messages")).json()) >= 4


def test_a_flush_is_written_in_bounded_chunks_of_whole_stations() -> None:
    log = MessageLog(SystemClock(), size=150)
    for n in range(5000):
        log.record(f"S{n % 50}", "in", "[2]")
    chunks = log.chunks(log.drain())
    assert [sum(map(len, c.values())) for c in chunks] == [MessageLog.CHUNK] * 5
    assert [len(c) for c in chunks] == [10] * 5  # whole stations, none split
    # 100 frames each, past half the size: each station of the chunk is cut back
    assert log._due_for_trim(chunks[0]) == sorted(f"S{n}" for n in range(10))


def test_a_station_buffers_at_most_its_size_and_the_buffer_its_bound() -> None:
    log = MessageLog(SystemClock(), size=3, max_buffer=10)
    for n in range(12):
        log.record("A", "in", f"[{n}]")
    assert log.dropped == 2  # the buffer's bound: frames past it are not kept
    frames = log.drain()["A"]
    assert [f for _, _, f in frames] == ["[7]", "[8]", "[9]"]  # the station's newest 3
    assert [d for _, d, _ in frames] == ["in"] * 3
    assert all(isinstance(at, int) for at, _, _ in frames)


def test_nothing_is_buffered_when_the_log_is_off() -> None:
    log = MessageLog(SystemClock(), size=0)
    log.record("A", "in", "[2]")
    assert log.drain() == {}
