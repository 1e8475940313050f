"""Correct a green forecast with what the source actually produced so far.

Forecasts are wrong in both directions (a sunny forecast under clouds, or the reverse). The
ratio of measured output to the forecast (or to the clear-sky output, when the caller has it)
over the last hours, weighted towards the most recent slots, says how wrong; clouds persist for
a while, so the correction applies fully to the current slot and fades towards the raw forecast
over `persistence_h`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


def ratio(
    forecast_kw: Sequence[float] | FloatArray,
    actual_kw: Sequence[float] | FloatArray,
    now_index: int,
    *,
    slot_minutes: int = 15,
    half_life_h: float = 0.25,
    max_ratio: float = 3.0,
) -> float | None:
    """Measured over expected output in the slots before `now_index`, recent ones weigh more.

    Slots without a measurement (NaN) and slots where little was expected (dawn, night) are
    ignored; None when nothing usable is left.
    """
    ref = np.asarray(forecast_kw, dtype=float)[:now_index]
    act = np.asarray(actual_kw, dtype=float)[: len(ref)]
    ref = ref[: len(act)]
    if not len(ref):
        return None
    age_h = (len(ref) - np.arange(len(ref))) * slot_minutes / 60.0
    w = 0.5 ** (age_h / half_life_h)
    usable = np.isfinite(act) & (ref > 0.05 * max(float(np.nanmax(ref)), 1e-9))
    if not usable.any() or float(ref[usable].sum()) <= 0:
        return None
    r = float((w * act)[usable].sum() / (w * ref)[usable].sum())
    return min(max(r, 0.0), max_ratio)


def correct(
    forecast_kw: Sequence[float] | FloatArray,
    actual_kw: Sequence[float] | FloatArray,
    now_index: int,
    *,
    slot_minutes: int = 15,
    half_life_h: float = 0.25,
    persistence_h: float = 6.0,
    reference_kw: Sequence[float] | FloatArray | None = None,
) -> FloatArray:
    """Corrected forecast for slots `now_index` onwards.

    `actual_kw[i]` is the measured average of slot i (only i < now_index is read). With
    `reference_kw` (clear-sky output) the ratio is taken against it and the corrected value
    blends the forecast towards `ratio * reference`; otherwise the forecast itself is scaled.
    """
    fc = np.asarray(forecast_kw, dtype=float)
    ref = fc if reference_kw is None else np.asarray(reference_kw, dtype=float)
    future = fc[now_index:]
    r = ratio(ref, actual_kw, now_index, slot_minutes=slot_minutes, half_life_h=half_life_h)
    if r is None:
        return future.copy()
    lead_h = np.arange(len(future)) * slot_minutes / 60.0
    beta = np.exp(-lead_h / persistence_h)
    out: FloatArray = np.clip((1.0 - beta) * future + beta * r * ref[now_index:], 0.0, None)
    return out


def spread(
    forecast_kw: Sequence[float] | FloatArray,
    actual_kw: Sequence[float] | FloatArray,
    now_index: int,
    horizon: int,
    *,
    slot_minutes: int = 15,
    window_h: float = 2.0,
    prior: float = 0.4,
    floor: float = 0.03,
    persistence_h: float = 6.0,
) -> FloatArray:
    """Relative uncertainty of the corrected forecast for `horizon` slots from `now_index`.

    Near term: the root-mean-square relative error the correction made one slot ahead over the
    last `window_h` hours (broken clouds make it large, a clear sky small). Far ahead it fades
    to `prior`, the usual error of a day-ahead forecast.
    """
    fc = np.asarray(forecast_kw, dtype=float)
    act = np.asarray(actual_kw, dtype=float)
    first = max(1, now_index - int(window_h * 60 / slot_minutes))
    peak = max(float(np.max(fc[:now_index], initial=0.0)), 1e-9)
    errs = []
    for k in range(first, min(now_index, len(act))):
        r = ratio(fc, act, k, slot_minutes=slot_minutes)
        pred = fc[k] * (1.0 if r is None else r)
        if fc[k] > 0.05 * peak and pred > 0 and np.isfinite(act[k]):
            errs.append((act[k] - pred) / pred)
    near = float(np.sqrt(np.mean(np.square(errs)))) if len(errs) >= 2 else prior
    beta = np.exp(-np.arange(horizon) * slot_minutes / 60.0 / persistence_h)
    return np.asarray(np.clip(beta * near + (1.0 - beta) * prior, floor, 1.0), dtype=float)
