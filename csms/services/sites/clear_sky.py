"""A source's output from pvlib's clear sky when no forecast is given for it: the clear sky
times a seasonal index, corrected by the source's readings (their ratio to the clear sky, fading
to the seasonal guess) and nowcast from the latest ones (`services.sites.forecast`)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from csms.planning import forecast as fc
from csms.planning import solar

FloatArray = NDArray[np.float64]


def from_clear_sky(
    clear: Sequence[float], base: Sequence[float], ratio: float | None, now_ratio: float | None,
    season_now: float, lead_h: list[float],
) -> tuple[FloatArray, bool]:
    """A source's output from the clear sky, corrected by its measured ratios; and whether its
    output is below any cloud's (snow, fog: planning.forecast.covered), which ends within hours.
    """
    covered = (ratio is not None and now_ratio is not None
               and fc.covered(ratio, now_ratio, season_now))
    persistence = fc.COVERED_PERSISTENCE_H if covered else solar.PERSISTENCE_H
    kw: FloatArray = np.asarray(
        solar.corrected_kw(clear, base, ratio, lead_h, persistence), dtype=float)
    if ratio is not None and now_ratio is not None:
        kw = _nowcast(kw, clear, now_ratio, ratio, lead_h)
    return kw, covered


def latest_ratio(ref: list[float], seen: list[float | None], slot_minutes: int) -> float | None:
    """The latest measurement over clear-sky output (the nowcast's ratio)."""
    act = np.array([np.nan if v is None else v for v in seen], dtype=float)
    return fc.ratio(ref, act, len(act), slot_minutes=slot_minutes,
                    half_life_h=fc.NOWCAST_HALF_LIFE_H)


def _nowcast(
    kw: FloatArray, clear: Sequence[float], now: float, ratio: float, lead_h: list[float],
) -> FloatArray:
    """Add the latest measurement's departure from the day's ratio (persistence: the cloud
    overhead now), fading over `planning.forecast.NOWCAST_H` (as `forecast.correct` does in
    plan-day)."""
    fade = np.exp(-np.clip(np.asarray(lead_h, dtype=float), 0.0, None) / fc.NOWCAST_H)
    return np.asarray(np.clip(kw + fade * (now - ratio) * np.asarray(clear), 0.0, None),
                      dtype=float)
