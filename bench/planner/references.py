"""The references csms is scored against, on the same scenarios and the same ledger.

- immediate: `csms.whatif.simulate.immediate_day` (full power from arrival).
- surplus follower (like evcc's PV mode): each slot, the green measured in the previous slot is
  handed out to the cars in arrival order (a car below its minimum waits); a car that would
  otherwise miss its departure at full power falls back to the grid, like evcc's plan mode.
- oracle: one LP over the whole day that knows actual_kw and every session from the start; with
  on-site green it may load up to limit + actual green. `safe=True` holds it to csms's margin,
  load <= limit + the site's prior drop x actual green (`planning.forecast.drop_prior`: 0
  without a local guard): it prices that rule.
"""

from __future__ import annotations

import numpy as np

from csms.planning import PlanInputs, SessionNeed, plan
from csms.planning.forecast import drop_prior
from csms.whatif.ledger import Ledger
from csms.whatif.scenario import Scenario, ScenarioSession
from csms.whatif.simulate import share


def surplus_day(sc: Scenario) -> Ledger:
    book = Ledger(sc)
    order = sorted(sc.sessions, key=lambda s: s.arrival)
    for i in range(sc.slots):
        t0 = sc.slot_start(i)
        surplus = sc.actual_kw[i - 1] if i else 0.0
        cars = [s for s in order if book.frac[book.index[s.id], i] > 0 and book.left(s) > 1e-6]
        urgent: list[ScenarioSession] = []
        rest: list[ScenarioSession] = []
        for s in cars:
            hours_left = (s.departure - max(t0, s.arrival)).total_seconds() / 3600.0
            needed = book.left(s) / s.max_kw
            (urgent if hours_left <= needed + 2 * book.dt_h else rest).append(s)
        kw = dict(zip([s.id for s in urgent],
                      share([s.max_kw for s in urgent], [s.min_kw for s in urgent],
                            sc.grid_limit_kw), strict=True))
        room = sc.grid_limit_kw - sum(kw.values())
        green_left = max(0.0, surplus - sum(kw.values()))
        for s in rest:
            p = min(s.max_kw, green_left, room)
            if p >= max(s.min_kw, 1e-3):
                kw[s.id] = p
                green_left -= p
                room -= p
        book.apply(i, kw)
    return book


def oracle_day(sc: Scenario, *, safe: bool = False) -> Ledger:
    book = Ledger(sc)
    needs = [SessionNeed(s.id, s.arrival, s.departure, s.energy_kwh, s.max_kw, s.min_kw, s.mode)
             for s in sc.sessions]
    actual = np.asarray(sc.actual_kw, dtype=float)
    prior = drop_prior(sc.local_guard)
    p = plan(PlanInputs(
        start=sc.start, grid_limit_kw=sc.grid_limit_kw, green_on_site=sc.green_on_site,
        sessions=needs, green_kw=actual, firm_green_kw=prior * actual if safe else actual,
        slot_minutes=sc.slot_minutes, lead_discount=0.0,  # foresight: green is green
    ))
    book.planner_ms.append(p.diagnostics.total_ms)
    for i in range(sc.slots):
        book.apply(i, {sid: sp.power_at(i) for sid, sp in p.sessions.items()})
    return book
