"""Costs of load above the limit are paid for the part of a slot a car can draw in.

Load above the grid limit (leaning on firm on-site green) and reserved capacity are priced
per kWh, like the green they buy. A plan made 10 minutes into a slot, each car from now,
gains green only for the 5 minutes left; charging the room above the limit for the whole
slot made it never worth taking in a slot's last third (the server re-plans on every
reading), so a tight site left its firm green unused for 5 minutes of every 15.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from csms.planning import PlanInputs, SessionNeed, plan
from csms.planning.forecast import still_to_come

START = datetime(2026, 6, 21, 16, 0, tzinfo=UTC)
LIMIT = 45.0
CARS = 6


def _cars(now: datetime) -> list[SessionNeed]:
    """Six cars leaving at the end of the next slot, needing 80 % of what the grid limit
    alone gives them by then: the limit meets them, but every kWh above it now is green that
    would otherwise come from the grid after sunset."""
    left_h = (START + timedelta(minutes=15) - now).total_seconds() / 3600
    need = 0.8 * LIMIT * (left_h + 0.25) / CARS
    return [SessionNeed(f"c{k}", now, START + timedelta(minutes=30), need, 11.0, 4.1)
            for k in range(CARS)]


def _load_now(now: datetime, green_now: float) -> float:
    """The plan's load in its first slot: green now, 20 kW of it firm above the limit;
    sunset in the next slot."""
    p = plan(PlanInputs(start=START, grid_limit_kw=LIMIT, green_on_site=True,
                        sessions=_cars(now), green_kw=[green_now, 0.0],
                        green_spread=[0.03, 0.03], firm_green_kw=[20.0, 0.0]))
    return sum(sp.power_at(0) for sp in p.sessions.values())


def test_firm_green_above_the_limit_is_taken_at_a_slot_start() -> None:
    assert _load_now(START, 100.0) > LIMIT + 15.0


def test_firm_green_above_the_limit_is_taken_in_a_slot_s_last_minutes_too() -> None:
    for minutes in (5, 10):
        now = START + timedelta(minutes=minutes)
        green_now = float(still_to_come([100.0], minutes / 15)[0])
        assert _load_now(now, green_now) > LIMIT + 15.0, minutes


def test_no_room_is_priced_before_the_first_car_plugs_in() -> None:
    # planned at the slot's start, all cars arriving 12 minutes into it
    assert _load_now(START + timedelta(minutes=12), 100.0) > LIMIT + 15.0
