"""Cache invalidations: a writer says "this entry changed", every node's caches drop it.

A cache registers a handler per kind (`id_token`, ...); the writer publishes after its commit.
In one process the handlers run at once; in a cluster the same message also reaches the
handlers of every other node (csms.cluster).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Invalidation:
    """`key` of the cache of `kind` is stale (an empty key: all of that kind)."""

    kind: str
    key: str = ""


Handler = Callable[[Invalidation], None]


class Invalidations(Protocol):
    def publish(self, invalidation: Invalidation) -> None:
        """Tell every node's handlers of that kind, this node's first (never blocks)."""
        ...
    def on(self, kind: str, handler: Handler) -> None: ...


class LocalInvalidations:
    """One process: publishing runs this process's handlers, and that is everyone."""

    def __init__(self) -> None:
        self._handlers: dict[str, list[Handler]] = {}

    def on(self, kind: str, handler: Handler) -> None:
        self._handlers.setdefault(kind, []).append(handler)

    def publish(self, invalidation: Invalidation) -> None:
        self.deliver(invalidation)

    def deliver(self, invalidation: Invalidation) -> None:
        """Run the handlers of its kind; a failing handler does not stop the others."""
        for handler in self._handlers.get(invalidation.kind, ()):
            try:
                handler(invalidation)
            except Exception:  # a cache that cannot drop an entry must not break the writer
                log.exception("invalidation handler failed for %s", invalidation)
