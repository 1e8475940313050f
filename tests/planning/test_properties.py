"""Properties of every plan over random sites, cars and skies (hypothesis).

- the power rule: a session's power in a slot is 0 or within [min_kw, its maximum];
- the grid limit: in every sub-interval in which the set of plugged-in cars is constant, the sum
  of their powers stays within the capacity (limit + vouched-for green - uncontrolled load);
- no car is planned past its need: once the plan has delivered a car's energy it gets 0.
"""

from __future__ import annotations

import os
from datetime import timedelta

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csms.planning import Plan, PlanInputs, SessionNeed, plan
from tests.planning.conftest import T0

_TOL_KW = 1e-9
SLOT_H = 0.25


@st.composite
def sessions(draw: st.DrawFn, k: int) -> SessionNeed:
    arrival_min = draw(st.integers(-120, 20 * 60))
    stay_min = draw(st.integers(1, 14 * 60))
    max_kw = draw(st.sampled_from([3.7, 7.4, 11.0, 22.0]))
    min_kw = draw(st.sampled_from([0.0, 1.38, 1.4, 4.1, 4.14, max_kw]))
    min_kw = min(min_kw, max_kw)
    evse = draw(st.one_of(st.none(), st.floats(min_kw, 30.0)))
    return SessionNeed(
        f"s{k}", T0 + timedelta(minutes=arrival_min),
        T0 + timedelta(minutes=arrival_min + stay_min),
        draw(st.floats(0.0, 60.0)), max_kw, min_kw,
        mode=draw(st.sampled_from(["green", "green", "fast"])),
        defaulted=draw(st.booleans()), evse_max_kw=evse,
    )


@st.composite
def inputs(draw: st.DrawFn) -> PlanInputs:
    n = draw(st.integers(0, 9))
    slots = 96
    series = st.lists(st.floats(0.0, 80.0), min_size=0, max_size=slots)
    return PlanInputs(
        start=T0, grid_limit_kw=draw(st.floats(0.0, 90.0)), green_on_site=draw(st.booleans()),
        sessions=[draw(sessions(k)) for k in range(n)],
        green_kw=draw(series), green_spread=draw(st.lists(st.floats(0.0, 1.0), max_size=slots)),
        firm_green_kw=draw(series), reserve_kw=draw(st.lists(st.floats(0, 20), max_size=slots)),
        base_load_kw=draw(st.lists(st.floats(0.0, 30.0), max_size=slots)),
        arriving_kwh=draw(st.lists(st.floats(0.0, 100.0), max_size=slots)),
    )


def _fractions(p: Plan, s: SessionNeed) -> list[tuple[float, float]]:
    """(from, to) hours after the plan's start of each slot's plugged-in part."""
    a = max((s.arrival - p.start).total_seconds() / 3600, 0.0)
    d = (s.departure - p.start).total_seconds() / 3600
    out = []
    for t in range(p.slots):
        lo, hi = max(t * SLOT_H, a), min((t + 1) * SLOT_H, d)
        out.append((lo, hi) if hi > lo else (0.0, 0.0))
    return out


def check(inp: PlanInputs, p: Plan) -> None:
    spans = {s.id: _fractions(p, s) for s in inp.sessions}
    for s in inp.sessions:
        power = p.sessions[s.id].power_kw
        delivered = 0.0
        for t, kw in enumerate(power):
            lo, hi = spans[s.id][t]
            assert kw == 0 or s.min_kw - _TOL_KW <= kw <= s.cap_kw + _TOL_KW, (s, t, kw)
            if kw > 0:
                assert hi > lo, f"{s.id} planned in slot {t} while not plugged in"
                assert delivered < s.energy_kwh - 1e-9, f"{s.id} planned past its need, slot {t}"
            delivered += min(kw * (hi - lo), max(s.energy_kwh - delivered, 0.0))
    for t in range(p.slots):
        cuts = sorted({x for s in inp.sessions for x in spans[s.id][t]}
                      | {t * SLOT_H, (t + 1) * SLOT_H})
        for lo, hi in zip(cuts, cuts[1:], strict=False):
            mid = (lo + hi) / 2
            load = sum(p.sessions[s.id].power_kw[t] for s in inp.sessions
                       if spans[s.id][t][0] < mid < spans[s.id][t][1])
            assert load <= p.capacity_kw[t] + _TOL_KW, (t, lo, hi, load, p.capacity_kw[t])


@settings(max_examples=int(os.environ.get("CSMS_PROPERTY_EXAMPLES", "150")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(inputs())
def test_every_plan_keeps_the_power_rule_the_limit_and_the_needs(inp: PlanInputs) -> None:
    check(inp, plan(inp))


def test_capacity_is_the_limit_plus_firm_green_minus_uncontrolled_load() -> None:
    """The property test reads the plan's own `capacity_kw`: pin down what it means."""
    car = SessionNeed("a", T0, T0 + timedelta(hours=1), 1.0, 11.0, 4.1)
    inp = PlanInputs(start=T0, grid_limit_kw=40.0, green_on_site=True, sessions=[car],
                     firm_green_kw=[5.0, 0.0], base_load_kw=[3.0, 50.0])
    cap = plan(inp).capacity_kw
    assert np.allclose(cap[:2], [42.0, 0.0])
