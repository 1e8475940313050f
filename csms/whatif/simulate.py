"""`csms plan-day`: one simulated day, slot by slot, under the information rules of the contract.

At the start of slot i the planner knows the sessions plugged in by then (departure and
remaining need), the forecast, and the measured green of slots before i only. It plans; the
first slot of the plan is applied. Cars arriving during slot i trigger a second plan at once (as
a plug-in does in the server): the cars already charging keep their slot-i power, which is
passed as uncontrolled load, and the newcomers share what is left of the slot.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime

import numpy as np

from csms.planning import Plan, PlanInputs, SessionNeed, clip_to, plan
from csms.planning.arrivals import ArrivalModel
from csms.planning.diff import session_changed
from csms.planning.forecast import bounds, correct, drop_prior, spread
from csms.whatif.guard import curtail
from csms.whatif.ledger import Ledger
from csms.whatif.scenario import Scenario, ScenarioSession

POLICIES = ("green", "immediate")
_EPS_KWH = 1e-6

Progress = Callable[[int, int], None]


def arrival_model(sc: Scenario, now: datetime, slot_minutes: int | None = None) -> ArrivalModel:
    """The cars to expect after `now` (per plan slot, `slot_minutes`, default the scenario's):
    from the site's history when the scenario has one (as the server learns them,
    `ArrivalModel.from_history`), else from today's arrivals so far."""
    minutes = slot_minutes or sc.slot_minutes
    if sc.history_days:
        past = [(s.arrival, s.departure, s.energy_kwh, s.max_kw) for s in sc.history]
        return ArrivalModel.from_history(past, now, days=sc.history_days, slot_minutes=minutes)
    seen = [(s.arrival, s.departure, s.energy_kwh, s.max_kw)
            for s in sc.sessions if s.arrival <= now]
    return ArrivalModel.from_recent(seen, now, slot_minutes=minutes)

def _need(s: ScenarioSession, left: float, not_before: datetime) -> SessionNeed:
    return SessionNeed(
        id=s.id, arrival=max(s.arrival, not_before), departure=s.departure, energy_kwh=left,
        max_kw=s.max_kw, min_kw=s.min_kw, mode=s.mode,
    )


def green_day(
    sc: Scenario, *, use_reserve: bool = True, perfect_forecast: bool = False,
    perfect_nowcast: bool = False, progress: Progress | None = None,
) -> Ledger:
    """Run csms's planner over the day. Benchmark diagnostics only, they break the information
    rule: `perfect_forecast` plans on actual_kw; `perfect_nowcast` knows the current slot's."""
    book = Ledger(sc)
    forecast = np.asarray(sc.actual_kw if perfect_forecast else sc.forecast_kw, dtype=float)
    prior = drop_prior(sc.local_guard)
    for i in range(sc.slots):
        if progress is not None:
            progress(i, sc.slots)
        t0, t1 = sc.slot_start(i), sc.slot_start(i + 1)
        measured = sc.actual_kw[:i]  # the information rule: only slots that have passed
        green = correct(forecast, measured, i, slot_minutes=sc.slot_minutes)
        sure, likely = bounds(forecast, measured, i, green, prior=prior)  # sent / the plan
        unsure = (np.zeros(sc.slots - i) if perfect_forecast
                  else spread(forecast, measured, i, sc.slots - i, slot_minutes=sc.slot_minutes))
        if perfect_nowcast:
            green, unsure = green.copy(), unsure.copy()
            green[0], unsure[0] = sc.actual_kw[i], 0.0
        n_ahead = sc.slots - i
        model = arrival_model(sc, t0)
        reserve = model.reserve_kw(n_ahead, sc.slot_minutes) if use_reserve else np.zeros(n_ahead)
        expected = (model.arriving_kwh(n_ahead), reserve)
        present = [s for s in sc.sessions
                   if s.arrival <= t0 < s.departure and book.left(s) > _EPS_KWH]
        arriving = [s for s in sc.sessions
                    if t0 < s.arrival < t1 and book.left(s) > _EPS_KWH]
        first = _run(book, sc, t0, [_need(s, book.left(s), t0) for s in present], green, unsure,
                     expected, (likely, sure))
        book.apply(i, first)
        if arriving:
            needs = [_need(s, book.left(s), t1) for s in present
                     if book.left(s) > _EPS_KWH and s.departure > t1]
            needs += [_need(s, book.left(s), t0) for s in arriving]
            base = np.zeros(n_ahead)
            base[0] = sum(first.values())
            second = _run(book, sc, t0, needs, green, unsure, expected, (likely, sure), base)
            book.apply(i, {s.id: second.get(s.id, 0.0) for s in arriving})
        if sc.local_guard:  # the site's guard cuts what the actual green did not cover
            curtail(book, i)
    return book


def _run(
    book: Ledger, sc: Scenario, t0: datetime, needs: list[SessionNeed], green: np.ndarray,
    unsure: np.ndarray, expected: tuple[np.ndarray, np.ndarray],
    firm_kw: tuple[np.ndarray, np.ndarray], base: np.ndarray | None = None,
) -> dict[str, float]:
    """Plan; `expected` is (newcomers' energy per slot, capacity reserved for them), `firm_kw`
    (what the plan may count on, what a sent profile may count on)."""
    if not needs:
        return {}
    p = plan(PlanInputs(
        start=t0, grid_limit_kw=sc.grid_limit_kw, green_on_site=sc.green_on_site,
        sessions=needs, green_kw=green, green_spread=unsure, slot_minutes=sc.slot_minutes,
        reserve_kw=expected[1], arriving_kwh=expected[0],
        firm_green_kw=firm_kw[0] if sc.green_on_site else (),
        base_load_kw=() if base is None else base,
    ))
    book.planner_ms.append(p.diagnostics.total_ms)
    if sc.green_on_site:  # as the server sends it: later slots within the sure green only
        safe = sc.grid_limit_kw + firm_kw[1] - (0.0 if base is None else base)
        p = clip_to(p, np.clip(safe, 0.0, None), {n.id: n.min_kw for n in needs})
    _count_sends(book, p, [n.id for n in needs if n.arrival < t0 + p.slot_length])
    return {sid: sp.power_at(0) for sid, sp in p.sessions.items()}


def _count_sends(book: Ledger, p: Plan, ids: list[str]) -> None:
    """Count the profiles the server would send: a session's first plan, then only material
    changes against the plan it last sent (`planning.diff`)."""
    for sid in ids:
        last = book.sent.get(sid)
        if last is None or session_changed(last, p, sid):
            book.sent[sid] = p
            book.profile_sends += 1


def share(caps: list[float], mins: list[float], limit: float) -> list[float]:
    """Split `limit` kW: everyone up to their cap, equal shares when it binds (water-filling);
    when a share would fall below a car's minimum, the latest in the list waits (gets 0)."""
    active = list(range(len(caps)))
    out = [0.0] * len(caps)
    while active:
        c = np.array([caps[k] for k in active])
        if c.sum() <= limit:
            level = float(c.max(initial=0.0))
        else:
            lo, hi = 0.0, float(c.max())
            for _ in range(60):
                mid = (lo + hi) / 2
                lo, hi = (mid, hi) if np.minimum(c, mid).sum() <= limit else (lo, mid)
            level = lo
        alloc = np.minimum(c, level)
        if all(alloc[j] >= mins[k] - 1e-9 for j, k in enumerate(active)):
            for j, k in enumerate(active):
                out[k] = float(alloc[j])
            return out
        active.pop()
    return out


def immediate_day(sc: Scenario) -> Ledger:
    """Full power from arrival; cars plugged in during a slot share the limit (first come first)."""
    book = Ledger(sc)
    order = sorted(sc.sessions, key=lambda s: s.arrival)
    for i in range(sc.slots):
        cars = [s for s in order if book.frac[book.index[s.id], i] > 0 and book.left(s) > _EPS_KWH]
        if not cars:
            continue
        span = [book.frac[book.index[s.id], i] * book.dt_h for s in cars]
        caps = [min(s.max_kw, max(s.min_kw, book.left(s) / h))
                for s, h in zip(cars, span, strict=True)]
        kw = [math.floor(x * 1000 + 1e-6) / 1000  # whole watts, as the file writes them
              for x in share(caps, [s.min_kw for s in cars], sc.grid_limit_kw)]
        book.apply(i, {s.id: p for s, p in zip(cars, kw, strict=True)})
    return book


def run(sc: Scenario, policy: str = "green", progress: Progress | None = None) -> Ledger:
    """`progress(slot, slots)` is called before each slot the green planner plans."""
    if policy == "green":
        return green_day(sc, progress=progress)
    if policy == "immediate":
        return immediate_day(sc)
    raise ValueError(f"unknown policy {policy!r} (choose {', '.join(POLICIES)})")
