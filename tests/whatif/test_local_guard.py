"""A site's local guard in plan-day (`site.local_guard`): only with one does the planner load
above the grid limit on the firm share of the green, and the guard cuts the load to the limit
plus the actual green when the green fails (an inverter trip), keeping the power rule."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from csms.whatif import ScenarioError, parse, run
from csms.whatif.guard import shares_w

LIMIT = 10.0
TRIP = 48  # 12:00: the inverter trips after two hours of steady sun


def _t(h: int, m: int = 0) -> str:
    return f"2026-06-21T{h:02d}:{m:02d}:00Z"


def trip_day(**site: Any) -> dict[str, Any]:
    sun = [40.0 if 40 <= k < 60 else 0.0 for k in range(96)]
    actual = [0.0 if k >= TRIP else x for k, x in enumerate(sun)]
    return {
        "site": {"grid_limit_kw": LIMIT, "green_on_site": True, **site},
        "start": _t(0), "slot_minutes": 15, "slots": 96,
        "green": {"forecast_kw": sun, "actual_kw": actual},
        "sessions": [{"id": f"ev{k}", "arrival": _t(9, 30), "departure": _t(15),
                      "energy_kwh": 40.0, "max_kw": 11.0, "min_kw": 4.1} for k in range(4)],
    }


def _load(book: Any) -> np.ndarray:
    return np.asarray(book.session_kw().sum(axis=0), dtype=float)


def test_without_a_guard_the_load_stays_within_the_limit() -> None:
    book = run(parse(trip_day()))
    assert _load(book).max() <= LIMIT + 1e-9
    assert book.over_limit_kwh() == 0.0 and book.curtailed_kwh == 0.0


def test_a_guarded_site_loads_on_firm_green_and_its_guard_cuts_the_trip() -> None:
    strict = run(parse(trip_day()))
    book = run(parse(trip_day(local_guard=True)))
    load = _load(book)
    assert load[TRIP - 4:TRIP].min() > LIMIT + 5.0  # the firm quarter of 40 kW above the limit
    assert load[TRIP] <= LIMIT + 1e-9  # the guard: the green is gone, the limit alone
    assert book.curtailed_kwh > 0.0  # what it cut was not delivered
    assert book.over_limit_kwh() == 0.0 and book.rule_breaks() == 0
    assert book.summary()["energy_kwh"] > strict.summary()["energy_kwh"]


def test_the_guard_shares_equally_and_stops_the_last_car_below_its_minimum() -> None:
    assert shares_w([11000, 11000, 7400], [4100, 4100, 1400], 30000) == [11000, 11000, 7400]
    assert shares_w([11000, 11000, 7400], [4100, 4100, 1400], 21000) == [7000, 7000, 7000]
    assert shares_w([11000, 11000, 7400], [4100, 4100, 1400], 9000) == [4500, 4500, 0]
    assert shares_w([11000, 11000], [4100, 4100], 4000) == [0, 0]


def test_local_guard_must_be_a_boolean() -> None:
    with pytest.raises(ScenarioError, match="site.local_guard must be true or false"):
        parse(trip_day(local_guard="yes"))
    assert parse(trip_day()).local_guard is False
