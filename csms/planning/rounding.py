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
