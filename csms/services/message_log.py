"""A bounded per-station log of OCPP frames, for support: what did this charger say?

Frames are buffered in memory and written in batches by a worker, off the reply path; the
table keeps the newest `size` frames per station (up to half as many more between trims).
A flush writes each station's frames together (the store keeps them as one row per station
per write), in bounded chunks of whole stations, and a station is trimmed only once it wrote
half its size again: a flush shares the group commit with stations' replies, so each of its
writes must stay small.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable
from datetime import datetime
from operator import itemgetter

from csms.clock import Clock
from csms.services.ports import Database, UnitOfWork


class MessageLog:
    CHUNK = 1000  # frames per write: a few ms of the writer, never one long commit

    def __init__(self, clock: Clock, size: int, max_buffer: int = 100_000,
                 redact: Callable[[str], str] = str) -> None:
        self._clock = clock
        # Secrets (passwords, upload URLs, private keys) are masked before a frame is kept:
        # the log is readable by every viewer of the station.
        self._redact = redact
        self.size = size
        self._buffer: deque[tuple[str, datetime, str, str]] = deque(maxlen=max_buffer)
        self._since_trim: dict[str, int] = {}

    def record(self, station_id: str, direction: str, frame: str) -> None:
        """`direction` is "in" (from the station) or "out"."""
        if self.size > 0:
            self._buffer.append((station_id, self._clock.now(), direction,
                                 self._redact(frame)[:65536]))

    def drain(self) -> list[tuple[str, datetime, str, str]]:
        entries = list(self._buffer)
        self._buffer.clear()
        return entries

    async def flush(self, db: Database) -> None:
        entries = self.drain()
        entries.sort(key=lambda e: e[0])  # stable: each station's frames stay in order
        for first in range(0, len(entries), self.CHUNK):
            chunk = entries[first:first + self.CHUNK]
            trim = self._due_for_trim(chunk)

            def work(uow: UnitOfWork, chunk: list[tuple[str, datetime, str, str]] = chunk,
                     trim: list[str] = trim) -> None:
                uow.messages.append(chunk, keep=self.size, trim=trim)

            await db.write(work)

    def _due_for_trim(self, chunk: list[tuple[str, datetime, str, str]]) -> list[str]:
        """The stations of this chunk that wrote half their size again since their last trim
        (only they can have become due: the others are not looked at)."""
        threshold = max(1, self.size // 2)
        due: list[str] = []
        since = self._since_trim
        for station_id, n in Counter(map(itemgetter(0), chunk)).items():
            n += since.get(station_id, 0)
            if n >= threshold:
                due.append(station_id)
                n %= threshold
            since[station_id] = n
        return sorted(due)
