"""Back-off for wrong station passwords at the handshake, per station id and per address.

Each wrong password (an argon2 verification that failed) counts against the station id and
against the client address. After `free` failures a key waits before its next verification,
twice as long after each further failure (up to `max_s`); attempts during the wait are refused
without argon2 work. A key that has not failed for `forget_s` starts afresh.

The station's own reconnects must survive an attacker hammering its id from elsewhere: the
address a station last got in from is not held back by the id's count (only by its own).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(slots=True)
class _Failures:
    count: int
    last: float


class AdmissionThrottle:
    def __init__(self, free: int = 5, base_s: float = 1.0, max_s: float = 300.0,
                 forget_s: float = 900.0, max_keys: int = 100_000,
                 now: Callable[[], float] = time.monotonic) -> None:
        self.free, self.base_s, self.max_s, self.forget_s = free, base_s, max_s, forget_s
        self._max_keys = max_keys
        self._now = now
        self._failures: dict[tuple[str, str], _Failures] = {}
        self._good_address: dict[str, str] = {}

    def wait_s(self, station_id: str, address: str) -> float:
        """Seconds before a password from `address` for `station_id` is verified; 0: now."""
        keys = [("address", address)]
        if self._good_address.get(station_id) != address:
            keys.append(("station", station_id))
        return max(self._wait(key) for key in keys)

    def failed(self, station_id: str, address: str) -> bool:
        """Count a wrong password; True when this failure starts a back-off (worth telling)."""
        now = self._now()
        if len(self._failures) >= self._max_keys:
            self._prune(now)
        started = False
        for key in (("station", station_id), ("address", address)):
            f = self._failures.get(key)
            if f is None or now - f.last >= self.forget_s:
                f = self._failures[key] = _Failures(0, now)
            f.count += 1
            f.last = now
            started |= f.count == self.free
        return started

    def _prune(self, now: float) -> None:
        """Memory stays bounded under a flood of ids or addresses: keys that hold nobody back
        go first, then the oldest."""
        held = {k: f for k, f in self._failures.items()
                if f.count >= self.free and now - f.last < self.forget_s}
        if len(held) >= self._max_keys // 2:
            newest = sorted(held.items(), key=lambda kf: kf[1].last)[-(self._max_keys // 2):]
            held = dict(newest)
        self._failures = held

    def succeeded(self, station_id: str, address: str) -> None:
        self._failures.pop(("station", station_id), None)
        self._good_address[station_id] = address
        if len(self._good_address) > self._max_keys:
            self._good_address.clear()

    def _wait(self, key: tuple[str, str]) -> float:
        f = self._failures.get(key)
        if f is None or f.count < self.free:
            return 0.0
        delay = min(self.max_s, self.base_s * 2.0 ** (f.count - self.free))
        return max(0.0, f.last + delay - self._now())
