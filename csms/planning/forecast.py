"""Correct a green forecast with what the source actually produced so far.

Forecasts are wrong in both directions (a sunny forecast under clouds, or the reverse). The
ratio of measured output to the forecast (or to the clear-sky output, when the caller has it)
over the last hours says how wrong the forecast is today, and holds for hours; the ratio of the
last slot (persistence) is the best guess of the next one or two, and fades into the first
within about an hour.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

# Chosen on the benchmark (docs/planner.md): the last slot alone is the best guess of the next
# (persistence) and says little beyond about an hour; the day's bias, from the last hours,
# holds for much longer (a wrong forecast stays wrong).
NOWCAST_HALF_LIFE_H = 0.05
NOWCAST_H = 1.0
BIAS_HALF_LIFE_H = 2.0
BIAS_PERSISTENCE_H = 6.0
PERSISTENCE_H = 2.0  # how fast the near-term error estimate fades to the prior in `spread`
# The nowcast carries the last slot's ratio to the current one along the forecast's course,
# not its every wiggle: within an hour or so a forecast's ups and downs are noise for the next
# quarter hour. On the benchmark's broken skies the slot-to-slot ratio made the nowcast's
# error 15-25 % larger than holding the reading to the clear sky (the server's reference);
# averaged over 75 minutes it is within 1-10 % of it (`python -m bench.planner.nowcast`). A
# clear-sky reference (`reference_kw`) is smooth already (docs/planner.md, "The nowcast along
# the forecast's course").
NOWCAST_SHAPE_H = 1.25
# Output below a fifth of the forecast, now and over the last hours, is no cloud's: the clouds
# a forecast misses leave a quarter or more of it. It is snow or frost on the panels, or fog,
# and those end (the snow slides off, the fog lifts) at an hour no reading foretells: the
# shortfall is trusted for the next hour or two only, not as the day's bias (measured in
# docs/planner.md, "Covered panels and fog").
COVERED_RATIO = 0.2
COVERED_PERSISTENCE_H = 1.5
# A forecast issued for the wrong hour (a time-zone or daylight-saving slip) is wrong by a
# shift, which a ratio reads as a morning excess and an afternoon shortfall. What gives it away
# is output measured while the forecast has the sun down (below `LAG_DARK` of its peak, the
# panels giving more than `LAG_LIT` of it): no weather does that. Then the forecast is moved by
# the whole hours (what such slips are, up to `LAG_MAX_H`) that best fit the day's measured
# curve. A move fitted without that sign mistook fog, fronts and wrong-sky days for a lag
# (measured in docs/planner.md, "A forecast an hour off").
LAG_MAX_H = 2.0
LAG_STEP_H = 1.0
LAG_DARK = 0.001
LAG_LIT = 0.03


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


def _moved(fc: FloatArray, slots: int) -> FloatArray:
    """`fc` read `slots` later (positive: what the forecast says for an hour later is what
    comes now), zero beyond its ends (night)."""
    out = np.zeros(len(fc))
    if abs(slots) >= len(fc):  # moved past a short series' ends: all of it is night
        return out
    if slots >= 0:
        out[: len(fc) - slots] = fc[slots:]
    else:
        out[-slots:] = fc[: len(fc) + slots]
    return out


def lag(
    forecast_kw: Sequence[float] | FloatArray,
    actual_kw: Sequence[float] | FloatArray,
    now_index: int,
    *,
    slot_minutes: int = 15,
) -> int:
    """Slots by which the measured curve runs ahead of the forecast's (0: no sign of a lag).

    Only output measured while the forecast has the sun down counts as a sign: before the
    forecast's sunrise, the forecast is late; after its sunset, early. The move that way, by
    whole hours up to `LAG_MAX_H`, is the one whose least squares (each move with its own
    best scale: a bias does not pass for a lag) fit the measured slots best.
    """
    fc = np.asarray(forecast_kw, dtype=float)
    act = np.asarray(actual_kw, dtype=float)[: min(now_index, len(fc))]
    if not len(fc) or float(np.max(fc)) <= 0:
        return 0
    top = float(np.max(fc))
    seen = np.isfinite(act)
    a = np.where(seen, act, 0.0)
    dark = fc < LAG_DARK * top
    lit = np.flatnonzero(seen & dark[: len(act)] & (a > LAG_LIT * top))
    if not len(lit):
        return 0
    side = 1 if int(lit[-1]) < int(np.argmin(dark)) else -1  # before the forecast's sunrise
    per_h = max(1, round(60 * LAG_STEP_H / slot_minutes))
    best, best_sse = 0, np.inf
    for k in range(per_h, int(LAG_MAX_H / LAG_STEP_H) * per_h + 1, per_h):
        f = _moved(fc, side * k)[: len(act)][seen]
        ff = float(f @ f)
        sse = float(a[seen] @ a[seen]) - (float(a[seen] @ f) ** 2 / ff if ff > 0 else 0.0)
        if sse < best_sse:
            best, best_sse = side * k, sse
    return best


def shape(forecast_kw: Sequence[float] | FloatArray, slot_minutes: int = 15,
          parts: Sequence[int] | NDArray[np.int_] | None = None) -> FloatArray:
    """The forecast's course, its slot-to-slot wiggles averaged out over `NOWCAST_SHAPE_H`
    (a centred moving average; the series' ends are averaged over the slots they have).
    `parts`: a label per slot; slots of different labels are not averaged together (a forecast
    given for part of the day, the clear sky's guess filling the rest: at the seam the two
    levels are no wiggle of either)."""
    fc = np.asarray(forecast_kw, dtype=float)
    half = max(0, round(NOWCAST_SHAPE_H * 60 / slot_minutes)) // 2
    if half == 0 or not len(fc):
        return fc.copy()
    total = np.concatenate([[0.0], np.cumsum(fc)])
    at = np.arange(len(fc))
    lo, hi = np.maximum(at - half, 0), np.minimum(at + half + 1, len(fc))
    if parts is not None:  # each slot's window kept within its own run of the same label
        label = np.asarray(parts)[: len(fc)]
        change = np.flatnonzero(label[1:] != label[:-1]) + 1
        starts = np.concatenate([[0], change])
        ends = np.concatenate([change, [len(fc)]])
        run = np.searchsorted(change, at, side="right")
        lo, hi = np.maximum(lo, starts[run]), np.minimum(hi, ends[run])
    mean = (total[hi] - total[lo]) / (hi - lo)
    # no sun where the forecast has none
    return np.asarray(np.where(fc > 0, np.clip(mean, 0.0, None), 0.0), dtype=float)


def covered(r_day: float, r_now: float, expected: float = 1.0) -> bool:
    """Whether the day's and the last slot's ratios (measured over forecast output) are both
    below any cloud's: covered panels or fog, not a wrong forecast (`COVERED_RATIO`).
    `expected`: the forecast's own clear-sky index, when the ratios are taken against the
    clear sky instead (the forecast service's seasonal factor)."""
    return max(r_day, r_now) < COVERED_RATIO * expected


def correct(
    forecast_kw: Sequence[float] | FloatArray,
    actual_kw: Sequence[float] | FloatArray,
    now_index: int,
    *,
    slot_minutes: int = 15,
    half_life_h: float = NOWCAST_HALF_LIFE_H,
    persistence_h: float = BIAS_PERSISTENCE_H,
    reference_kw: Sequence[float] | FloatArray | None = None,
    bias_half_life_h: float = BIAS_HALF_LIFE_H,
    nowcast_h: float = NOWCAST_H,
    in_progress_kw: float | None = None,
    parts: Sequence[int] | NDArray[np.int_] | None = None,
) -> FloatArray:
    """Corrected forecast for slots `now_index` onwards, from two measured ratios.

    `actual_kw[i]` is the measured average of slot i (only i < now_index is read). The day's
    bias (ratio over the last hours, half-life `bias_half_life_h`) says how wrong the forecast
    is today and fades to the raw forecast over `persistence_h`; the nowcast (ratio of the last
    slot, half-life `half_life_h`, taken against the forecast's course: `shape`) says whether
    this cloud is passing and fades into the bias over `nowcast_h`. With `reference_kw`
    (clear-sky output) both ratios are taken against it.
    When both ratios are below any cloud's (`covered`: snow on the panels, fog) the shortfall
    fades over `COVERED_PERSISTENCE_H` instead: it ends, and the forecast's sun comes back.
    `in_progress_kw`: the latest reading (a server reads every few minutes), taken as slot
    `now_index`'s measurement, as in `services.sites.forecast.compute`. `parts`: labels of the
    forecast's slots whose course is not to be averaged together (`shape`).
    Without `reference_kw`, a forecast the measured curve runs clearly ahead of or behind
    (`lag`: issued for the wrong hour) is moved by that lag first, and the ratios are taken
    against the moved forecast.
    """
    fc = np.asarray(forecast_kw, dtype=float)
    if reference_kw is None:
        moved = lag(fc, actual_kw, now_index, slot_minutes=slot_minutes)
        fc = _moved(fc, moved)
        if parts is not None and moved:  # the labels move with their slots
            parts = np.round(_moved(np.asarray(parts, dtype=float) + 1.0, moved)).astype(int)
    ref = fc if reference_kw is None else np.asarray(reference_kw, dtype=float)
    future = fc[now_index:]
    seen: Sequence[float] | FloatArray = actual_kw
    upto = now_index
    if in_progress_kw is not None and now_index < len(ref):
        seen = [*np.asarray(actual_kw, dtype=float)[:now_index], in_progress_kw]
        upto = now_index + 1
    nref = ref if reference_kw is not None else shape(fc, slot_minutes, parts)
    r_now = ratio(nref, seen, upto, slot_minutes=slot_minutes, half_life_h=half_life_h)
    r_day = ratio(ref, seen, upto, slot_minutes=slot_minutes, half_life_h=bias_half_life_h)
    if r_now is None or r_day is None:
        return future.copy()
    if covered(r_day, r_now):
        persistence_h = min(persistence_h, COVERED_PERSISTENCE_H)
    lead_h = np.arange(len(future)) * slot_minutes / 60.0
    ref_f = ref[now_index:]
    out = (future + np.exp(-lead_h / persistence_h) * (r_day * ref_f - future)
           + np.exp(-lead_h / nowcast_h) * (r_now * nref[now_index:] - r_day * ref_f))
    return np.asarray(np.clip(out, 0.0, None), dtype=float)


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
    persistence_h: float = PERSISTENCE_H,
    half_life_h: float = NOWCAST_HALF_LIFE_H,
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
        r = ratio(fc, act, k, slot_minutes=slot_minutes, half_life_h=half_life_h)
        pred = fc[k] * (1.0 if r is None else r)
        if fc[k] > 0.05 * peak and pred > 0 and np.isfinite(act[k]):
            errs.append((float(act[k]) - float(pred)) / float(pred))
    with np.errstate(over="ignore"):  # an error too large to square is the widest spread (1)
        near = float(np.sqrt(np.mean(np.square(errs)))) if len(errs) >= 2 else prior
    beta = np.exp(-np.arange(horizon) * slot_minutes / 60.0 / persistence_h)
    return np.asarray(np.clip(beta * near + (1.0 - beta) * prior, floor, 1.0), dtype=float)


# How far the output may fall in one slot. No cloud took a 15-minute slot below a quarter of
# the last one (halving was broken by a cloud front and an overcast sky's flicker), but an
# inverter that trips takes it to zero at once, and nothing a reading shows beforehand says it
# will: with 0 nothing is firm and the load stays within the grid limit whatever the green
# does. A quarter gains a tight on-site site 60 points and puts a trip's slot over the limit
# (docs/planner.md, "Firm green and the inverter trip"). A day that has shown deeper drops is
# trusted to the worst of them, less a margin.
DROP_PRIOR = 0.0
DROP_MARGIN = 0.8
# A site with a local guard (a controller at its connection that curtails the chargers within
# seconds when the import exceeds the limit, as on a trip) loses no more than those seconds to
# a trip: the quarter that held against every cloud of the benchmark is its prior.
GUARDED_DROP_PRIOR = 0.25


def drop_prior(local_guard: bool) -> float:
    """The one-slot drop a site's firm green assumes: none is firm without a local guard."""
    return GUARDED_DROP_PRIOR if local_guard else DROP_PRIOR


def _drops(act: FloatArray, prior: float, margin: float) -> tuple[float, float, float]:
    """The day's worst one-slot drop (raw ratios, sunset included, less `margin`, never
    milder than `prior`), the last slot's own fall (1: it did not fall) and the dawn/dusk
    floor (a tenth of the day's peak so far) below which slots say nothing."""
    worst, fell = prior, 1.0
    floor = 0.1 * float(np.nanmax(act)) if np.isfinite(act).any() else 0.0
    for k in range(1, len(act)):
        prev, cur = act[k - 1], act[k]
        if np.isfinite(prev) and np.isfinite(cur) and prev > floor:
            step = cur / prev  # raw: the forecast's own wiggles must not hide a drop
            worst = min(worst, margin * step)
            fell = min(1.0, step) if k == len(act) - 1 else 1.0
    return worst, fell, floor


def firm(
    forecast_kw: Sequence[float] | FloatArray,
    actual_kw: Sequence[float] | FloatArray,
    now_index: int,
    horizon: int,
    *,
    prior: float = DROP_PRIOR,
    margin: float = DROP_MARGIN,
) -> FloatArray:
    """Green output the next `horizon` slots are all but sure to reach: a lower bound.

    From the last measured slot, following the forecast's shape downwards only (sunset), and
    assuming the worst one-slot drop of the day (never milder than `prior`) compounds slot by
    slot; a slot that just fell may fall as much again (a cloud moving in takes two slots to
    cover a park). Zero without a measurement of the last slot and at dawn or dusk (below a
    tenth of the day's peak so far). With on-site green, the grid import stays within the
    limit as long as load <= limit + this bound (`python -m bench.planner.firm` counts the
    slots where it did not hold).
    """
    act = np.asarray(actual_kw, dtype=float)[:now_index]
    if now_index < 1 or len(act) < now_index or not np.isfinite(act[-1]):
        return np.zeros(horizon)
    return _firm(np.asarray(forecast_kw, dtype=float), act, horizon,
                 _drops(act, prior, margin))


def _firm(fc: FloatArray, act: FloatArray, horizon: int,
          drops: tuple[float, float, float]) -> FloatArray:
    worst, fell, floor = drops
    out = np.zeros(horizon)
    now_index = len(act)
    ref = fc[now_index - 1] if now_index - 1 < len(fc) else 0.0
    if act[-1] <= 0 or ref <= 0 or act[-1] < floor:
        return out
    for j in range(horizon):
        i = now_index + j
        course = (1.0 if fc[i] >= ref else fc[i] / ref) if i < len(fc) else 0.0
        out[j] = act[-1] * course * (worst * fell) ** (j + 1)
    return out


def bounds(
    forecast_kw: Sequence[float] | FloatArray,
    actual_kw: Sequence[float] | FloatArray,
    now_index: int,
    expected_kw: Sequence[float] | FloatArray,
    *,
    prior: float = DROP_PRIOR,
    margin: float = DROP_MARGIN,
) -> tuple[FloatArray, FloatArray]:
    """(firm, room): on-site green a sent schedule may count on above the grid limit (`firm`),
    and what the plan may count on, per slot from now.

    The room of the current slot is its sure bound. A later slot's room is what its own sure
    bound is expected to be once it is current (the day's worst drop times the expected green),
    since the plan is re-made every slot; what is sent to stations for later slots still keeps
    to `firm` (`planner.clip_to`), in case csms is not there to re-plan. Both are zero when
    nothing usable was measured (no reading, or a stale source).
    """
    exp = np.asarray(expected_kw, dtype=float)
    act = np.asarray(actual_kw, dtype=float)[:now_index]
    if now_index < 1 or len(act) < now_index or not np.isfinite(act[-1]):
        return np.zeros(len(exp)), np.zeros(len(exp))
    drops = _drops(act, prior, margin)
    strict = _firm(np.asarray(forecast_kw, dtype=float), act, len(exp), drops)
    likely = np.where(exp >= drops[2], drops[0] * exp, 0.0)
    likely[:1] = 0.0
    return strict, np.asarray(np.maximum(strict, likely), dtype=float)


def still_to_come(green_kw: Sequence[float] | FloatArray, elapsed: float) -> FloatArray:
    """`green_kw` (mean kW per slot from the current slot's start) for a plan made `elapsed`
    (0-1) into the current slot: the planner fills a slot's green with the slot's mean load,
    so the part of the slot gone by must not count, or a re-plan a few minutes before the slot
    ends would load the cars at several times the green still to come."""
    out = np.array(green_kw, dtype=float)
    if len(out):
        out[0] *= 1.0 - min(max(elapsed, 0.0), 1.0)
    return out
