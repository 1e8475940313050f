"""A source's weather-based forecast (`SourceForecast`, given through the API) on the forecast
service's slot grid, corrected by the source's readings.

The correction is plan-day's (`planning.forecast.correct`): the day's bias against the forecast
itself, the nowcast along the forecast's course, a forecast issued for the wrong hour moved,
covered panels trusted for an hour or two. `bench.planner --server` replays exactly this, so
its figures are what `csms serve` does with a forecast given. Without a forecast the service
corrects the clear sky instead (`forecast.compute`), which knows no cloud in advance.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import numpy as np
from numpy.typing import NDArray

from csms.domain.model import SourceForecast
from csms.planning import forecast as fc

FloatArray = NDArray[np.float64]
MINUTE = timedelta(minutes=1)
# A forecast that gives a source this share of its peak while the site's sun is down, an hour
# either side included (hourly data smear sunrise and sunset), is for other hours: local times
# sent as UTC, a wrong time zone. A slip of an hour or less is the correction's (`forecast.lag`).
SUN_DOWN_SHARE = 0.05
SUN_DOWN_MARGIN_H = 1.0


def on_grid(f: SourceForecast, origin: datetime, slot_minutes: int, slots: int) -> FloatArray:
    """The forecast's mean over each slot from `origin`; NaN where it does not cover the whole
    slot (before its start, after its end)."""
    per_minute = np.repeat(np.asarray(f.power_kw, dtype=float), f.slot_minutes)
    total = np.concatenate([[0.0], np.cumsum(per_minute)])
    lo = round((origin - f.start) / MINUTE) + np.arange(slots) * slot_minutes
    hi = lo + slot_minutes
    whole = (lo >= 0) & (hi <= len(per_minute))
    out = np.full(slots, np.nan)
    out[whole] = (total[hi[whole]] - total[lo[whole]]) / slot_minutes
    return out


def filled(
    f: SourceForecast, origin: datetime, slot_minutes: int, fallback: Sequence[float] | FloatArray,
) -> tuple[FloatArray, NDArray[np.bool_]] | None:
    """The forecast on the grid from `origin`, `fallback` (the clear sky's guess) where it
    does not reach, and where it reaches; None when it covers none of the grid's slots."""
    kw = on_grid(f, origin, slot_minutes, len(fallback))
    reach = np.isfinite(kw)
    if not reach.any():
        return None
    return np.where(reach, kw, np.asarray(fallback, dtype=float)), reach


def corrected(
    day_kw: FloatArray, measured: Sequence[float | None], past: int, latest: float | None,
    slot_minutes: int, stale: bool, given: NDArray[np.bool_] | None = None,
) -> FloatArray:
    """`day_kw` (the grid from the day's start) corrected from slot `past` (the one in
    progress) on by the day's measured slot means and the `latest` reading; as given when the
    source has gone silent (`stale`: its silence says nothing about the clouds). `given`: the
    slots the forecast reaches (`filled` put the clear sky's guess in the others): the
    nowcast's course does not average across the seam (`forecast.shape`)."""
    if stale:
        return np.asarray(day_kw[past:], dtype=float)
    actual = np.array([np.nan if v is None else v for v in measured], dtype=float)
    return fc.correct(day_kw, actual, past, slot_minutes=slot_minutes, in_progress_kw=latest,
                      parts=None if given is None else given.astype(int))


def for_window(
    f: SourceForecast, ahead: FloatArray, past: int, day_start: datetime, start: datetime,
    slots: int, slot_minutes: int, fallback: Sequence[float] | FloatArray,
) -> FloatArray:
    """The window's slots from `start`: the corrected forecast (`ahead`, grid slots from
    `past` on) where it reaches, else the forecast as given, else `fallback`."""
    slot = timedelta(minutes=slot_minutes)
    raw = on_grid(f, start, slot_minutes, slots)
    out = np.where(np.isfinite(raw), raw, np.asarray(fallback, dtype=float))
    for i in range(slots):
        k = round((start + i * slot - day_start) / slot) - past
        if 0 <= k < len(ahead):
            out[i] = ahead[k]
    return np.asarray(out, dtype=float)


def sun_down(day_kw: FloatArray, given: NDArray[np.bool_], clear_kw: Sequence[float],
             peak_kw: float, slot_minutes: int) -> int | None:
    """The first slot of the day grid where the forecast given (`given`) says more than
    `SUN_DOWN_SHARE` of the peak while the clear sky (`clear_kw`, the same grid) gives nothing
    from `SUN_DOWN_MARGIN_H` before the slot to as long after it; None when there is none."""
    lit = np.asarray(clear_kw, dtype=float)[: len(day_kw)] > 1e-6
    reach = round(SUN_DOWN_MARGIN_H * 60 / slot_minutes)
    seen = np.concatenate([[0], np.cumsum(lit)])
    at = np.arange(len(lit))
    lo, hi = np.maximum(at - reach, 0), np.minimum(at + reach + 1, len(lit))
    dark = seen[hi] - seen[lo] == 0
    bright = np.asarray(day_kw[: len(lit)], dtype=float) > SUN_DOWN_SHARE * peak_kw
    found = np.flatnonzero(dark & bright & given[: len(lit)])
    return int(found[0]) if len(found) else None
