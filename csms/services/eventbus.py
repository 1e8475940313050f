"""In-process publish/subscribe of committed domain events (the API's SSE stream reads it)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager

from csms.domain.events import Event

log = logging.getLogger(__name__)


class EventBus:
    """Fan-out with bounded queues: a slow subscriber loses events, never slows stations."""

    def __init__(self, queue_size: int = 1000) -> None:
        # Each subscriber's queue with the event types it wants (None: all of them).
        self._subscribers: dict[asyncio.Queue[Event], frozenset[type[Event]] | None] = {}
        self._listeners: list[Callable[[Event], None]] = []
        self._dropped: dict[asyncio.Queue[Event], int] = {}
        self._queue_size = queue_size

    def listen(self, listener: Callable[[Event], None]) -> None:
        """Call `listener` synchronously on publish: for in-memory state that must follow a
        commit before anyone can act on it (never for slow work)."""
        self._listeners.append(listener)

    def publish(self, event: Event) -> None:
        for listener in self._listeners:
            try:
                listener(event)
            except Exception:
                log.exception("event listener failed on %s", event.type)
        for q, types in self._subscribers.items():
            if types is not None and type(event) not in types:
                continue
            try:
                q.put_nowait(event)
            except asyncio.QueueFull:
                # Said once per 1000 drops: a stalled reader must not flood the log.
                dropped = self._dropped.get(q, 0)
                if dropped % 1000 == 0:
                    log.warning("event subscriber too slow; dropped %s (%d dropped so far)",
                                event.type, dropped + 1)
                self._dropped[q] = dropped + 1

    @asynccontextmanager
    async def subscribe(self, types: Iterable[type[Event]] | None = None
                        ) -> AsyncIterator[asyncio.Queue[Event]]:
        """A queue of the events of `types` (all when None). Naming the types keeps frequent
        events (a transaction's meter updates) out of the queues of those who ignore them."""
        q: asyncio.Queue[Event] = asyncio.Queue(self._queue_size)
        self._subscribers[q] = None if types is None else frozenset(types)
        try:
            yield q
        finally:
            self._subscribers.pop(q, None)
            self._dropped.pop(q, None)
