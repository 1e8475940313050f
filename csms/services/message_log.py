"""A bounded per-station log of OCPP frames, for support: what did this charger say?

Frames are buffered in memory and written in batches by a worker, off the reply path; the
table keeps the newest `size` frames per station.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from datetime import datetime

from csms.clock import Clock
from csms.services.ports import Database, UnitOfWork


class MessageLog:
    def __init__(self, clock: Clock, size: int, max_buffer: int = 100_000,
                 redact: Callable[[str], str] = str) -> None:
        self._clock = clock
        # Secrets (passwords, upload URLs, private keys) are masked before a frame is kept:
        # the log is readable by every viewer of the station.
        self._redact = redact
        self.size = size
        self._buffer: deque[tuple[str, datetime, str, str]] = deque(maxlen=max_buffer)

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
        if not entries:
            return

        def work(uow: UnitOfWork) -> None:
            uow.messages.append(entries, keep=self.size)

        await db.write(work)
