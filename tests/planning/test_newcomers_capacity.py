"""The cars the site's history expects take capacity in the plan, never green: on a day whose
newcomers will fill the connection, the cars there charge before them instead of waiting for
green that is unsure, and where capacity is ample nothing changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from csms.planning import PlanInputs, SessionNeed, plan
from csms.planning.planner import newcomers

START = datetime(2026, 6, 21, 6, 0, tzinfo=UTC)
SLOTS = 16  # four hours
# no green for two hours, then 10 kW expected but unsure (its upper bands are worth less than
# capacity kept for a newcomer's kWh)
GREEN = [0.0] * 8 + [10.0] * 8
SPREAD = [0.58] * SLOTS


def _plan(limit_kw: float, arriving: list[float] | None) -> tuple[float, ...]:
    car = SessionNeed("c", START, START + timedelta(hours=4), 20.0, 10.0, 0.0)
    p = plan(PlanInputs(start=START, grid_limit_kw=limit_kw, green_on_site=False,
                        sessions=[car], green_kw=GREEN, green_spread=SPREAD,
                        arriving_kwh=arriving or ()))
    assert p.shortfall_kwh == pytest.approx(0.0, abs=1e-6)
    return p.sessions["c"].power_kw


def _heavy() -> list[float]:
    """20 kWh of newcomers expected at 08:00: with the car's 20 kWh, the 10 kW connection's
    40 kWh over the four hours are all taken."""
    out = [0.0] * SLOTS
    out[8] = 20.0
    return out


def test_without_newcomers_the_car_waits_for_the_green() -> None:
    power = _plan(10.0, None)
    assert sum(power[:8]) == pytest.approx(0.0, abs=1e-6)


def test_on_a_heavy_day_the_car_charges_before_the_newcomers_come() -> None:
    alone, heavy = _plan(10.0, None), _plan(10.0, _heavy())
    before = sum(heavy[:8]) * 0.25
    assert before > 2.0  # kWh moved out of the hours the newcomers will need
    assert sum(heavy[8:]) < sum(alone[8:]) - 1.0
    # the surest part of the later green is still worth more than a newcomer's kWh
    assert sum(heavy[8:]) * 0.25 > 5.0


def test_with_ample_capacity_newcomers_change_nothing() -> None:
    # they take no green: the green the car waits for is not made to look taken
    assert _plan(100.0, _heavy()) == _plan(100.0, None)


def test_newcomers_are_grouped_by_hour_from_the_next_slot() -> None:
    arriving = np.array([7.0, 1.0, 2.0, 0.0, 3.0, 4.0, 0.0, 0.0, 0.0, 0.0])
    first, kwh = newcomers(arriving, 15)
    assert first.tolist() == [1, 5]  # the current slot's are planned as they plug in
    assert kwh.tolist() == [6.0, 4.0]
    first, kwh = newcomers(np.zeros(8), 15)
    assert len(first) == 0 and len(kwh) == 0
    first, kwh = newcomers(np.array([0.0, 2.0, 3.0]), 60)
    assert first.tolist() == [1, 2] and kwh.tolist() == [2.0, 3.0]
