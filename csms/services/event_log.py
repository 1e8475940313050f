"""The recent events, numbered, so that a reader who reconnects gets what it missed.

It listens to the EventBus (local events, and those relayed from other nodes) synchronously:
every committed event passes through `append`, about one per station message, so a task woken
per event (a queue put, a wake-up, a get: 6.6 us an event, against 2.0 for the listener) cost
more than the copy itself; readers are woken only when some wait.

An id is `EPOCH-SEQ`: the epoch changes at every start, so an id from before a restart (or
from another node) is recognised as unknown instead of being misread.
"""

from __future__ import annotations

import asyncio
import secrets
from collections import deque
from typing import NamedTuple

from csms.domain.events import Event


class Numbered(NamedTuple):
    seq: int
    event: Event


class EventLog:
    def __init__(self, size: int = 2000) -> None:
        self.epoch = secrets.token_hex(4)
        self._ring: deque[Numbered] = deque(maxlen=size)
        self._seq = 0
        self._changed = asyncio.Event()
        self._waiting = 0

    @property
    def last_seq(self) -> int:
        return self._seq

    def event_id(self, seq: int) -> str:
        return f"{self.epoch}-{seq}"

    def position(self, last_event_id: str | None) -> int | None:
        """The sequence number to resume after; None: the id is unknown or too old to resume."""
        if last_event_id is None:
            return self._seq
        epoch, _, seq = last_event_id.strip().partition("-")
        if epoch != self.epoch or not seq.isdigit() or int(seq) > self._seq:
            return None
        oldest = self._ring[0].seq if self._ring else self._seq + 1
        return int(seq) if int(seq) >= oldest - 1 else None

    def append(self, event: Event) -> None:
        self._seq += 1
        self._ring.append(Numbered(self._seq, event))
        if self._waiting:
            changed, self._changed = self._changed, asyncio.Event()
            changed.set()

    def after(self, seq: int) -> list[Numbered] | None:
        """Events after `seq`; None when some of them already left the ring."""
        if seq >= self._seq:
            return []
        if not self._ring or self._ring[0].seq > seq + 1:
            return None
        first = seq + 1 - self._ring[0].seq
        return [self._ring[i] for i in range(first, len(self._ring))]

    async def wait(self, seq: int) -> None:
        """Until there is an event after `seq`."""
        while self._seq <= seq:
            self._waiting += 1
            try:
                await self._changed.wait()
            finally:
                self._waiting -= 1
