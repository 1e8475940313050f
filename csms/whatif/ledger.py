"""Simulated-time bookkeeping of one day: what each car drew, slot by slot, and the summary.

Shared by every policy (csms's planner, immediate, and the benchmark's references) so they are
scored by the same arithmetic: a car draws at most its remaining need (it stops when full),
only for the plugged-in part of a slot; the green used in a slot is min(total load, actual green),
split among sessions in proportion to their energy.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from csms.whatif.scenario import Scenario, ScenarioSession

FloatArray = NDArray[np.float64]
MET_TOLERANCE_KWH = 0.01


def plugged_fractions(sc: Scenario) -> FloatArray:
    """sessions x slots: the part of each slot during which the car is plugged in."""
    n = len(sc.sessions)
    out = np.zeros((n, sc.slots))
    slot_s = sc.slot_minutes * 60.0
    edges = np.arange(sc.slots + 1) * slot_s
    for k, s in enumerate(sc.sessions):
        a = (s.arrival - sc.start).total_seconds()
        d = (s.departure - sc.start).total_seconds()
        out[k] = np.clip(np.minimum(edges[1:], d) - np.maximum(edges[:-1], a), 0, slot_s) / slot_s
    return out


class Ledger:
    """Applies per-slot powers to the cars and records what they actually drew."""

    def __init__(self, sc: Scenario) -> None:
        self.sc = sc
        self.dt_h = sc.slot_minutes / 60.0
        self.index = {s.id: k for k, s in enumerate(sc.sessions)}
        self.frac = plugged_fractions(sc)
        self.remaining = np.array([s.energy_kwh for s in sc.sessions], dtype=float)
        self.energy = np.zeros((len(sc.sessions), sc.slots))  # kWh drawn per slot
        self.command = np.zeros((len(sc.sessions), sc.slots))  # kW commanded per slot
        self.planner_ms: list[float] = []
        self.sent: dict[str, Any] = {}  # session id -> the plan its last profile came from
        self.profile_sends = 0
        self.curtailed_kwh = 0.0  # what a site's local guard cut (`whatif.guard`)

    def left(self, s: ScenarioSession) -> float:
        return float(self.remaining[self.index[s.id]])

    def apply(self, i: int, powers: dict[str, float]) -> None:
        """Let each named car draw `powers[id]` kW in slot i, as far as plugged in and needy."""
        for sid, kw in powers.items():
            k = self.index[sid]
            f = self.frac[k, i]
            if kw <= 0 or f <= 0:
                continue
            e = min(kw * f * self.dt_h, max(self.remaining[k], 0.0))
            if e <= 0:
                continue
            self.energy[k, i] += e
            self.remaining[k] -= e
            self.command[k, i] = max(self.command[k, i], kw)

    def session_kw(self) -> FloatArray:
        """The power each car was given per slot while it drew (what the result file shows):
        0 or within [min_kw, max_kw]. A car that became full mid-slot drew it only until then,
        so the load is judged on these powers, an upper bound of what was drawn."""
        return np.round(self.command, 3)

    def rule_breaks(self) -> int:
        """Slots whose power is neither 0 nor within the session's [min_kw, max_kw]."""
        lo = np.array([s.min_kw for s in self.sc.sessions], dtype=float)[:, None]
        hi = np.array([s.max_kw for s in self.sc.sessions], dtype=float)[:, None]
        kw = self.session_kw()
        return int(np.sum((kw > 0) & ((kw < lo - 1e-9) | (kw > hi + 1e-9))))

    def summary(self) -> dict[str, float | int]:
        sc = self.sc
        slot_e = self.energy.sum(axis=0)
        actual = np.asarray(sc.actual_kw, dtype=float)
        green = np.minimum(slot_e, actual * self.dt_h)
        grid = self.grid_kw()
        delivered = self.energy.sum(axis=1)
        requested = np.array([s.energy_kwh for s in sc.sessions], dtype=float)
        energy, green_kwh, req = float(slot_e.sum()), float(green.sum()), float(requested.sum())
        met = int(np.sum(delivered >= requested - MET_TOLERANCE_KWH))
        ms = np.percentile(self.planner_ms, 95) if self.planner_ms else 0.0
        return {
            "energy_kwh": round(energy, 3),
            "green_kwh": round(green_kwh, 3),
            "green_share": round(green_kwh / energy, 4) if energy > 0 else 0.0,
            "requested_kwh": round(req, 3),
            "delivered_share": round(energy / req, 4) if req > 0 else 1.0,
            "sessions_met": met,
            "max_grid_kw": round(float(grid.max(initial=0.0)), 3),
            "planner_ms_p95": round(float(ms), 2),
        }

    def over_limit_kwh(self) -> float:
        """Energy imported above the grid limit, judged against the actual green output."""
        sc = self.sc
        limit_w = np.rint(sc.grid_limit_kw * 1000)
        return float(np.clip(np.rint(self.grid_kw() * 1000) - limit_w, 0, None).sum()
                     / 1000 * self.dt_h)

    def grid_kw(self) -> FloatArray:
        """Grid import per slot (the load itself off site), summed in whole watts so that
        figures written with three decimals add up exactly."""
        load_w = np.rint(self.session_kw() * 1000).sum(axis=0)
        if not self.sc.green_on_site:
            return np.asarray(load_w / 1000, dtype=float)
        green_w = np.rint(np.asarray(self.sc.actual_kw, dtype=float) * 1000)
        return np.asarray(np.clip(load_w - green_w, 0, None) / 1000, dtype=float)

    def result(self) -> dict[str, Any]:
        kw = self.session_kw()
        return {
            "slot_minutes": self.sc.slot_minutes,
            "sessions": {
                s.id: [round(float(x), 3) for x in kw[k]] for k, s in enumerate(self.sc.sessions)
            },
            "summary": self.summary(),
        }
