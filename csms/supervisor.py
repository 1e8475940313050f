"""The owner of the server's background loops.

Every long-running loop of a `csms serve` process (the API server, the keepalive, the planner,
the event followers, ...) is started here under a name. A loop that fails is logged with its
traceback; then either it is restarted after a back-off that grows while it keeps failing (for
loops that keep no state across a restart: they re-subscribe and re-read) or, for a loop the
server cannot run without, the supervisor reports the failure (`when_failed`) and the server
stops cleanly. `stop()` ends the loops in the reverse order of their start and never raises:
what the server shuts down after it (the database writer above all) always runs.

Why not a bare `asyncio.TaskGroup`: a group cancels every sibling on the first failure and
ends them in no particular order; here a failing loop may be restarted, and shutdown order
matters (the API stops before the workers that feed it). Like a group, nothing started here
outlives `stop()`, and no exception is left unretrieved.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

Loop = Callable[[], Coroutine[Any, Any, None]]


@dataclass(frozen=True)
class Backoff:
    """Restart delays: `first` seconds, doubled after each failure up to `most`; back to
    `first` once a run has lasted `healthy_s`."""

    first: float = 1.0
    most: float = 60.0
    healthy_s: float = 60.0

    def next(self, delay: float) -> float:
        return min(delay * 2, self.most)


@dataclass(frozen=True)
class Failure:
    """A loop the server cannot run without has failed."""

    name: str
    error: BaseException


@dataclass
class _Loop:
    name: str
    run: Loop
    backoff: Backoff | None  # None: essential, a failure stops the server
    ask_to_stop: Callable[[], None] | None
    task: asyncio.Task[None] | None = None


class Supervisor:
    def __init__(self, sleep: Callable[[float], Coroutine[Any, Any, None]] = asyncio.sleep,
                 now: Callable[[], float] | None = None) -> None:
        self._sleep = sleep
        self._now = now
        self._loops: list[_Loop] = []
        self._closing = False
        self.failure: Failure | None = None
        self._on_failure: list[Callable[[], None]] = []
        self.restarts: dict[str, int] = {}

    def start(self, name: str, run: Loop, *, restart: Backoff | None = Backoff(),
              ask_to_stop: Callable[[], None] | None = None) -> None:
        """Run `run()` as the loop `name`. `restart=None` makes it essential: its failure
        (or its end) stops the server. `ask_to_stop` lets it end by itself at shutdown
        instead of being cancelled (uvicorn finishes its requests that way)."""
        if any(loop.name == name for loop in self._loops):
            raise ValueError(f"a loop named {name!r} is already running")
        loop = _Loop(name, run, restart, ask_to_stop)
        loop.task = asyncio.get_running_loop().create_task(self._keep(loop), name=name)
        self._loops.append(loop)

    @property
    def names(self) -> list[str]:
        return [loop.name for loop in self._loops]

    async def _keep(self, loop: _Loop) -> None:
        backoff = loop.backoff
        delay = backoff.first if backoff else 0.0
        clock = self._now or asyncio.get_running_loop().time
        while True:
            started = clock()
            try:
                await loop.run()
            except asyncio.CancelledError:
                raise
            except Exception as e:
                if self._closing or _stopping():
                    log.exception("background loop %s failed while stopping", loop.name)
                    return
                log.exception("background loop %s failed", loop.name)
                if backoff is None:
                    self._fail(loop.name, e)
                    return
            else:
                if backoff is None and not (self._closing or _stopping()):
                    log.error("background loop %s ended", loop.name)
                    self._fail(loop.name, RuntimeError(f"{loop.name} ended"))
                return
            if clock() - started >= backoff.healthy_s:
                delay = backoff.first
            self.restarts[loop.name] = self.restarts.get(loop.name, 0) + 1
            log.warning("restarting background loop %s in %.1f s", loop.name, delay)
            await self._sleep(delay)
            delay = backoff.next(delay)

    def _fail(self, name: str, error: BaseException) -> None:
        if self.failure is not None:
            return
        self.failure = Failure(name, error)
        for callback in self._on_failure:
            callback()

    def when_failed(self, callback: Callable[[], None]) -> None:
        """Call `callback` when an essential loop fails (the server then stops)."""
        if self.failure is not None:
            callback()
        else:
            self._on_failure.append(callback)

    async def stop(self) -> None:
        """End every loop, the last started first; never raises (a loop that fails while
        stopping is logged), so what the caller stops after this always runs."""
        self._closing = True
        while self._loops:
            loop = self._loops.pop()
            task = loop.task
            if task is None:
                continue
            if loop.ask_to_stop is not None:
                loop.ask_to_stop()
            else:
                task.cancel()
            try:
                await asyncio.shield(task)
            except asyncio.CancelledError:
                current = asyncio.current_task()
                if current is not None and current.cancelling():
                    for rest in (loop, *self._loops):
                        if rest.task is not None:
                            rest.task.cancel()
                    raise
            except Exception:  # _keep catches the loop's own errors: this is a bug of ours
                log.exception("background loop %s did not stop cleanly", loop.name)


def _stopping() -> bool:
    """The running loop's task is being cancelled: the failure is part of shutting down."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0
