"""Ways a real forecast is wrong, none of them the way `scenarios.forecast_index` makes it wrong.

Each model turns the day's clear-sky index (what the sky does) into a pair (actual index,
forecast index), from the model's own random draws. They exist to score the planner on errors
it was not tuned on: `TUNING` may be looked at while developing; `HELD_OUT` is run only for the
final table (docs/planner.md), with its own seeds (`HELD_OUT_SEED`). Once a held-out model has
been looked at to improve the planner it is no longer held out: it moves to `TUNING` and new
held-out models take its place.

- bias: a forecast right in shape but off by 30-45 % all day (either way);
- shift: a cloud front (clear, then overcast, or the reverse) arriving 2-4 h earlier or later
  than forecast;
- over2x: a hazy or cloudy day forecast at about twice the sun that came;
- under: a clear day forecast at about half of it;
- fog: morning fog or low stratus until late morning the forecast does not see;
- snow: panels covered, a few % of the output until the snow slides off (or all day), under a
  clear-sky forecast;
- stale: the forecast issued the evening before for the same kind of sky and never updated:
  another realisation, smoothed over 6 h, with its own level error;
- soiling (held out): dust or pollen on the panels, a steady 15-30 % less output all day,
  under a good forecast of the sky;
- trip (held out until the firm bound was fixed on it): the inverter trips around midday
  (11:00-14:00) and stays off for 1-2 h
  (no output at all), under a good forecast;
- hour (held out until the correction fitted a lag to it): the forecast issued for the wrong
  hour (a time-zone or daylight-saving slip): a good forecast of the sky and the sun, an hour
  early or late;
- haze (held out): Saharan dust or smoke arriving after 12:00-15:00 and cutting the rest of the
  day by 25-45 %, under a forecast of the clear morning's sky;
- clipping (held out): the inverter (or an export limit) caps the output at 45-70 % of the
  array's clear-sky peak, under a good forecast of the panels' output that knows no cap;
- storms (held out): a clear morning, then convective clouds building from 12:00-15:00 local:
  bright spells and dark showers alternating every half-hour or so, under a forecast of a
  clear day;
- shade (held out): a building or a hill shades the array until the sun clears it
  (08:30-10:30 local) and again from 16:00-18:00 local: a fifth to a half of the output,
  under a good forecast that knows no horizon.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from bench.planner.sky import cloud_index

Index = np.ndarray
# (clear-sky index, draws, local time - UTC in hours, clear-sky output per slot) -> (actual
# index, forecast index), both against the same clear-sky output
Model = Callable[[np.ndarray, np.random.Generator, int, np.ndarray], tuple[Index, Index]]

TUNING = ("bias", "shift", "over2x", "under", "fog", "snow", "stale", "hour", "trip")
HELD_OUT = ("soiling", "haze", "clipping", "storms", "shade")
HELD_OUT_SEED = 1001  # the held-out families' first seed: never used while tuning


def _smooth(k: np.ndarray, width: int) -> np.ndarray:
    pad = np.pad(k, width, mode="edge")
    return np.asarray(np.convolve(pad, np.ones(width) / width, mode="same")[width:-width])


def _clip(k: np.ndarray) -> np.ndarray:
    return np.asarray(np.clip(k, 0.02, 1.05), dtype=float)


def bias(k: np.ndarray, rng: np.random.Generator, local_h: int,
       _clear: np.ndarray) -> tuple[Index, Index]:
    factor = float(rng.choice([-1, 1]) * rng.uniform(0.3, 0.45))
    fc = _smooth(k, 8) * (1 + factor) + rng.normal(0, 0.03, len(k))
    return k, _clip(fc)


def _front(n: int, at: float, clear_first: bool, rng: np.random.Generator) -> np.ndarray:
    """Clear (0.95) before slot `at`, overcast (0.25) after, or the reverse; an hour's ramp."""
    slots = np.arange(n)
    ramp = np.clip((slots - at) / 4 + 0.5, 0, 1)
    level = 0.95 - 0.7 * ramp if clear_first else 0.25 + 0.7 * ramp
    return _clip(level + rng.normal(0, 0.04, n))


def shift(k: np.ndarray, rng: np.random.Generator, local_h: int,
       _clear: np.ndarray) -> tuple[Index, Index]:
    n = len(k)
    slots_per_h = n / 24 if n <= 96 else 4
    clear_first = bool(rng.random() < 0.5)
    at = (rng.uniform(11, 15) - local_h) * slots_per_h  # the front, in UTC slots
    lag = rng.choice([-1, 1]) * rng.uniform(2, 4) * slots_per_h
    actual = _front(n, at, clear_first, rng)
    fc = _smooth(_front(n, at + lag, clear_first, rng), 4)
    return actual, _clip(fc)


def over2x(k: np.ndarray, rng: np.random.Generator, local_h: int,
       _clear: np.ndarray) -> tuple[Index, Index]:
    actual = _clip(k * rng.uniform(0.35, 0.55))
    fc = _smooth(actual, 8) * rng.uniform(1.8, 2.3)
    return actual, _clip(fc)


def under(k: np.ndarray, rng: np.random.Generator, local_h: int,
       _clear: np.ndarray) -> tuple[Index, Index]:
    actual = _clip(np.maximum(k, 0.85) + rng.normal(0, 0.03, len(k)))
    fc = _smooth(actual, 8) * rng.uniform(0.4, 0.6)
    return actual, _clip(fc)


def fog(k: np.ndarray, rng: np.random.Generator, local_h: int,
       _clear: np.ndarray) -> tuple[Index, Index]:
    n = len(k)
    lifts = (rng.uniform(9.5, 12.5) - local_h) * 4  # UTC slot the fog lifts
    slots = np.arange(n)
    lift = np.clip((slots - lifts) / 3 + 0.5, 0, 1)
    sky = np.maximum(k, 0.8)
    actual = _clip(sky * (0.15 + 0.85 * lift) + rng.normal(0, 0.02, n))
    return actual, _clip(_smooth(sky, 8))


def snow(k: np.ndarray, rng: np.random.Generator, local_h: int,
       _clear: np.ndarray) -> tuple[Index, Index]:
    n = len(k)
    slides = (rng.uniform(11, 17) - local_h) * 4 if rng.random() < 0.6 else float(n + 8)
    slots = np.arange(n)
    gone = np.clip((slots - slides) / 2 + 0.5, 0, 1)
    sky = np.maximum(k, 0.85)
    actual = _clip(sky * (0.04 + 0.96 * gone))
    return actual, _clip(_smooth(sky, 8))


def stale(k: np.ndarray, rng: np.random.Generator, local_h: int,
       _clear: np.ndarray) -> tuple[Index, Index]:
    other = cloud_index("broken", len(k), rng)
    fc = _smooth(other, 24) * (1 + rng.normal(0, 0.15))
    return k, _clip(fc)


def _good(k: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A good forecast of the sky: smoothed over 2 h, a few % off."""
    return _clip(_smooth(k, 8) * (1 + rng.normal(0, 0.05)) + rng.normal(0, 0.03, len(k)))


def soiling(k: np.ndarray, rng: np.random.Generator, local_h: int,
            _clear: np.ndarray) -> tuple[Index, Index]:
    loss = rng.uniform(0.15, 0.30)
    fc = _good(k, rng)
    return k * (1 - loss), fc


def trip(k: np.ndarray, rng: np.random.Generator, local_h: int,
         _clear: np.ndarray) -> tuple[Index, Index]:
    fc = _good(k, rng)
    off = (rng.uniform(11, 14) - local_h) * 4  # UTC slot the inverter trips
    slots = np.arange(len(k))
    down = (slots >= np.floor(off)) & (slots < off + rng.uniform(4, 8))
    actual = k.copy()
    actual[down] = 0.0  # no output at all: not even the floor of `_clip`
    return actual, fc


def hour(k: np.ndarray, rng: np.random.Generator, local_h: int,
         clear: np.ndarray) -> tuple[Index, Index]:
    """The forecast in kW (sun and sky) moved by an hour, as an index of the true clear sky."""
    lag = int(rng.choice([-4, 4]))
    fc_kw = np.roll(np.asarray(clear, dtype=float) * _good(k, rng), lag)
    if lag > 0:
        fc_kw[:lag] = 0.0
    else:
        fc_kw[lag:] = 0.0
    idx = np.divide(fc_kw, clear, out=np.zeros(len(k)), where=np.asarray(clear) > 1e-6)
    # where the true clear sky is ~0 but the moved forecast is not (an hour after sunset), the
    # index cannot carry it: a forecast of 0 there understates the slip at dusk only
    return k, np.asarray(np.clip(idx, 0.0, 3.0), dtype=float)


def haze(k: np.ndarray, rng: np.random.Generator, local_h: int,
         _clear: np.ndarray) -> tuple[Index, Index]:
    n = len(k)
    sky = np.maximum(k, 0.85) + rng.normal(0, 0.02, n)
    arrives = (rng.uniform(12, 15) - local_h) * 4
    slots = np.arange(n)
    ramp = np.clip((slots - arrives) / 4 + 0.5, 0, 1)
    actual = _clip(sky * (1 - rng.uniform(0.25, 0.45) * ramp))
    return actual, _good(sky, rng)


def clipping(k: np.ndarray, rng: np.random.Generator, local_h: int,
             clear: np.ndarray) -> tuple[Index, Index]:
    """A cap in kW on the actual output, as an index of the clear sky."""
    cap = rng.uniform(0.45, 0.70) * float(np.max(clear))
    fc = _good(k, rng)
    kw = np.minimum(np.asarray(clear, dtype=float) * k, cap)
    idx = np.divide(kw, clear, out=np.zeros(len(k)), where=np.asarray(clear) > 1e-6)
    return np.asarray(idx, dtype=float), fc


def storms(k: np.ndarray, rng: np.random.Generator, local_h: int,
           _clear: np.ndarray) -> tuple[Index, Index]:
    n = len(k)
    sky = np.maximum(k, 0.85) + rng.normal(0, 0.02, n)
    builds = (rng.uniform(12, 15) - local_h) * 4
    actual = sky.copy()
    state, i = True, int(np.ceil(builds))
    while 0 <= i < n:
        run = int(rng.integers(1, 4))  # a spell or a shower of 15-45 minutes
        actual[i:i + run] *= rng.uniform(0.75, 0.95) if state else rng.uniform(0.1, 0.3)
        state, i = not state, i + run
    return _clip(actual), _good(sky, rng)


def shade(k: np.ndarray, rng: np.random.Generator, local_h: int,
          _clear: np.ndarray) -> tuple[Index, Index]:
    n = len(k)
    slots = np.arange(n)
    clears = (rng.uniform(8.5, 10.5) - local_h) * 4
    falls = (rng.uniform(16, 18) - local_h) * 4
    lit = np.clip((slots - clears) / 2 + 0.5, 0, 1) * np.clip((falls - slots) / 2 + 0.5, 0, 1)
    left = rng.uniform(0.2, 0.5)
    fc = _good(k, rng)
    return _clip(k * (left + (1 - left) * lit)), fc


MODELS: dict[str, Model] = {
    "bias": bias, "shift": shift, "over2x": over2x, "under": under,
    "fog": fog, "snow": snow, "stale": stale,
    "soiling": soiling, "trip": trip, "hour": hour, "haze": haze,
    "clipping": clipping, "storms": storms, "shade": shade,
}
