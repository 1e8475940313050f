"""Simulated time: lets a one-hour charging session run in seconds.

Every duration in the simulators (meter interval, heartbeat, charge duration)
is expressed in simulated seconds; the clock converts them to wall time with
its ``speed`` factor.  Timestamps sent to the CSMS are simulated too, so the
energy/time ratio the server sees stays physically consistent.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta


def iso(ts: datetime) -> str:
    """Format a datetime as UTC ISO 8601 with a ``Z`` suffix (millisecond precision)."""
    ts = ts.astimezone(UTC)
    return ts.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond // 1000:03d}Z"


def parse_iso(value: str) -> datetime:
    """Parse an OCPP timestamp (``Z`` or offset); naive values are taken as UTC."""
    ts = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return ts if ts.tzinfo else ts.replace(tzinfo=UTC)


class SimClock:
    """A monotonic clock running ``speed`` times faster than the wall clock.

    ``wall`` and ``epoch`` are injectable so tests can drive time by hand.
    """

    def __init__(
        self,
        speed: float = 1.0,
        *,
        wall: Callable[[], float] = time.monotonic,
        epoch: datetime | None = None,
    ) -> None:
        if speed <= 0:
            raise ValueError("speed must be > 0")
        self.speed = speed
        self._wall = wall
        self._wall0 = wall()
        self._epoch = epoch or datetime.now(UTC)

    def monotonic(self) -> float:
        """Simulated seconds elapsed since the clock was created."""
        return (self._wall() - self._wall0) * self.speed

    def now(self) -> datetime:
        """Current simulated UTC time."""
        return self._epoch + timedelta(seconds=self.monotonic())

    def iso_now(self) -> str:
        """Current simulated time as an OCPP timestamp."""
        return iso(self.now())

    def wall_seconds(self, sim_seconds: float) -> float:
        """Wall-clock duration of ``sim_seconds`` simulated seconds."""
        return max(0.0, sim_seconds) / self.speed

    async def sleep(self, sim_seconds: float) -> None:
        """Sleep for ``sim_seconds`` of simulated time."""
        await asyncio.sleep(self.wall_seconds(sim_seconds))

    async def wait(self, event: asyncio.Event, sim_seconds: float) -> bool:
        """Wait for ``event`` at most ``sim_seconds`` simulated; True if it was set."""
        try:  # asyncio.timeout: wait_for can swallow a cancellation on Python 3.11
            async with asyncio.timeout(self.wall_seconds(sim_seconds)):
                await event.wait()
        except TimeoutError:
            return event.is_set()
        return True
