"""Domain events and cache invalidations for every node.

Two event buses per node: `local` carries what happened on this node (the workers that act on
a station's behalf, such as costs or local lists, listen there, so only the station's node
acts); `everywhere` also carries what other nodes published (the SSE stream and the planner
listen there). Events about no station (id tokens, sites, defaults changed) concern every
node, so they reach `local` too. A node ignores its own broadcasts: no echo.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from csms.cluster.messages import EventNote, InvalidationNote, encode
from csms.cluster.wiring import Keys, Outbox
from csms.domain.events import Event
from csms.services.eventbus import EventBus
from csms.services.invalidation import Invalidation, LocalInvalidations

log = logging.getLogger(__name__)


class EventRelay:
    """The EventSink of this node's database and services."""

    def __init__(self, keys: Keys, outbox: Outbox, local: EventBus, everywhere: EventBus) -> None:
        self._keys = keys
        self._outbox = outbox
        self.local = local
        self.everywhere = everywhere
        self._remote_listeners: list[Callable[[Event], None]] = []

    def on_remote(self, listener: Callable[[Event], None]) -> None:
        """Call `listener` for each event another node committed (after the buses)."""
        self._remote_listeners.append(listener)

    def publish(self, event: Event) -> None:
        self.local.publish(event)
        self.everywhere.publish(event)
        self._outbox.publish(self._keys.events, encode(
            EventNote(self._keys.node_id, event.type, event.station_id, event.data)))

    def received(self, note: EventNote) -> None:
        if note.sender == self._keys.node_id:
            return
        event = note.event()
        self.everywhere.publish(event)
        if not event.station_id:
            self.local.publish(event)
        for listener in self._remote_listeners:
            try:
                listener(event)
            except Exception:
                log.exception("listener of other nodes' events failed on %s", event.type)


class ClusterInvalidations(LocalInvalidations):
    """Invalidations published here run the handlers of every other node."""

    def __init__(self, keys: Keys, outbox: Outbox) -> None:
        super().__init__()
        self._keys = keys
        self._outbox = outbox
        self._spawn: Callable[[Coroutine[Any, Any, None]], object] | None = None

    def run_with(self, spawn: Callable[[Coroutine[Any, Any, None]], object]) -> None:
        """Async handlers run as tasks of the node's task group (owned, never fire-and-forget)."""
        self._spawn = spawn

    def publish(self, invalidation: Invalidation) -> None:
        self._outbox.publish(self._keys.invalidations, encode(
            InvalidationNote(self._keys.node_id, invalidation.kind, invalidation.key)))

    def received(self, note: InvalidationNote) -> None:
        if note.sender != self._keys.node_id:
            self.deliver(Invalidation(note.kind, note.key))

    def deliver(self, invalidation: Invalidation) -> None:
        """Run this node's handlers of the invalidation's kind."""
        for handler in self.handlers.get(invalidation.kind, ()):
            try:
                outcome = handler(invalidation)
            except Exception:  # a cache that cannot drop an entry must not stop the others
                log.exception("invalidation handler failed for %s", invalidation)
                continue
            if inspect.isawaitable(outcome):
                if self._spawn is not None:  # set before the node reads any message
                    self._spawn(_logged(outcome, invalidation))
                elif inspect.iscoroutine(outcome):
                    outcome.close()


async def _logged(outcome: Awaitable[None], invalidation: Invalidation) -> None:
    try:
        await outcome
    except Exception:
        log.exception("invalidation handler failed for %s", invalidation)
