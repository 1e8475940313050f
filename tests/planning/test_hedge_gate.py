"""The current slot's hedge is dropped exactly when cars still to come tip the balance: the cars
there would fit in the later green alone, but not with the energy the newcomers are expected to
want. Then the green the plan leaves for later would go to the newcomers, and the car there is
better off taking the current slot's uncertain green now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from csms.planning import PlanInputs, SessionNeed, plan
from csms.planning.arrivals import ArrivalModel
from csms.planning.hedge import current_spread, later_green_kwh, newcomers_tip

START = datetime(2026, 6, 21, 10, 0, tzinfo=UTC)
# 10 kW expected now with a wide spread (the sure part is 4.8 kW), 10 kW certain in each of the
# three slots after: the car there can take 7.5 kWh of later green before it leaves at 11:00
GREEN = [10.0, 10.0, 10.0, 10.0]
SPREAD = [0.3, 0.0, 0.0, 0.0]


def _now_kw(need_kwh: float, arriving: list[float] | None) -> float:
    car = SessionNeed("c", START, START + timedelta(hours=1), need_kwh, 11.0, 0.0)
    p = plan(PlanInputs(start=START, grid_limit_kw=50.0, green_on_site=False, sessions=[car],
                        green_kw=GREEN, green_spread=SPREAD, arriving_kwh=arriving or ()))
    return p.sessions["c"].power_at(0)


def test_without_newcomers_the_current_slot_is_hedged() -> None:
    assert _now_kw(5.0, None) == pytest.approx(4.8, abs=0.01)  # the sure part only


def test_newcomers_that_tip_the_balance_drop_the_hedge() -> None:
    # 5 kWh needed, 7.5 kWh of later green, 5 kWh expected with the newcomers: 10 > 7.5
    assert _now_kw(5.0, [0.0, 5.0, 0.0, 0.0]) == pytest.approx(10.0, abs=0.01)


def test_newcomers_that_leave_enough_later_green_do_not() -> None:
    # 5 + 1 kWh fit in 7.5 kWh of later green: the hedge stays
    assert _now_kw(5.0, [0.0, 1.0, 0.0, 0.0]) == pytest.approx(4.8, abs=0.01)


def test_the_current_slots_own_newcomers_do_not_count() -> None:
    # they are planned as they plug in, with the cars already charging kept at their power
    assert _now_kw(5.0, [50.0, 0.0, 0.0, 0.0]) == pytest.approx(4.8, abs=0.01)


def test_newcomers_beyond_the_plans_horizon_do_not_count() -> None:
    assert _now_kw(5.0, [0.0, 0.0, 0.0, 0.0, 50.0]) == pytest.approx(4.8, abs=0.01)


def test_a_car_that_alone_needs_more_than_the_later_green_is_planned_as_without_them() -> None:
    # 9 kWh > 7.5: the LP already weighs that; newcomers change nothing
    alone = _now_kw(9.0, None)
    assert _now_kw(9.0, [0.0, 5.0, 0.0, 0.0]) == pytest.approx(alone, abs=1e-6)


def test_the_gate_itself() -> None:
    green = np.array([10.0, 10.0, 10.0, 10.0])
    reach = np.array([11.0, 11.0, 6.0, 0.0])  # the cars can draw less than the green later
    later = later_green_kwh(green, np.full(4, 8.0), reach, 0.25)
    assert later == pytest.approx((8.0 + 6.0) * 0.25)
    assert newcomers_tip(3.0, later, np.array([0.0, 0.0, 1.0]))
    assert not newcomers_tip(3.0, later, np.array([0.0, 0.0, 0.5]))  # 3.5 fits exactly
    assert not newcomers_tip(4.0, later, np.array([0.0, 0.0, 1.0]))  # 4 > 3.5 without them
    assert not newcomers_tip(3.0, later, np.zeros(3))
    spread = np.array([0.3, 0.2])
    assert current_spread(spread, True).tolist() == [0.0, 0.2]
    assert current_spread(spread, False) is spread


def test_arriving_kwh_is_arrivals_times_mean_energy_from_the_next_slot() -> None:
    model = ArrivalModel((2.0, 1.0, 3.0), 10.0, 4.0, 11.0)
    assert model.arriving_kwh(3).tolist() == [0.0, 20.0, 10.0]
    assert model.arriving_kwh(5).tolist() == [0.0, 20.0, 10.0, 30.0, 0.0]
    assert ArrivalModel((), 0.0, 1.0, 0.0).arriving_kwh(2).tolist() == [0.0, 0.0]
