"""`plan(PlanInputs) -> Plan`: one stateless planning cycle (see README.md for the policy)."""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Mapping
from datetime import datetime, timedelta

import numpy as np

from csms.planning import hedge, lp
from csms.planning.lp import FloatArray, IntArray, LpProblem
from csms.planning.model import (
    LEAD_DISCOUNT_TAU_H,
    Diagnostics,
    Plan,
    PlanInputs,
    PlanningError,
    SessionNeed,
    SessionPlan,
)
from csms.planning.rounding import drop_past_need, round_to_minimum, to_watts


def _hours(a: datetime, b: datetime) -> float:
    return (b - a).total_seconds() / 3600.0


def validate(inputs: PlanInputs) -> None:
    """Raise PlanningError for inputs no plan can honour; the message names the culprit."""
    if inputs.start.tzinfo is None:
        raise PlanningError("start must be timezone-aware (UTC)")
    if inputs.slot_minutes <= 0 or 1440 % inputs.slot_minutes:
        raise PlanningError("slot_minutes must be a positive divisor of a day")
    if not math.isfinite(inputs.grid_limit_kw) or inputs.grid_limit_kw < 0:
        raise PlanningError("grid_limit_kw must be a non-negative number")
    if not 0.0 <= inputs.lead_discount < 1.0:
        raise PlanningError("lead_discount must be in [0, 1)")
    for name in ("green_kw", "green_spread", "firm_green_kw", "reserve_kw", "base_load_kw",
                 "arriving_kwh"):
        arr = np.asarray(getattr(inputs, name), dtype=float)
        if arr.size and (not np.all(np.isfinite(arr)) or np.any(arr < 0)):
            raise PlanningError(f"{name} must hold non-negative numbers")
    seen: set[str] = set()
    for s in inputs.sessions:
        if s.id in seen:
            raise PlanningError(f"session {s.id!r} appears twice")
        seen.add(s.id)
        if s.departure <= s.arrival:
            raise PlanningError(f"session {s.id!r}: departure is not after arrival")
        nums = (s.energy_kwh, s.max_kw, s.min_kw, s.evse_max_kw or 0.0)
        if not all(math.isfinite(v) and v >= 0 for v in nums):
            raise PlanningError(f"session {s.id!r}: energy and powers must be non-negative")
        if s.min_kw > s.cap_kw:
            raise PlanningError(f"session {s.id!r}: min_kw exceeds its maximum power")
        if s.mode not in ("green", "fast"):
            raise PlanningError(f"session {s.id!r}: mode must be 'green' or 'fast'")


def _per_slot(values: object, n: int) -> FloatArray:
    arr = np.zeros(n)
    src = np.asarray(values, dtype=float)[:n]
    arr[: len(src)] = src
    return arr


def _horizon(inputs: PlanInputs) -> int:
    slot_h = inputs.slot_minutes / 60.0
    latest = max((s.departure for s in inputs.sessions), default=inputs.start)
    hours = min(max(_hours(inputs.start, latest), 0.0), inputs.max_horizon_h)
    return max(1, math.ceil(hours / slot_h - 1e-9))


def _span(s: SessionNeed, inputs: PlanInputs, n_t: int) -> tuple[float, float]:
    """The session's window in slots from the plan's start."""
    slot_h = inputs.slot_minutes / 60.0
    a = max(_hours(inputs.start, s.arrival), 0.0) / slot_h
    return a, min(_hours(inputs.start, s.departure) / slot_h, float(n_t))


def _window(s: SessionNeed, inputs: PlanInputs, n_t: int) -> tuple[int, FloatArray]:
    """First slot and plugged-in fraction of each slot of the session's window."""
    a, d = _span(s, inputs, n_t)
    if d <= a:
        return 0, np.zeros(0)
    first, last = int(math.floor(a)), int(math.ceil(d))
    edges = np.arange(first, last + 1, dtype=float)
    frac = np.clip(np.minimum(edges[1:], d) - np.maximum(edges[:-1], a), 0.0, 1.0)
    return first, frac


def covered(windows: list[tuple[float, float]], n_t: int) -> FloatArray:
    """Per slot, the part of it between the first plug-in and the last departure in it (in
    slots, `windows` as (arrival, departure) from the plan's start): the most of the slot any
    load can last. A plan made during a slot, each car from now, covers only what is left of
    its first slot."""
    lo, hi = np.full(n_t, np.inf), np.full(n_t, -np.inf)
    for a, d in windows:
        first, last = int(math.floor(a)), min(int(math.ceil(d)), n_t)
        if last <= first:
            continue
        lo[first:last] = np.minimum(lo[first:last], a)
        hi[first:last] = np.maximum(hi[first:last], d)
    edges = np.arange(n_t, dtype=float)
    return np.asarray(np.clip(np.minimum(hi, edges + 1) - np.maximum(lo, edges), 0.0, 1.0),
                      dtype=float)


def green_bands(expected: FloatArray, spread: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Widths and values of the green bands of each slot.

    The output is taken as uniform on expected * [1 - a, 1 + a], a = sqrt(3) * relative spread
    (capped at 1): below the lower end it is sure (value 1); the uncertain range is cut into three
    bands valued at P(G > band middle) = 5/6, 1/2, 1/6.
    """
    a = np.minimum(np.sqrt(3.0) * spread, 1.0)
    lo, width = expected * (1.0 - a), expected * 2.0 * a
    widths = np.stack([lo, width / 3, width / 3, width / 3], axis=1)
    values = np.tile(np.array([1.0, 5 / 6, 0.5, 1 / 6]), (len(expected), 1))
    return widths, values


def lead_weights(n: int, slot_minutes: int, discount: float) -> FloatArray:
    """Value of a kWh of green in each slot relative to the current one (README row 16)."""
    lead_h = np.arange(n) * slot_minutes / 60.0
    return np.asarray(1.0 - discount * (1.0 - np.exp(-lead_h / LEAD_DISCOUNT_TAU_H)), dtype=float)


def _early_cost(s: SessionNeed, n: int) -> FloatArray:
    k = np.arange(n, dtype=float)
    if s.mode == "fast":
        return lp.W_FAST * (k + 1)
    w = lp.W_EARLY_DEFAULTED if s.defaulted else lp.W_EARLY
    return w * (k + 0.5) / max(n, 1)


def newcomers(arriving_kwh: FloatArray, slot_minutes: int) -> tuple[IntArray, FloatArray]:
    """The expected newcomers as one group per hour of the plan (its first slot, its kWh), from
    `PlanInputs.arriving_kwh`; the current slot's are planned as they plug in. An hour's cars
    stay for hours, so a group's slot-by-slot detail would only add columns."""
    per = max(1, 60 // slot_minutes)
    firsts = np.arange(1, len(arriving_kwh), per, dtype=np.int64)
    kwh = np.add.reduceat(arriving_kwh, firsts) if len(firsts) else np.zeros(0)
    keep = kwh > 1e-6
    return firsts[keep], np.asarray(kwh[keep], dtype=float)


def plan(inputs: PlanInputs) -> Plan:
    """Plan every session of a site from `inputs.start` to the latest departure (<= 36 h)."""
    t0 = time.perf_counter()
    validate(inputs)
    n_t = _horizon(inputs)
    dt = inputs.slot_minutes / 60.0
    base = _per_slot(inputs.base_load_kw, n_t)
    firm = _per_slot(inputs.firm_green_kw, n_t) if inputs.green_on_site else np.zeros(n_t)
    cap = np.clip(inputs.grid_limit_kw + firm - base, 0.0, None)
    within = np.clip(inputs.grid_limit_kw - base, 0.0, None)  # without leaning on firm green
    reserve = np.minimum(_per_slot(inputs.reserve_kw, n_t), within)
    green = np.clip(_per_slot(inputs.green_kw, n_t) - base, 0.0, None)
    notes: list[str] = []
    sessions = list(inputs.sessions)
    firsts, fracs, needs, ubs = [], [], [], []
    reach_kw = np.zeros(n_t)  # what the plugged-in cars can draw together, per slot
    for s in sessions:
        first, frac = _window(s, inputs, n_t)
        reach_kw[first : first + len(frac)] += s.cap_kw * frac
        reach = s.cap_kw * float(frac.sum()) * dt
        need = min(s.energy_kwh, reach)
        if need < s.energy_kwh - 1e-6:
            notes.append(f"{s.id}: {s.energy_kwh - need:.2f} kWh out of reach of its own maximum")
        firsts.append(first)
        fracs.append(frac)
        needs.append(need)
        ubs.append(s.cap_kw)
    arriving = _per_slot(inputs.arriving_kwh, n_t)
    tip = hedge.newcomers_tip(sum(needs), hedge.later_green_kwh(green, cap, reach_kw, dt),
                              arriving)
    new_first, new_kwh = newcomers(arriving, inputs.slot_minutes)
    unsure = hedge.current_spread(_per_slot(inputs.green_spread, n_t), tip)
    bands, band_value = green_bands(green, unsure)
    band_value = band_value * lead_weights(n_t, inputs.slot_minutes, inputs.lead_discount)[:, None]
    if tip:
        notes.append("newcomers expected: the current slot is planned on its expected green")
    pb = LpProblem(
        dt_h=dt, cap_kw=within, reserve_kw=reserve,
        green_kw=bands, green_value=band_value,
        first=np.asarray(firsts, dtype=np.int64), frac=fracs, firm_kw=cap - within,
        ub_kw=np.asarray(ubs, dtype=float), need_kwh=np.asarray(needs, dtype=float),
        w_short=np.asarray(
            [lp.W_SHORT_DEFAULTED if s.defaulted else lp.W_SHORT for s in sessions], dtype=float
        ),
        early=[_early_cost(s, len(fr)) for s, fr in zip(sessions, fracs, strict=True)],
        covered=covered([_span(s, inputs, n_t) for s in sessions], n_t),
        newcomer_first=new_first, newcomer_kwh=new_kwh,
    )
    t1 = time.perf_counter()
    sol = lp.solve(pb)
    solve_ms = (time.perf_counter() - t1) * 1000.0
    if sol.status != "Optimal":
        notes.append(f"solver status {sol.status}: no session is scheduled")
    dense = np.zeros((len(sessions), n_t))
    frac_d = np.zeros((len(sessions), n_t))
    for i, (first, frac, p) in enumerate(zip(firsts, fracs, sol.power, strict=True)):
        dense[i, first : first + len(frac)] = p
        frac_d[i, first : first + len(frac)] = frac
    mins = np.asarray([s.min_kw for s in sessions], dtype=float)
    rounded = to_watts(
        round_to_minimum(dense, frac_d, mins, pb.ub_kw, pb.need_kwh, cap, dt), mins, pb.ub_kw, cap
    )
    rounded = drop_past_need(rounded, frac_d, pb.need_kwh, dt)
    return _assemble(inputs, sessions, rounded, frac_d, green, cap, notes, sol, solve_ms, t0)


def _assemble(
    inputs: PlanInputs,
    sessions: list[SessionNeed],
    power: FloatArray,
    frac: FloatArray,
    green: FloatArray,
    cap: FloatArray,
    notes: list[str],
    sol: lp.LpSolution,
    solve_ms: float,
    t0: float,
) -> Plan:
    dt = inputs.slot_minutes / 60.0
    need = np.asarray([s.energy_kwh for s in sessions], dtype=float).reshape(-1, 1)
    cum = np.minimum(np.cumsum(power * frac * dt, axis=1), need)  # a full car stops drawing
    energy = np.diff(cum, axis=1, prepend=0.0)  # kWh per session and slot
    slot_e = energy.sum(axis=0)
    green_e = np.minimum(slot_e, green * dt)
    share = np.divide(green_e, slot_e, out=np.zeros_like(slot_e), where=slot_e > 1e-12)
    out: dict[str, SessionPlan] = {}
    total_short = 0.0
    for i, s in enumerate(sessions):
        delivered = float(energy[i].sum())
        short = max(0.0, s.energy_kwh - delivered)
        total_short += short
        out[s.id] = SessionPlan(
            id=s.id, power_kw=tuple(power[i].tolist()),
            energy_kwh=delivered, green_kwh=float((energy[i] * share).sum()),
            shortfall_kwh=short, defaulted=s.defaulted,
        )
    if total_short > 1e-3:
        notes.append(f"{total_short:.2f} kWh of requested energy cannot be delivered in time")
    diag = Diagnostics(
        status=sol.status, solve_ms=solve_ms, total_ms=(time.perf_counter() - t0) * 1000.0,
        variables=sol.variables, rows=sol.rows, notes=tuple(notes),
    )
    return Plan(
        start=inputs.start, slot_minutes=inputs.slot_minutes, sessions=out,
        load_kw=tuple(power.sum(axis=0).tolist()), green_kw=tuple((green_e / dt).tolist()),
        capacity_kw=tuple(cap.tolist()), diagnostics=diag, shortfall_kwh=total_short,
        expected_green_kwh=float(green_e.sum()),
    )


def clip_to(plan_: Plan, cap_kw: object, min_kw: Mapping[str, float]) -> Plan:
    """The plan with every slot's total brought within `cap_kw` (sessions scaled alike; one
    that falls below its minimum stops). For what is sent to stations: a plan may count on
    green it expects for later slots (`forecast.bounds`), but a profile must stay safe for as
    long as csms might not be there to re-plan (`forecast.firm`)."""
    ids = list(plan_.sessions)
    if not ids:
        return plan_
    power = np.asarray([plan_.sessions[i].power_kw for i in ids], dtype=float)
    cap = _per_slot(cap_kw, power.shape[1])
    load = power.sum(axis=0)
    over = load > cap + 1e-9
    if not over.any():
        return plan_
    scale = np.where(over, cap / np.where(load > 0, load, 1.0), 1.0)
    power = np.where(over, np.floor(power * scale * 1000 + 1e-6) / 1000, power)  # whole watts
    mins = np.asarray([min_kw.get(i, 0.0) for i in ids], dtype=float)[:, None]
    power = np.where(over & (power < np.ceil(mins * 1000 - 1e-6) / 1000 - 1e-9), 0.0, power)
    sessions = {i: dataclasses.replace(plan_.sessions[i], power_kw=tuple(power[k].tolist()))
                for k, i in enumerate(ids)}
    return dataclasses.replace(plan_, sessions=sessions, load_kw=tuple(power.sum(axis=0).tolist()))


def slot_floor(moment: datetime, slot_minutes: int) -> datetime:
    """The start of the slot containing `moment` (slots are aligned to midnight UTC)."""
    midnight = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    k = int((moment - midnight).total_seconds() // (slot_minutes * 60))
    return midnight + timedelta(minutes=slot_minutes * k)
