"""What one `csms serve` process asks of the operating system before it starts serving."""

from __future__ import annotations

import asyncio
import gc
import logging
import resource
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

log = logging.getLogger("csms")

T = TypeVar("T")

# Every connected station holds one descriptor; the database, logs and the API a few more.
DESCRIPTORS_PER_PROCESS_RESERVE = 256


def raise_open_files_limit() -> int:
    """Lift the soft limit on open files to the hard limit (a default soft limit of 1024
    would cap a server at about a thousand stations); returns the limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, 1_048_576)
    if soft == resource.RLIM_INFINITY or soft >= target:
        return soft
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    except (ValueError, OSError) as e:
        log.warning("could not raise the open-files limit from %d: %s", soft, e)
        return soft
    return target


def station_capacity(open_files: int) -> int:
    return max(0, open_files - DESCRIPTORS_PER_PROCESS_RESERVE)


def tune_garbage_collector() -> None:
    """A server holding thousands of connections has millions of long-lived objects: with the
    default thresholds a full collection walks them all every few seconds, a pause of tens of
    milliseconds that every station in flight waits out. Objects made at start are frozen out
    of collections, and collections of the young generations come less often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


def run(main: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run on uvloop where it is installed: its socket and scheduling paths are several
    times cheaper per message than the stdlib loop's."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(main())
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(main())
