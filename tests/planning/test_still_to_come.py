"""A plan made during a slot counts only the green still to come in it: the planner fills a
slot's green with the slot's mean load, so the whole slot's green offered to its last minutes
loads the cars at several times the green there is (the server re-plans on every reading)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from csms.planning import PlanInputs, SessionNeed, plan
from csms.planning.forecast import still_to_come

START = datetime(2026, 6, 21, 10, 0, tzinfo=UTC)


def test_the_part_of_the_slot_gone_by_does_not_count() -> None:
    assert np.allclose(still_to_come([30.0, 30.0], 2 / 3), [10.0, 30.0])
    assert np.allclose(still_to_come([30.0, 30.0], 0.0), [30.0, 30.0])
    assert np.allclose(still_to_come([30.0], 1.5), [0.0])


def test_ten_minutes_into_a_slot_the_cars_take_the_green_still_to_come() -> None:
    now = START + timedelta(minutes=10)
    cars = [SessionNeed(f"c{k}", now, START + timedelta(hours=8), 10.0, 11.0, 4.1)
            for k in range(2)]
    green = [10.0] + [30.0] * 31  # 10 kW now, plenty later: take what there is now, no more
    p = plan(PlanInputs(start=START, grid_limit_kw=100.0, green_on_site=False, sessions=cars,
                        green_kw=still_to_come(green, 10 / 15)))
    now_kw = sum(sp.power_at(0) for sp in p.sessions.values())
    assert 0 < now_kw <= 10.0 + 4.1  # up to one car's minimum of rounding
