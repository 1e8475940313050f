"""A bounded per-station log of OCPP frames, for support: what did this charger say?

Frames are buffered in memory, per station, and written in batches by a worker, off the reply
path. Readers are shown each station's newest `size` frames; the table keeps those, up to half
as many more written since the station's last trim, and the rest of the oldest pack kept.

Every frame of every station passes through `record`, so it does the least it can: a time as
integer microseconds and an append to the station's own list (a list, not a bounded deque:
most stations have a few frames between flushes, and a deque's first block alone is half a
kilobyte). A flush keeps each station's newest `size` (older ones would be cut
from the table anyway) and hands them over as they are, without sorting or grouping, in
bounded chunks of whole stations, and a station is trimmed only once it wrote half its size
again: a flush shares the group commit with stations' replies, so each of its writes must
stay small.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from csms.clock import Clock, micros
from csms.services.ports import Database, LoggedFrame, UnitOfWork

log = logging.getLogger(__name__)


class MessageLog:
    CHUNK = 1000  # frames per write: a few ms of the writer, never one long commit

    def __init__(self, clock: Clock, size: int, max_buffer: int = 100_000,
                 redact: Callable[[str], str] = str) -> None:
        self._now_us = micros(clock)
        # Secrets (passwords, upload URLs, private keys) are masked before a frame is kept:
        # the log is readable by every viewer of the station.
        self._redact = redact
        self.size = size
        self._max = max_buffer
        self._frames: dict[str, list[LoggedFrame]] = {}
        self._held = 0
        self.dropped = 0  # frames not kept because the buffer was full
        self._since_trim: dict[str, int] = {}
        # Two flushes at once (the periodic one and a reader's) would commit a station's
        # frames out of order; the second waits.
        self._flushing = asyncio.Lock()

    def record(self, station_id: str, direction: str, frame: str) -> None:
        """`direction` is "in" (from the station) or "out"."""
        if self.size <= 0:
            return
        if self._held >= self._max:
            self.dropped += 1
            return
        self._held += 1
        entry = (self._now_us(), direction, self._redact(frame)[:65536])
        frames = self._frames.get(station_id)
        if frames is None:
            self._frames[station_id] = [entry]
        else:
            frames.append(entry)

    def drain(self) -> dict[str, list[LoggedFrame]]:
        """Each station's newest `size` buffered frames, oldest first; the buffer starts
        afresh."""
        stations, self._frames, self._held = self._frames, {}, 0
        size = self.size
        for station_id, frames in stations.items():
            if len(frames) > size:
                stations[station_id] = frames[-size:]
        return stations

    async def flush(self, db: Database) -> None:
        async with self._flushing:
            if self.dropped:
                log.warning("message log: %d frames not kept, the buffer of %d was full",
                            self.dropped, self._max)
                self.dropped = 0
            for chunk in self.chunks(self.drain()):
                trim = self._due_for_trim(chunk)

                def work(uow: UnitOfWork, chunk: dict[str, list[LoggedFrame]] = chunk,
                         trim: list[str] = trim) -> None:
                    uow.messages.append(chunk, keep=self.size, trim=trim)

                await db.write(work)

    def chunks(self, stations: dict[str, list[LoggedFrame]]
               ) -> list[dict[str, list[LoggedFrame]]]:
        """Whole stations, about CHUNK frames at a time."""
        out: list[dict[str, list[LoggedFrame]]] = []
        chunk: dict[str, list[LoggedFrame]] = {}
        held = 0
        for station_id, frames in stations.items():
            chunk[station_id] = frames
            held += len(frames)
            if held >= self.CHUNK:
                out.append(chunk)
                chunk, held = {}, 0
        if chunk:
            out.append(chunk)
        return out

    def _due_for_trim(self, chunk: dict[str, list[LoggedFrame]]) -> list[str]:
        """The stations of this chunk that wrote half their size again since their last trim
        (only they can have become due: the others are not looked at)."""
        threshold = max(1, self.size // 2)
        due: list[str] = []
        since = self._since_trim
        for station_id, frames in chunk.items():
            n = len(frames) + since.get(station_id, 0)
            if n >= threshold:
                due.append(station_id)
                n %= threshold
            since[station_id] = n
        return sorted(due)
