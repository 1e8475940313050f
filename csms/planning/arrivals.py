"""How much capacity to hold back for cars likely to arrive.

A car that is not plugged in yet cannot be planned, but the cars that are should not take every
kW of a slot where newcomers will need it. The model estimates, per future slot, the average
power that cars arriving after now will want: arrivals per slot (from a history of days, or from
today's arrivals so far, or a prior) times the chance they are still plugged in, times their
mean power need (energy / dwell, at most their maximum). The planner treats the reserve as soft:
sessions already present may use it to meet their needs, never to shift towards green.
`arriving_kwh` is the energy those cars will want per slot: the planner's hedge of the current
slot's green is dropped when it tips the balance for the later green (`hedge`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class ArrivalModel:
    """Expected arrivals per slot ahead, and what an arriving car typically wants."""

    arrivals_per_slot: tuple[float, ...]  # index 0 = the slot after now
    mean_energy_kwh: float
    mean_dwell_h: float
    mean_max_kw: float

    @classmethod
    def from_recent(
        cls,
        seen: Sequence[tuple[datetime, datetime, float, float]],
        now: datetime,
        *,
        slot_minutes: int = 15,
        window_h: float = 2.0,
        fade_h: float = 2.0,
        horizon_slots: int = 144,
    ) -> ArrivalModel:
        """From today's sessions so far, `(arrival, departure, energy_kwh, max_kw)`.

        The arrival rate of the last `window_h` hours is assumed to continue, fading out over
        `fade_h` (arrival waves end); with no recent arrival nothing is reserved.
        """
        recent = [s for s in seen if 0 <= (now - s[0]).total_seconds() <= window_h * 3600]
        if not recent:
            return cls((), 0.0, 1.0, 0.0)
        rate = len(recent) * slot_minutes / (window_h * 60.0)
        lead_h = (np.arange(horizon_slots) + 1) * slot_minutes / 60.0
        per_slot = rate * np.exp(-lead_h / fade_h)
        dwell = float(np.mean([(d - a).total_seconds() / 3600.0 for a, d, _, _ in seen]))
        return cls(
            arrivals_per_slot=tuple(per_slot.tolist()),
            mean_energy_kwh=float(np.mean([e for _, _, e, _ in seen])),
            mean_dwell_h=max(dwell, 0.25),
            mean_max_kw=float(np.mean([m for _, _, _, m in seen])),
        )

    @classmethod
    def from_history(
        cls,
        past: Sequence[tuple[datetime, datetime, float, float]],
        now: datetime,
        *,
        days: int,
        tz: tzinfo = UTC,
        slot_minutes: int = 15,
        horizon_slots: int = 144,
    ) -> ArrivalModel:
        """From the site's sessions of the last `days` days before now, `(arrival, departure,
        energy_kwh, max_kw)`: the cars that arrived on the same weekday and at the same time of
        day (the site's time zone), per week of history, are the arrivals to expect in each
        slot ahead. Only whole weeks count (a weekday seen once in a 10-day history is one
        sample, not 10/7 of one)."""
        weeks = days // 7
        start = now - timedelta(days=7 * weeks)
        used = [s for s in past if start <= s[0] < now and s[1] > s[0]]
        if weeks < 1 or not used:
            return cls((), 0.0, 1.0, 0.0)
        per_day = 1440 // slot_minutes
        counts = np.zeros((7, per_day))
        for a, _, _, _ in used:
            local = a.astimezone(tz)
            counts[local.weekday(), (local.hour * 60 + local.minute) // slot_minutes] += 1
        step = timedelta(minutes=slot_minutes)
        ahead = [(now + step * (k + 1)).astimezone(tz) for k in range(horizon_slots)]
        per_slot = [counts[t.weekday(), (t.hour * 60 + t.minute) // slot_minutes] / weeks
                    for t in ahead]
        dwell = float(np.mean([(d - a).total_seconds() / 3600.0 for a, d, _, _ in used]))
        return cls(
            arrivals_per_slot=tuple(per_slot),
            mean_energy_kwh=float(np.mean([e for _, _, e, _ in used])),
            mean_dwell_h=max(dwell, 0.25),
            mean_max_kw=float(np.mean([m for _, _, _, m in used])),
        )

    def reserve_kw(self, n_slots: int, slot_minutes: int = 15) -> FloatArray:
        """Reserve per slot from now (slot 0, the current one, gets none)."""
        out = np.zeros(n_slots)
        lam = np.zeros(n_slots)
        k = min(len(self.arrivals_per_slot), n_slots - 1)
        lam[1 : 1 + k] = self.arrivals_per_slot[:k]
        if not lam.any():
            return out
        dt = slot_minutes / 60.0
        power = min(self.mean_max_kw, self.mean_energy_kwh / self.mean_dwell_h)
        stay = np.exp(-np.arange(n_slots) * dt / self.mean_dwell_h)  # P(still plugged in)
        return np.convolve(lam, stay)[:n_slots] * power

    def arriving_kwh(self, n_slots: int) -> FloatArray:
        """Energy the cars expected to arrive in each slot from now will want (slot 0: none,
        its newcomers are planned as they plug in): arrivals times their mean energy."""
        out = np.zeros(n_slots)
        k = min(len(self.arrivals_per_slot), n_slots - 1)
        if k > 0:
            out[1 : 1 + k] = np.asarray(self.arrivals_per_slot[:k]) * self.mean_energy_kwh
        return out
