"""In-process publish/subscribe of committed domain events (the API's SSE stream reads it)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from csms.domain.events import Event

log = logging.getLogger(__name__)


class EventBus:
    """Fan-out with bounded queues: a slow subscriber loses events, never slows stations."""

    def __init__(self, queue_size: int = 1000) -> None:
        self._subscribers: set[asyncio.Queue[Event]] = set()
        self._listeners: list[Callable[[Event], None]] = []
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
        for q in self._subscribers:
            try:
                q.put_nowait(event)
            except asyncio.QueueFull:
                log.warning("event subscriber too slow; dropped %s", event.type)

    @asynccontextmanager
    async def subscribe(self) -> AsyncIterator[asyncio.Queue[Event]]:
        q: asyncio.Queue[Event] = asyncio.Queue(self._queue_size)
        self._subscribers.add(q)
        try:
            yield q
        finally:
            self._subscribers.discard(q)
