"""Solar output a site can expect: pvlib's clear sky on each array, and its correction.

Pure (no I/O). The clear-sky output is an upper bound for a sunny day; a site's real output is
lower by clouds, so with nothing measured the expected output is clear sky times a seasonal
clear-sky index. Measured output replaces that guess: the ratio of measured to clear-sky output
over the last slots applies fully now and fades towards the seasonal guess over hours, because
clouds persist for a while but not all day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from csms.planning import forecast

if TYPE_CHECKING:
    import pandas as pd

# pvlib (with pandas and scipy) is imported where a clear sky is computed, not at start: it
# is most of a server process's memory, and a station-only process never needs it.

FloatArray = NDArray[np.float64]

DERATE = 0.85  # inverter, wiring, soiling and temperature losses of a typical array
SUBSAMPLES = 3  # solar geometry evaluated at 3 points per slot, averaged
SUN_UP_ELEVATION_DEG = 5.0  # below this, arrays make so little that silence is no news
PERSISTENCE_H = 3.0  # how long a measured cloudiness is assumed to last
HALF_LIFE_H = 0.5  # age at which a measured slot weighs half as much in the ratio

# Typical ratio of real to clear-sky PV yield per month (central/south-east Europe, northern
# hemisphere); used while nothing is measured. Mirrored by six months south of the equator.
_CLEARNESS_BY_MONTH = (0.45, 0.5, 0.55, 0.6, 0.65, 0.72, 0.78, 0.76, 0.68, 0.58, 0.48, 0.42)
NO_COORDINATES = "the site has no coordinates: no solar forecast (zeros)"


@dataclass(frozen=True)
class PvArray:
    """One solar source as the forecast sees it: size and orientation (180 deg = south)."""

    peak_kw: float
    tilt_deg: float = 30.0
    azimuth_deg: float = 180.0
    on_site: bool = True


@dataclass(frozen=True)
class ClearSky:
    """Per-slot clear-sky output in kW from `start`: per array and summed by placement."""

    start: datetime
    slot_minutes: int
    per_array_kw: tuple[tuple[float, ...], ...]
    on_site_kw: tuple[float, ...]
    off_site_kw: tuple[float, ...]
    note: str | None = None

    @property
    def total_kw(self) -> tuple[float, ...]:
        return tuple(a + b for a, b in zip(self.on_site_kw, self.off_site_kw, strict=True))


def clear_sky_kw(
    latitude: float | None,
    longitude: float | None,
    arrays: Sequence[PvArray],
    start: datetime,
    slots: int,
    slot_minutes: int = 15,
    *,
    altitude_m: float | None = None,
    derate: float = DERATE,
) -> ClearSky:
    """Average clear-sky kW per slot of every array (Ineichen clear sky, isotropic sky POA).

    Without coordinates there is nothing to compute: zeros, and `note` says why.
    """
    if slots < 0 or slot_minutes <= 0:
        raise ValueError("slots must be >= 0 and slot_minutes > 0")
    zeros = (0.0,) * slots
    if latitude is None or longitude is None:
        return ClearSky(start, slot_minutes, tuple(zeros for _ in arrays), zeros, zeros,
                        NO_COORDINATES)
    per_array: list[tuple[float, ...]] = []
    if slots and arrays:
        import pvlib

        times = _sample_times(start, slots, slot_minutes)
        loc = pvlib.location.Location(latitude, longitude, altitude=altitude_m)
        sky = loc.get_clearsky(times)
        sun = loc.get_solarposition(times)
        for a in arrays:
            poa = pvlib.irradiance.get_total_irradiance(
                a.tilt_deg, a.azimuth_deg, sun["apparent_zenith"], sun["azimuth"],
                sky["dni"], sky["ghi"], sky["dhi"])["poa_global"]
            kw = array_kw(poa.to_numpy(dtype=float), a, derate)
            per_array.append(tuple(float(v) for v in kw.reshape(slots, SUBSAMPLES).mean(axis=1)))
    else:
        per_array = [zeros for _ in arrays]
    on = _sum([kw for kw, a in zip(per_array, arrays, strict=True) if a.on_site], slots)
    off = _sum([kw for kw, a in zip(per_array, arrays, strict=True) if not a.on_site], slots)
    return ClearSky(start, slot_minutes, tuple(per_array), on, off)


def array_kw(poa_w_m2: Sequence[float] | FloatArray, array: PvArray,
             derate: float = DERATE) -> FloatArray:
    """An array's output (kW) under plane-of-array irradiance (W/m²), as the clear sky's is
    reckoned: a weather provider's irradiance becomes the same kind of kW."""
    poa = np.nan_to_num(np.asarray(poa_w_m2, dtype=float))
    return np.asarray(np.clip(poa / 1000.0 * array.peak_kw * derate, 0.0, array.peak_kw),
                      dtype=float)


def sun_elevation_deg(latitude: float, longitude: float, at: datetime) -> float:
    import pandas as pd
    import pvlib

    sun = pvlib.solarposition.get_solarposition(pd.DatetimeIndex([at]), latitude, longitude)
    return float(sun["apparent_elevation"].iloc[0])


def sun_is_up(latitude: float | None, longitude: float | None, at: datetime) -> bool:
    """High enough that a working array reports output (False without coordinates)."""
    if latitude is None or longitude is None:
        return False
    return sun_elevation_deg(latitude, longitude, at) > SUN_UP_ELEVATION_DEG


def seasonal_factor(latitude: float | None, at: datetime) -> float:
    """The clear-sky index to assume for this month when nothing is measured."""
    month = at.month - 1
    if latitude is not None and latitude < 0:
        month = (month + 6) % 12
    return _CLEARNESS_BY_MONTH[month]


def measured_ratio(
    clear_kw: Sequence[float], measured_kw: Sequence[float | None], slot_minutes: int = 15
) -> float | None:
    """Measured over clear-sky output in the slots given (the last one most recent).

    Slots without a measurement are skipped; None when nothing usable (night, no readings).
    """
    act = np.array([np.nan if v is None else v for v in measured_kw], dtype=float)
    return forecast.ratio(clear_kw, act, len(act), slot_minutes=slot_minutes,
                          half_life_h=HALF_LIFE_H)


def corrected_kw(
    clear_kw: Sequence[float],
    baseline_kw: Sequence[float] | FloatArray,
    ratio: float | None,
    lead_h: Sequence[float],
    persistence_h: float = PERSISTENCE_H,
) -> tuple[float, ...]:
    """Blend `ratio * clear` (now) into `baseline` (far ahead) by each slot's lead time."""
    base = np.asarray(baseline_kw, dtype=float)
    if ratio is None:
        return tuple(float(v) for v in base)
    beta = np.exp(-np.clip(np.asarray(lead_h, dtype=float), 0.0, None) / persistence_h)
    out = np.clip((1.0 - beta) * base + beta * ratio * np.asarray(clear_kw, dtype=float), 0, None)
    return tuple(float(v) for v in out)


def _sample_times(start: datetime, slots: int, slot_minutes: int) -> pd.DatetimeIndex:
    import pandas as pd

    step = timedelta(minutes=slot_minutes) / SUBSAMPLES
    first = pd.Timestamp(start).tz_convert("UTC") + step / 2
    return pd.date_range(first, periods=slots * SUBSAMPLES, freq=step)


def _sum(series: list[tuple[float, ...]], slots: int) -> tuple[float, ...]:
    if not series:
        return (0.0,) * slots
    return tuple(float(v) for v in np.sum(np.asarray(series, dtype=float), axis=0))
