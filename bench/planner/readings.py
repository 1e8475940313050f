"""Sub-slot green readings, consistent with a scenario's 15-minute physics.

A scenario's `actual_kw` is the mean output of each 15-minute slot; an inverter reports every
few minutes. Under the readings here the sun moves smoothly (the clear-sky output at reading
resolution, when the caller gives it) and the sky changes in steps, not ramps: a slot whose
clear-sky index lies between its neighbours' is the sky changing from the last slot's index to
the next one's at the moment that gives the slot its mean (a cloud arriving, the sun coming
back through a gap, an inverter tripping); any other slot holds its own index. On top of that,
within-slot flicker that grows with how much the sky changes around the slot (a broken sky
flickers, a clear one does not), rescaled so that every slot's readings average exactly to its
`actual_kw`. The stream of random numbers is separate from the scenario's, so the 15-minute
scenarios stay as they were.

Steps, because a ramp through the slot means (the readings until 2026-12-07) showed a change
coming before it came: the last reading before an inverter trip was already falling towards
it, the last one before the sun came back already rising (docs/planner.md, "Honest readings").
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


def steps(actual_kw: Sequence[float], sub: int) -> FloatArray:
    """(slots, sub): the mean of each reading interval under a sky that changes in steps."""
    a = np.asarray(actual_kw, dtype=float)
    prev, nxt = np.r_[a[:1], a[:-1]], np.r_[a[1:], a[-1:]]
    span = nxt - prev
    between = (np.abs(span) > 1e-9) & ((a - prev) * (nxt - a) > 0)
    # the part of the slot still at the last slot's level: u * prev + (1 - u) * next = a
    u = np.where(between, (nxt - a) / np.where(between, span, 1.0), 0.0)
    lo = np.where(between, prev, a)
    hi = np.where(between, nxt, a)
    edges = np.arange(sub + 1) / sub
    before = np.clip(u[:, None] - edges[None, :-1], 0.0, 1.0 / sub) * sub  # share at `lo`
    return np.asarray(before * lo[:, None] + (1 - before) * hi[:, None], dtype=float)


def fine_kw(actual_kw: Sequence[float], sub: int, rng: np.random.Generator,
            clear_kw: Sequence[float] | None = None) -> FloatArray:
    """`sub` readings per slot (each the mean of its own interval), averaging to the slot.
    `clear_kw`: the clear-sky output per reading interval (the sun's smooth part); without
    it the output itself changes in steps."""
    a = np.asarray(actual_kw, dtype=float)
    n = len(a)
    if clear_kw is None:
        curve = steps(a, sub)
    else:
        clear = np.asarray(clear_kw, dtype=float)[: n * sub].reshape(n, sub)
        mean = clear.mean(axis=1)
        lit = mean > 1e-3 * max(float(mean.max(initial=0.0)), 1e-9)
        index = np.where(lit, a / np.where(lit, mean, 1.0), 0.0)
        curve = np.where(lit[:, None], steps(index, sub) * clear, a[:, None])
    prev, nxt = np.r_[a[:1], a[:-1]], np.r_[a[1:], a[-1:]]
    change = (np.abs(a - prev) + np.abs(nxt - a)) / (2 * np.maximum(a, 0.05 * max(a.max(), 1e-9)))
    sigma = FLICKER_BASE + FLICKER_CHANGE * np.minimum(change, 1.0)
    z = rng.normal(0.0, 1.0, (n, sub))
    z -= z.mean(axis=1, keepdims=True)
    fine = np.clip(curve * (1 + sigma[:, None] * z), 0.0, None)
    total = fine.sum(axis=1)
    scale = np.where(total > 0, a * sub / np.where(total > 0, total, 1.0), 0.0)
    fine = np.where(total[:, None] > 0, fine * scale[:, None], a[:, None])
    return np.asarray(np.round(fine.reshape(-1), 3), dtype=float)


def fine_scenario(sc: Scenario, seed: int, minutes: int = READING_MINUTES,
                  clear_kw: Sequence[float] | None = None) -> Scenario:
    """The scenario at reading resolution: `actual_kw` per reading, the forecast held over
    each slot (it says nothing finer); the same sessions, site and day."""
    if sc.slot_minutes % minutes:
        raise ValueError(f"readings every {minutes} min do not divide {sc.slot_minutes} min slots")
    sub = sc.slot_minutes // minutes
    rng = np.random.default_rng([seed, 0x5EC])
    fine = fine_kw(sc.actual_kw, sub, rng, clear_kw)
    return dataclasses.replace(
        sc, slot_minutes=minutes, slots=sc.slots * sub,
        forecast_kw=tuple(float(v) for v in np.repeat(sc.forecast_kw, sub)),
        actual_kw=tuple(float(v) for v in fine))
