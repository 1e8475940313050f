"""An injectable clock, so tests and simulated days can move time without sleeping."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def micros(clock: Clock) -> Callable[[], int]:
    """The clock's time as integer microseconds since the epoch. The system clock's is read
    without building a datetime (0.1 against 0.5 us): the message log stamps every frame."""
    if type(clock) is SystemClock:
        ns = time.time_ns
        return lambda: ns() // 1000
    return lambda: (clock.now() - EPOCH) // MICROSECOND


def from_micros(us: int) -> datetime:
    return EPOCH + us * MICROSECOND
