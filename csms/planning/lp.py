"""The linear program behind a plan, built as sparse numpy arrays and solved with HiGHS.

One solve with weighted objectives instead of staged solves: the weights are ordered so that no
lower-priority gain can pay for a higher-priority loss (one kWh delivered is worth 1000, one kWh of
green 1, earliness at most 0.01 per kWh), which yields the lexicographic optimum up to solver
tolerance in a third of the time of three staged solves.

Green is uncertain, so the green used in a slot is valued at its expectation,
E[min(load, G)] = integral of P(G > x) dx over [0, load], a concave function the LP takes as bands
of decreasing value (the surest kW first).

Columns: p[s,t] (power of session s in slot t of its window), short[s], green[t,k], reserve[t],
firm[t] (load above the grid limit, up to the firm green), z, then the newcomers' n[v,t] (power of
the cars expected in hour v, from that hour to the plan's end) and their unmet[v].
Rows: energy[s] (delivered + short = need), capacity[t], green[t] (green <= EV load), fair[s],
newcomers[v] (delivered + unmet = the energy the site's history expects them to want).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass

import highspy
import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

W_SHORT = 1000.0  # per kWh not delivered (real preferences)
W_SHORT_DEFAULTED = 500.0  # guessed needs yield to real ones when not all can be met
W_FAIR = 100.0  # times the mean need, per unit of the worst relative shortfall
W_RESERVE = 2.0  # per kWh of reserved capacity used: above green, below any need
# per kWh of load above the grid limit that firm on-site green makes safe: taken for likely
# green (bands valued above it) and for needs, never to chase a long shot of green now, which
# would displace green later that the per-slot bands undervalue (they ignore re-planning)
W_FIRM = 0.5
W_GREEN = 1.0  # per kWh of green used
W_EARLY = 0.01  # green mode: whole-window spread of the earliness tie-break, per kWh
W_EARLY_DEFAULTED = 0.1  # departure is a guess: front-load the grid part harder
W_FAST = 1.5  # fast mode: per kWh per slot of delay, more than any green gain
# per kWh the cars the site's history expects cannot get: they take capacity, never green, so a
# heavy day's later capacity is seen taken and the cars there charge before it; below a kWh of
# green, or the history (an average day) would trade the cars' green for cars that may not come
# (docs/planner.md, "The newcomers as capacity in the LP"; ADR 0025)
W_NEWCOMER = 0.5


@dataclass(frozen=True)
class LpProblem:
    """Dense-per-session description of one planning LP (all arrays per session window)."""

    dt_h: float
    cap_kw: FloatArray  # (T,) capacity for the sum of session powers within the grid limit
    reserve_kw: FloatArray  # (T,) part of cap_kw held back for arrivals (soft)
    green_kw: FloatArray  # (T, K) green bands: widths in kW, filled from the surest band
    green_value: FloatArray  # (T, K) probability that the green output reaches each band
    first: IntArray  # (S,) first slot of each window
    frac: list[FloatArray]  # per session: plugged-in fraction of each window slot
    ub_kw: FloatArray  # (S,)
    need_kwh: FloatArray  # (S,)
    w_short: FloatArray  # (S,)
    early: list[FloatArray]  # per session: earliness cost per kWh of each window slot
    firm_kw: FloatArray | None = None  # (T,) room above cap_kw that firm green makes safe
    # (T,) part of each slot some car can draw in: reserve and firm room are priced per kWh, as
    # the green they buy is (a plan made during a slot has only the rest of its first slot)
    covered: FloatArray | None = None
    # the cars expected to arrive (`arrivals.ArrivalModel`), one group per hour: first slot they
    # may draw in (they may draw until the plan's end, in the capacity rows only) and their kWh
    newcomer_first: IntArray | None = None
    newcomer_kwh: FloatArray | None = None


@dataclass(frozen=True)
class LpSolution:
    status: str
    power: list[FloatArray]  # per session, over its window
    shortfall: FloatArray
    green_kw: FloatArray
    variables: int
    rows: int


_banner_lock = threading.Lock()
_banner_done = False


def _new_highs() -> highspy.Highs:
    """A silent solver. HiGHS prints a banner on the C stdout once per process; swallow it."""
    global _banner_done
    with _banner_lock:
        if _banner_done:
            h = highspy.Highs()  # type: ignore[no-untyped-call]
        else:
            saved = os.dup(1)
            try:
                with open(os.devnull, "w") as null:
                    os.dup2(null.fileno(), 1)
                    h = highspy.Highs()  # type: ignore[no-untyped-call]
            finally:
                os.dup2(saved, 1)
                os.close(saved)
            _banner_done = True
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    return h


def _slots(first: IntArray, lens: IntArray) -> IntArray:
    """The plan slot of every column of windows laid end to end (window i: `lens[i]` slots
    from slot `first[i]`)."""
    starts = np.cumsum(lens) - lens
    return np.asarray(np.arange(int(lens.sum())) - np.repeat(starts, lens)
                      + np.repeat(first, lens), dtype=np.int64)


def solve(pb: LpProblem) -> LpSolution:
    n_s, n_t = len(pb.first), len(pb.cap_kw)
    n_k = pb.green_kw.shape[1]
    lens = np.array([len(f) for f in pb.frac], dtype=np.int64)
    n_p = int(lens.sum())
    sess = np.repeat(np.arange(n_s), lens)
    slot = _slots(pb.first, lens)
    frac = np.concatenate(pb.frac) if n_s else np.zeros(0)
    early = np.concatenate(pb.early) if n_s else np.zeros(0)
    fair = n_s > 1
    # column blocks
    c_short, c_green, c_res = n_p, n_p + n_s, n_p + n_s + n_t * n_k
    c_firm = c_res + n_t
    c_z = c_firm + n_t
    firm = np.zeros(n_t) if pb.firm_kw is None else pb.firm_kw
    c_new = c_z + (1 if fair else 0)
    new_first = np.zeros(0, dtype=np.int64) if pb.newcomer_first is None else pb.newcomer_first
    new_kwh = np.zeros(0) if pb.newcomer_kwh is None else pb.newcomer_kwh
    n_v = len(new_first)
    new_len = n_t - new_first
    n_nc = int(new_len.sum())
    new_slot = _slots(new_first, new_len)
    c_unmet = c_new + n_nc
    n_col = c_unmet + n_v
    # row blocks
    r_cap, r_green, r_fair = n_s, n_s + n_t, n_s + 2 * n_t
    r_new = r_fair + (n_s if fair else 0)
    n_row = r_new + n_v

    cost = np.zeros(n_col)
    cost[:n_p] = early * frac * pb.dt_h
    cost[c_short:c_green] = pb.w_short
    cost[c_green:c_res] = -W_GREEN * pb.green_value.ravel() * pb.dt_h
    span = np.ones(n_t) if pb.covered is None else pb.covered
    cost[c_res:c_firm] = W_RESERVE * pb.dt_h * span
    cost[c_firm:c_z] = W_FIRM * pb.dt_h * span
    lower = np.zeros(n_col)
    upper = np.empty(n_col)
    upper[:n_p] = np.repeat(pb.ub_kw, lens)
    upper[c_short:c_green] = pb.need_kwh
    upper[c_green:c_res] = pb.green_kw.ravel()
    upper[c_res:c_firm] = pb.reserve_kw
    upper[c_firm:c_z] = firm
    if fair:
        cost[c_z] = W_FAIR * float(np.mean(pb.need_kwh))
        upper[c_z] = 1.0
    upper[c_new:c_unmet] = pb.cap_kw[new_slot]
    cost[c_unmet:] = W_NEWCOMER
    upper[c_unmet:] = new_kwh

    # p columns: energy row, capacity row, green row (3 entries each)
    p_idx = np.stack([sess, r_cap + slot, r_green + slot], axis=1).ravel()
    p_val = np.stack([frac * pb.dt_h, np.ones(n_p), -frac], axis=1).ravel()
    s_rows = [np.arange(n_s)] + ([r_fair + np.arange(n_s)] if fair else [])
    s_idx = np.stack(s_rows, axis=1).ravel()
    s_val = np.ones(len(s_idx))
    g_idx = r_green + np.repeat(np.arange(n_t), n_k)
    res_idx = r_cap + np.arange(n_t)
    parts_idx = [p_idx, s_idx, g_idx, res_idx, res_idx]
    parts_val = [p_val, s_val, np.ones(n_t * n_k), -np.ones(n_t), -np.ones(n_t)]
    counts = [np.full(n_p, 3), np.full(n_s, len(s_rows)), np.ones(n_t * n_k), np.ones(n_t),
              np.ones(n_t)]
    if fair:
        parts_idx.append(r_fair + np.arange(n_s))
        parts_val.append(-pb.need_kwh)
        counts.append(np.array([n_s]))
    new_rows = r_new + np.repeat(np.arange(n_v), new_len)
    parts_idx += [np.stack([new_rows, r_cap + new_slot], axis=1).ravel(), r_new + np.arange(n_v)]
    parts_val += [np.tile([pb.dt_h, 1.0], n_nc), np.ones(n_v)]
    counts += [np.full(n_nc, 2), np.ones(n_v)]
    start = np.concatenate(([0], np.cumsum(np.concatenate(counts)))).astype(np.int32)

    row_lo = np.full(n_row, -np.inf)
    row_hi = np.zeros(n_row)
    row_lo[:n_s] = pb.need_kwh
    row_hi[:n_s] = pb.need_kwh
    row_hi[r_cap:r_green] = pb.cap_kw - pb.reserve_kw
    row_lo[r_new:] = new_kwh
    row_hi[r_new:] = new_kwh

    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n_col, n_row
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = cost, lower, upper
    lp.row_lower_, lp.row_upper_ = row_lo, row_hi
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = start
    lp.a_matrix_.index_ = np.concatenate(parts_idx).astype(np.int32)
    lp.a_matrix_.value_ = np.concatenate(parts_val).astype(np.float64)
    h = _new_highs()
    h.passModel(lp)
    h.run()
    status = h.modelStatusToString(h.getModelStatus())
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        zero = [np.zeros(len(f)) for f in pb.frac]
        return LpSolution(status, zero, pb.need_kwh.copy(), np.zeros(n_t), n_col, n_row)
    x = np.asarray(h.getSolution().col_value)
    p = np.clip(x[:n_p], 0.0, None)
    power = np.split(p, np.cumsum(lens)[:-1]) if n_s else []
    green = x[c_green:c_res].reshape(n_t, n_k).sum(axis=1)
    return LpSolution(status, list(power), x[c_short:c_green], green, n_col, n_row)
