"""The per-station message log: bounded per station, written in small chunks."""

from __future__ import annotations

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


def test_a_flush_is_written_in_bounded_chunks() -> None:
    class Clock:
        def now(self) -> object:
            return None

    log = MessageLog(Clock(), size=10)  # type: ignore[arg-type]
    for n in range(1000):
        log.record(f"S{n % 3}", "in", "[2]")
    entries = log.drain()
    chunks = [entries[i:i + MessageLog.CHUNK] for i in range(0, len(entries), MessageLog.CHUNK)]
    assert {len(c) for c in chunks} == {MessageLog.CHUNK}
    assert sorted(log._due_for_trim(chunks[0])) == ["S0", "S1", "S2"]
