"""Sub-slot green readings, consistent with a scenario's 15-minute physics.

A scenario's `actual_kw` is the mean output of each 15-minute slot; an inverter reports every
few minutes. The readings here are a continuous curve through the slot means (a cloud coming
or going shows as a ramp, not a step at the slot boundary) plus within-slot flicker that grows
with how much the sky changes around the slot (a broken sky flickers, a clear one does not),
rescaled so that every slot's readings average exactly to its `actual_kw`. The stream of random
numbers is separate from the scenario's, so the 15-minute scenarios stay as they were.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from csms.whatif.scenario import Scenario

FloatArray = NDArray[np.float64]
READING_MINUTES = 5
FLICKER_BASE = 0.03  # relative within-slot spread under a steady sky
FLICKER_CHANGE = 0.35  # added per unit of relative change of the sky around the slot


def fine_kw(actual_kw: Sequence[float], sub: int, rng: np.random.Generator) -> FloatArray:
    """`sub` readings per slot (each the mean of its own interval), averaging to the slot."""
    a = np.asarray(actual_kw, dtype=float)
    n = len(a)
    mid = np.arange(n) + 0.5
    at = (np.arange(n * sub) + 0.5) / sub
    curve = np.interp(at, mid, a).reshape(n, sub)
    curve += (a - curve.mean(axis=1))[:, None]  # mean-preserving
    prev, nxt = np.r_[a[:1], a[:-1]], np.r_[a[1:], a[-1:]]
    # a ramp shifted to keep a low slot's mean could dip below every neighbour (snow sliding
    # off just after a covered slot): flatten it towards the mean until it stays above them
    low = np.minimum(np.minimum(prev, nxt), a)
    dev = curve - a[:, None]
    room = np.where(dev.min(axis=1) < 0, (a - low) / np.maximum(-dev.min(axis=1), 1e-12), 1.0)
    curve = a[:, None] + np.clip(room, 0.0, 1.0)[:, None] * dev
    change = (np.abs(a - prev) + np.abs(nxt - a)) / (2 * np.maximum(a, 0.05 * max(a.max(), 1e-9)))
    sigma = FLICKER_BASE + FLICKER_CHANGE * np.minimum(change, 1.0)
    z = rng.normal(0.0, 1.0, (n, sub))
    z -= z.mean(axis=1, keepdims=True)
    fine = np.clip(curve * (1 + sigma[:, None] * z), 0.0, None)
    total = fine.sum(axis=1)
    scale = np.where(total > 0, a * sub / np.where(total > 0, total, 1.0), 0.0)
    fine = np.where(total[:, None] > 0, fine * scale[:, None], a[:, None])
    return np.asarray(np.round(fine.reshape(-1), 3), dtype=float)


def fine_scenario(sc: Scenario, seed: int, minutes: int = READING_MINUTES) -> Scenario:
    """The scenario at reading resolution: `actual_kw` per reading, the forecast held over
    each slot (it says nothing finer); the same sessions, site and day."""
    if sc.slot_minutes % minutes:
        raise ValueError(f"readings every {minutes} min do not divide {sc.slot_minutes} min slots")
    sub = sc.slot_minutes // minutes
    rng = np.random.default_rng([seed, 0x5EC])
    fine = fine_kw(sc.actual_kw, sub, rng)
    return dataclasses.replace(
        sc, slot_minutes=minutes, slots=sc.slots * sub,
        forecast_kw=tuple(float(v) for v in np.repeat(sc.forecast_kw, sub)),
        actual_kw=tuple(float(v) for v in fine))
