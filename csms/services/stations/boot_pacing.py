"""Back-pressure for boot storms: after a restart every station boots at once.

Boots are given slots `1/rate` seconds apart. A boot whose slot is now goes ahead; the others
are answered Pending with the interval after which their slot comes (OCPP lets a CSMS answer
BootNotification with Pending and a retry interval). A station keeps its slot when it comes
back, so later arrivals cannot push it back again.
"""

from __future__ import annotations

import math


class BootPacer:
    TOLERANCE_S = 0.5  # stations round their retry; a slot this near counts as now

    def __init__(self, rate: float) -> None:
        self._step = 1.0 / rate if rate > 0 else 0.0
        self._next = 0.0
        self._slots: dict[str, float] = {}

    def wait_s(self, station_id: str, now: float) -> int:
        """0 when the boot may go ahead now; else the seconds to ask the station to wait."""
        if self._step == 0.0:
            return 0
        slot = self._slots.get(station_id)
        if slot is None:
            slot = max(now, self._next)
            self._next = slot + self._step
        if slot <= now + self.TOLERANCE_S:
            self._slots.pop(station_id, None)
            return 0
        self._slots[station_id] = slot
        if len(self._slots) > 1_000_000:  # stations that never came back
            self._slots = {k: v for k, v in self._slots.items() if v > now}
        return max(1, math.ceil(slot - now))
