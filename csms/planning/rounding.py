"""The 0-or-at-least-min rule, applied after the LP (which cannot express it without integers).

Slot by slot, a session the LP gives less than its minimum is either raised to the minimum or
set to 0. Raising is allowed only within the slot's capacity, so the site limit survives rounding;
what a session loses or gains is carried to its next slots (rotation), so over a window sessions
take turns instead of one being starved. When the slot has no headroom left for a minimum,
sessions above their own minimum give up a little (never below it), so a slot is not left
partly unused for want of a fraction of a kW. A remainder is never rotated past the point where
the rest of the window could no longer take it (a window ending seconds into its last slot), and
a remainder one minimum-power slot would finish goes when the slot has room for it.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
_EPS = 1e-6


def round_to_minimum(
    power: FloatArray,
    frac: FloatArray,
    min_kw: FloatArray,
    ub_kw: FloatArray,
    need_kwh: FloatArray,
    cap_kw: FloatArray,
    dt_h: float,
) -> FloatArray:
    """Return a copy of `power` (sessions x slots) where every entry is 0 or in [min, ub]."""
    n_s, n_t = power.shape
    out = np.zeros_like(power)
    carry = np.zeros(n_s)  # kWh the rounded plan owes each session relative to the LP
    left = need_kwh.astype(np.float64).copy()
    # from slot t to the end of the window: plugged-in slots, and the LP's energy
    reach = np.cumsum(frac[:, ::-1], axis=1)[:, ::-1]
    planned = np.cumsum((power * frac * dt_h)[:, ::-1], axis=1)[:, ::-1]
    for t in range(n_t):
        f = frac[:, t]
        on = f > 0
        if not on.any():
            continue
        e_per_kw = np.where(on, f * dt_h, 1.0)
        want = np.where(on, power[:, t] + carry / e_per_kw, 0.0)
        want = np.clip(want, 0.0, np.minimum(ub_kw, np.maximum(left, 0.0) / e_per_kw))
        extra = np.clip(want - power[:, t], 0.0, None)
        over = want.sum() - cap_kw[t]
        if over > _EPS and extra.sum() > _EPS:
            want -= extra * min(1.0, over / extra.sum())
        low = on & (want > _EPS) & (want < min_kw - _EPS)
        row = np.where(low | (want <= _EPS), 0.0, want)
        headroom = cap_kw[t] - row.sum()
        target = want[low].sum()
        # must go now: what the LP still plans would not fit in the rest of the window even at
        # full power (a window ending seconds into its last slot cannot take a small remainder)
        owed = np.minimum(planned[:, t] + carry, left)
        last = owed > (reach[:, t] - f) * dt_h * ub_kw + _EPS
        finish = owed <= min_kw * f * dt_h  # a minimum-power slot ends the session's plan
        given = 0.0
        for s in np.argsort(-want * low):
            if not low[s]:
                break
            m = min_kw[s]
            if not (given + m <= target + 0.5 * m or last[s]
                    or (finish[s] and headroom + _EPS >= m)):
                continue
            if headroom + _EPS < m:
                spare = np.where(row > min_kw, row - min_kw, 0.0)
                spare[s] = 0.0
                if headroom + spare.sum() + _EPS < m:
                    continue
                row -= spare * ((m - headroom) / spare.sum())
                headroom = m
            row[s] = m
            headroom -= m
            given += m
        out[:, t] = row
        delivered = row * f * dt_h
        carry += power[:, t] * f * dt_h - delivered
        left -= delivered
    return out


def to_watts(power: FloatArray, min_kw: FloatArray, ub_kw: FloatArray,
             cap_kw: FloatArray) -> FloatArray:
    """`power` in whole watts, still 0 or within [min, ub] and within the cap in every slot.

    Whole watts make every figure written with three decimals (the plan-day file, kW) exact, so
    the file itself keeps the power rule and the limit: a maximum is rounded down to a watt, every
    other power up (a car stops once full, and rounding down would leave each car a fraction of a
    watt-hour short). A slot above its cap after that takes the excess off the powers above their
    minimum; failing that, its smallest power stops.
    """
    lo = np.ceil(min_kw * 1000 - 1e-6)
    hi = np.floor(ub_kw * 1000 + 1e-6)
    odd = lo > hi  # min and max within one watt: counted as the watt above, sent exactly
    hi = np.where(odd, lo, hi)
    w = np.minimum(np.ceil(power * 1000 - 1e-6), hi[:, None])
    w = np.where(w >= 1, np.maximum(w, lo[:, None]), 0.0)
    cap_w = np.floor(cap_kw * 1000 + 1e-6)
    for t in np.flatnonzero(w.sum(axis=0) > cap_w):
        col = w[:, t]
        while col.sum() > cap_w[t]:
            over = col.sum() - cap_w[t]
            slack = np.where(col > 0, col - lo, 0.0)
            if slack.sum() >= over:
                cut = np.floor(slack * (over / slack.sum()))
                rest = over - cut.sum()
                cut[np.argsort(-(slack - cut))[: int(rest)]] += 1
                col -= cut
            else:
                col[np.argmin(np.where(col > 0, col, np.inf))] = 0.0
        w[:, t] = col
    kw: FloatArray = np.where(odd[:, None] & (w > 0), min_kw[:, None], w / 1000.0)
    for t in np.flatnonzero(kw.sum(axis=0) > cap_kw):  # float summation, a hair above
        s = int(np.argmax(kw[:, t] - np.where(kw[:, t] > 0, lo / 1000, 0)))
        kw[s, t] = (w[s, t] - 1) / 1000 if w[s, t] - 1 >= lo[s] else 0.0
    return kw


def drop_past_need(power: FloatArray, frac: FloatArray, need_kwh: FloatArray,
                   dt_h: float) -> FloatArray:
    """`power` with 0 in every slot that starts after the session's need is met."""
    drawn = np.cumsum(power * frac * dt_h, axis=1)
    before = np.concatenate([np.zeros((power.shape[0], 1)), drawn[:, :-1]], axis=1)
    return np.where(before >= need_kwh[:, None] - 1e-9, 0.0, power)
