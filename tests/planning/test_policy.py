"""One test per row of the policy table in csms/planning/README.md (same numbers)."""

from __future__ import annotations

import numpy as np
import pytest

from csms.planning import PlanInputs, PlanningError, SessionNeed, plan
from tests.planning.conftest import T0, at, slot_hours, sun


def _inputs(sessions: list[SessionNeed], **kw: object) -> PlanInputs:
    """A 50 kW site with on-site green, from midnight; `kw` overrides any field."""
    base: dict[str, object] = {"start": T0, "grid_limit_kw": 50.0, "green_on_site": True,
                               "sessions": sessions}
    base.update(kw)
    return PlanInputs(**base)  # type: ignore[arg-type]


def test_01_sun_at_noon_shifts_charging_to_noon() -> None:
    noon = [0.0] * 44 + [12.0] * 8 + [0.0] * 44  # sun only 11:00-13:00
    p = plan(_inputs([SessionNeed("a", at(6), at(18), 20.0, 11.0)], green_kw=noon))
    hours = slot_hours(p.sessions["a"].power_kw)
    assert min(hours) >= 11 and max(hours) < 13
    assert p.sessions["a"].green_kwh == pytest.approx(20.0, abs=0.01)


def test_02_departure_before_the_sun_charges_from_the_grid() -> None:
    p = plan(_inputs([SessionNeed("a", at(1), at(4.5), 30.0, 11.0)], green_kw=sun(30)))
    s = p.sessions["a"]
    assert s.energy_kwh == pytest.approx(30.0) and s.shortfall_kwh == pytest.approx(0.0)
    assert s.green_kwh == pytest.approx(0.0)


@pytest.mark.parametrize("on_site", [True, False])
def test_03_04_grid_limit_holds_whatever_the_green(on_site: bool) -> None:
    cars = [SessionNeed(f"c{k}", at(8), at(16), 40.0, 11.0, 4.1) for k in range(10)]
    p = plan(_inputs(cars, grid_limit_kw=30.0, green_on_site=on_site, green_kw=sun(200)))
    assert max(p.load_kw) <= 30.0 + 1e-6
    assert p.shortfall_kwh > 0  # 10 x 40 kWh cannot fit through 30 kW in 8 h


def test_03_firm_green_raises_the_on_site_cap_only() -> None:
    cars = [SessionNeed(f"c{k}", at(8), at(16), 40.0, 11.0) for k in range(10)]
    firm = [20.0] * 96
    on = plan(_inputs(cars, grid_limit_kw=30.0, green_kw=sun(200), firm_green_kw=firm))
    off = plan(_inputs(cars, grid_limit_kw=30.0, green_on_site=False, green_kw=sun(200),
                       firm_green_kw=firm))
    assert max(on.load_kw) == pytest.approx(50.0, abs=1e-4)
    assert max(off.load_kw) <= 30.0 + 1e-6


def test_03_load_above_the_limit_is_for_likely_green_not_long_shots() -> None:
    """Slot 0: 40 kW expected but very uncertain (bands of 26.7 kW valued 5/6, 1/2, 1/6), no
    green after; 60 kW of firm room. Charging now beats the grid later for every band, but the
    room above the limit is taken for the likely band only (W_FIRM)."""
    car = SessionNeed("a", at(8), at(16), 17.5, 70.0)
    green, spread = [40.0] + [0.0] * 95, [0.9] + [0.0] * 95
    p = plan(_inputs([car], start=at(8), grid_limit_kw=10.0, green_kw=green,
                     green_spread=spread, firm_green_kw=[60.0] + [0.0] * 95))
    assert 80 / 3 - 1e-3 <= p.load_kw[0] <= 160 / 3 + 1e-3
    assert p.sessions["a"].shortfall_kwh < 1e-6


def test_05_minimum_power_is_zero_or_at_least_min_and_rotates() -> None:
    cars = [SessionNeed(f"c{k}", at(8), at(12), 8.0, 11.0, 4.1) for k in range(3)]
    p = plan(_inputs(cars, grid_limit_kw=10.0, green_on_site=False))
    for s in p.sessions.values():
        assert all(x == 0.0 or 4.1 - 1e-9 <= x <= 11.0 + 1e-9 for x in s.power_kw)
    assert max(p.load_kw) <= 10.0 + 1e-6
    assert all(s.energy_kwh > 7.0 for s in p.sessions.values())  # everyone gets a turn


@pytest.mark.parametrize("green", [0.0, 30.0])
def test_05_a_remainder_below_the_minimum_is_not_pushed_into_a_last_slot_it_cannot_fill(
    green: float,
) -> None:
    """0.1 kWh left, one full slot and 9 s of the next: rotating it past the full slot would
    leave it for 9 s of minimum power (0.01 kWh), so the car would leave short."""
    car = SessionNeed("a", at(8), at(8.25 + 9 / 3600), 0.1, 11.0, 4.1)
    p = plan(_inputs([car], grid_limit_kw=20.0, green_kw=[green] * 96))
    s = p.sessions["a"]
    assert s.power_kw[32] >= 4.1 - 1e-9 and s.shortfall_kwh < 1e-6


def test_06_shortfall_is_shared_fairly_and_reported() -> None:
    cars = [SessionNeed("small", at(8), at(10), 10.0, 11.0),
            SessionNeed("big", at(8), at(10), 30.0, 22.0)]
    p = plan(_inputs(cars, grid_limit_kw=10.0, green_on_site=False))  # 20 kWh for 40 asked
    small, big = p.sessions["small"], p.sessions["big"]
    assert small.shortfall_kwh / 10 == pytest.approx(big.shortfall_kwh / 30, abs=0.02)
    assert p.shortfall_kwh == pytest.approx(20.0, abs=0.05)
    assert any("cannot be delivered" in n for n in p.diagnostics.notes)


def test_07_fast_mode_charges_at_once_ahead_of_green() -> None:
    cars = [SessionNeed("fast", at(6), at(18), 22.0, 11.0, mode="fast"),
            SessionNeed("green", at(6), at(18), 22.0, 11.0)]
    p = plan(_inputs(cars, grid_limit_kw=11.0, green_kw=sun(30)))
    assert slot_hours(p.sessions["fast"].power_kw)[:8] == [6 + k / 4 for k in range(8)]
    assert min(slot_hours(p.sessions["green"].power_kw)) >= 8


def test_08_reserve_is_kept_for_arrivals_but_yields_to_needs() -> None:
    reserve = [0.0] * 48 + [20.0] * 48  # from noon on, hold 20 of 22 kW
    chase = plan(_inputs([SessionNeed("a", at(8), at(18), 10.0, 11.0)], grid_limit_kw=22.0,
                         green_kw=sun(30), reserve_kw=reserve))
    assert max(slot_hours(chase.sessions["a"].power_kw)) < 12  # green after noon is reserved
    need = plan(_inputs([SessionNeed("b", at(11), at(18), 60.0, 11.0)], grid_limit_kw=22.0,
                        reserve_kw=reserve))
    assert need.sessions["b"].energy_kwh == pytest.approx(60.0, abs=0.01)


def test_09_no_sessions_gives_an_empty_plan() -> None:
    p = plan(_inputs([], green_kw=sun(30)))
    assert p.sessions == {} and p.diagnostics.status == "Optimal" and p.shortfall_kwh == 0


def test_10_need_out_of_reach_is_reported_and_others_unaffected() -> None:
    cars = [SessionNeed("short", at(8), at(9), 50.0, 11.0),
            SessionNeed("fine", at(8), at(12), 20.0, 11.0)]
    p = plan(_inputs(cars, green_on_site=False))
    assert p.sessions["short"].energy_kwh == pytest.approx(11.0, abs=0.01)
    assert p.sessions["short"].shortfall_kwh == pytest.approx(39.0, abs=0.01)
    assert p.sessions["fine"].shortfall_kwh == pytest.approx(0.0, abs=1e-6)
    assert any("out of reach" in n for n in p.diagnostics.notes)


def test_11_sure_green_beats_uncertain_green() -> None:
    green = [0.0] * 40 + [10.0] * 4 + [0.0] * 8 + [10.0] * 4 + [0.0] * 40
    spread = [0.0] * 40 + [0.6] * 4 + [0.0] * 52
    p = plan(_inputs([SessionNeed("a", at(9), at(15), 10.0, 10.0)], green_kw=green,
                     green_spread=spread))
    assert min(slot_hours(p.sessions["a"].power_kw)) >= 13  # the later, certain hour


def test_12_defaulted_preferences_yield_when_capacity_is_short() -> None:
    cars = [SessionNeed("real", at(8), at(10), 20.0, 11.0),
            SessionNeed("guess", at(8), at(10), 20.0, 11.0, defaulted=True)]
    p = plan(_inputs(cars, grid_limit_kw=11.0, green_on_site=False))
    assert p.sessions["real"].shortfall_kwh == pytest.approx(0.0, abs=0.01)
    assert p.sessions["guess"].defaulted and p.sessions["guess"].shortfall_kwh > 17


def test_13_a_nearly_full_car_gets_no_more_than_it_needs() -> None:
    p = plan(_inputs([SessionNeed("a", at(8), at(12), 0.5, 11.0, 4.1)], green_on_site=False))
    assert p.sessions["a"].energy_kwh == pytest.approx(0.5)
    assert all(x == 0 or x >= 4.1 for x in p.sessions["a"].power_kw)


def test_14_uncontrolled_load_takes_capacity_and_green_first() -> None:
    cars = [SessionNeed("a", at(8), at(16), 80.0, 22.0)]
    p = plan(_inputs(cars, grid_limit_kw=20.0, green_kw=sun(10), base_load_kw=[15.0] * 96))
    assert max(p.load_kw) <= 5.0 + 1e-6
    assert p.sessions["a"].green_kwh == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize(
    ("change", "message"),
    [({"grid_limit_kw": -1.0}, "grid_limit_kw"),
     ({"sessions": [SessionNeed("x", at(9), at(8), 1.0, 11.0)]}, "departure"),
     ({"sessions": [SessionNeed("x", at(8), at(9), -1.0, 11.0)]}, "non-negative"),
     ({"green_kw": [-5.0]}, "green_kw"),
     ({"lead_discount": 1.0}, "lead_discount")],
)
def test_15_impossible_inputs_raise(change: dict[str, object], message: str) -> None:
    with pytest.raises(PlanningError, match=message):
        args: dict[str, object] = {"sessions": [SessionNeed("a", at(8), at(9), 1.0, 11.0)]}
        args.update(change)
        plan(_inputs(**args))  # type: ignore[arg-type]


def test_16_uncertain_green_now_beats_the_same_green_hours_ahead() -> None:
    # The same uncertain 10 kW at 08:00 and at 12:00; the car needs 10 kW for one slot. Green
    # in hand is worth more (later green may go to cars not yet plugged in, forecasts drift).
    green = [10.0] + [0.0] * 15 + [10.0] + [0.0] * 3  # the plan starts now, at 08:00
    car = [SessionNeed("a", at(8), at(13), 2.5, 22.0)]
    args: dict[str, object] = {"start": at(8), "green_kw": green, "green_spread": [0.3] * 20,
                               "green_on_site": False}
    now = plan(_inputs(car, **args)).sessions["a"].power_kw
    flat = plan(_inputs(car, lead_discount=0.0, **args)).sessions["a"].power_kw
    assert now[0] > flat[0] + 1.0 and now[16] < flat[16] - 1.0


def test_17_newcomers_that_would_take_the_later_green_drop_the_current_slots_hedge() -> None:
    # 10 kW expected now with a wide spread, 10 kW certain in each of the next 3 slots; the car
    # needs 5 of the 7.5 kWh it can take later. Alone it takes the sure part now and waits;
    # with 5 kWh of newcomers expected it takes the current slot's expected green
    car = [SessionNeed("a", at(8), at(9), 5.0, 11.0)]
    args: dict[str, object] = {"start": at(8), "green_kw": [10.0] * 4,
                               "green_spread": [0.3, 0.0, 0.0, 0.0], "green_on_site": False}
    alone = plan(_inputs(car, **args)).sessions["a"].power_kw
    few = plan(_inputs(car, arriving_kwh=[0.0, 1.0], **args)).sessions["a"].power_kw
    tipped = plan(_inputs(car, arriving_kwh=[0.0, 5.0], **args)).sessions["a"].power_kw
    assert alone[0] == few[0] == pytest.approx(4.8, abs=0.01)
    assert tipped[0] == pytest.approx(10.0, abs=0.01)


def test_plans_never_exceed_the_cap_by_rounding() -> None:
    cars = [SessionNeed(f"c{k}", at(8), at(9 + k / 7), 3.0 + k / 3, 11.0, 4.1) for k in range(23)]
    p = plan(_inputs(cars, grid_limit_kw=37.3, green_on_site=False))
    assert max(p.load_kw) <= 37.3


def test_partial_slots_deliver_for_the_plugged_in_part_only() -> None:
    p = plan(_inputs([SessionNeed("a", at(8.1), at(8.35), 10.0, 8.0)], green_on_site=False))
    assert p.sessions["a"].energy_kwh == pytest.approx(8.0 * 0.25, abs=1e-3)
    assert np.count_nonzero(p.sessions["a"].power_kw) == 2
