"""Cache invalidations: a writer says "this entry changed", the other nodes' caches re-read it.

The writer updates its own process's cache itself, after its commit; it then publishes an
`Invalidation` so that every other node of a cluster runs its handlers of that kind (a handler
may be async: a re-read from the database). In one process there is nobody else to tell, so
publishing does nothing (`LocalInvalidations`); csms.cluster carries them between nodes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Invalidation:
    """`key` of the cache of `kind` is stale (an empty key: all of that kind)."""

    kind: str
    key: str = ""


Handler = Callable[[Invalidation], Awaitable[None] | None]


class Invalidations(Protocol):
    def publish(self, invalidation: Invalidation) -> None:
        """Tell the handlers of that kind on every other node (never blocks)."""
        ...
    def on(self, kind: str, handler: Handler) -> None:
        """Run `handler` when another node publishes an invalidation of `kind`."""
        ...


class LocalInvalidations:
    """One process: the writer's cache is current already, and there is no other node."""

    def __init__(self) -> None:
        self.handlers: dict[str, list[Handler]] = {}

    def on(self, kind: str, handler: Handler) -> None:
        self.handlers.setdefault(kind, []).append(handler)

    def publish(self, invalidation: Invalidation) -> None:
        pass
