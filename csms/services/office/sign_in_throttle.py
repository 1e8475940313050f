"""Sign-in throttling: after repeated failures for one user name, or from one client, further
attempts are refused for a while (429), so that passwords cannot be guessed at speed.

Kept in memory per process: a cluster multiplies the allowance by its node count, which still
bounds guessing to a few attempts a minute.
"""

from __future__ import annotations

import math
from collections import deque
from datetime import datetime, timedelta

from csms.clock import Clock


class SignInThrottle:
    def __init__(self, clock: Clock, per_user: int = 5, per_client: int = 20,
                 window: timedelta = timedelta(minutes=15), max_keys: int = 10_000) -> None:
        self._clock = clock
        self._limits = {"user": per_user, "client": per_client}
        self._window = window
        self._max_keys = max_keys
        self._failures: dict[tuple[str, str], deque[datetime]] = {}

    def wait_s(self, username: str, client: str) -> int:
        """Seconds to wait before the next attempt is heard; 0: go ahead."""
        now = self._clock.now()
        wait = 0.0
        for key in (("user", username), ("client", client)):
            times = self._recent(key, now)
            if len(times) >= self._limits[key[0]]:
                wait = max(wait, (times[0] + self._window - now).total_seconds())
        return math.ceil(wait)

    def failed(self, username: str, client: str) -> None:
        now = self._clock.now()
        if len(self._failures) >= self._max_keys:  # memory stays bounded under a flood
            self._failures = {k: v for k, v in self._failures.items() if self._recent(k, now)}
        for key in (("user", username), ("client", client)):
            self._failures.setdefault(key, deque(maxlen=self._limits[key[0]])).append(now)

    def succeeded(self, username: str) -> None:
        self._failures.pop(("user", username), None)

    def _recent(self, key: tuple[str, str], now: datetime) -> deque[datetime]:
        times = self._failures.get(key, deque())
        while times and times[0] + self._window <= now:
            times.popleft()
        return times
