"""diff (material change), forecast correction and spread, the arrival model."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from csms.planning import PlanInputs, SessionNeed, clip_to, diff, plan
from csms.planning.arrivals import ArrivalModel
from csms.planning.forecast import (
    DROP_PRIOR,
    GUARDED_DROP_PRIOR,
    bounds,
    correct,
    drop_prior,
    firm,
    lag,
    ratio,
    shape,
    spread,
)
from tests.planning.conftest import T0, at


def _plan(energy: float, limit: float = 22.0, ids: tuple[str, ...] = ("a",)) -> object:
    return plan(PlanInputs(start=T0, grid_limit_kw=limit, green_on_site=False,
                           sessions=[SessionNeed(i, at(0), at(4), energy, 11.0) for i in ids]))


def test_diff_sees_added_removed_and_material_changes_only() -> None:
    old = _plan(20.0, ids=("a", "b"))
    same = _plan(20.0, ids=("a", "c"))
    d = diff(old, same)  # type: ignore[arg-type]
    assert d.added == {"c"} and d.removed == {"b"} and d.changed == frozenset()
    assert d.to_send == {"c"}
    bigger = _plan(40.0, ids=("a", "b"), limit=22.0)
    assert diff(old, bigger).changed == {"a", "b"}  # type: ignore[arg-type]
    assert diff(None, old).to_send == {"a", "b"}  # type: ignore[arg-type]


def test_diff_ignores_small_steps_and_far_changes() -> None:
    old = _plan(20.0)
    sp = old.sessions["a"]  # type: ignore[attr-defined]
    nudged = dataclasses.replace(sp, power_kw=tuple(x + 0.3 if x else 0.0 for x in sp.power_kw))
    new = dataclasses.replace(old, sessions={"a": nudged})  # type: ignore[type-var]
    assert diff(old, new).changed == frozenset()  # type: ignore[arg-type]
    late = list(sp.power_kw)
    late[12] = 11.0 if late[12] == 0 else 0.0  # 3 h ahead, beyond the 2 h window
    far = dataclasses.replace(old, sessions={"a": dataclasses.replace(sp, power_kw=tuple(late))})  # type: ignore[type-var]
    assert diff(old, far).changed == frozenset()  # type: ignore[arg-type]
    assert diff(old, far, horizon_h=4).changed == {"a"}  # type: ignore[arg-type]


def test_forecast_correction_follows_measured_output_and_fades() -> None:
    fc = np.full(40, 100.0)
    act = np.full(20, 50.0)  # half of what was forecast
    out = correct(fc, act, 20)
    assert len(out) == 20
    assert out[0] == pytest.approx(50.0, rel=0.01)
    assert 50.0 < out[-1] < 100.0 and np.all(np.diff(out) >= 0)


def test_forecast_correction_keeps_the_day_bias_and_nowcasts_the_last_slot() -> None:
    fc = np.full(60, 100.0)
    act = np.concatenate([np.full(19, 50.0), [90.0]])  # a wrong forecast; the sun just came out
    out = correct(fc, act, 20)
    assert out[0] == pytest.approx(90.0, rel=0.05)  # persistence of the last slot
    assert 50.0 < out[12] < 80.0  # 3 h ahead: back near the day's bias, not the forecast
    assert out[-1] < 100.0


def test_the_nowcast_follows_the_forecasts_course_not_its_wiggles() -> None:
    # a forecast with the right course and slot-to-slot noise (+-10 %, alternating); the sky
    # gives 60 % of the course all along. The next slot is 60 % of the course, whatever the
    # forecast's wiggle says there: holding the reading to the wiggles misses it by 18 %
    course = 100.0 * np.sin(np.linspace(0.05, np.pi - 0.05, 48))
    wiggly = course * np.where(np.arange(48) % 2, 0.9, 1.1)
    now = 21  # the last slot (20) was forecast 10 % high, this one 10 % low
    out = correct(wiggly, 0.6 * course[:now], now)
    assert out[0] == pytest.approx(0.6 * course[now], rel=0.04)
    to_wiggles = correct(wiggly, 0.6 * course[:now], now, reference_kw=wiggly)[0]
    assert abs(to_wiggles - 0.6 * course[now]) > 0.15 * 0.6 * course[now]
    # with a clear-sky reference (the server's), the reference's own course is used as it is
    held = correct(wiggly, 0.6 * course[:now], now, reference_kw=course)
    assert held[0] == pytest.approx(0.6 * course[now], rel=0.01)
    assert shape(np.full(10, 7.0)).tolist() == [7.0] * 10  # a flat forecast stays flat


def test_output_below_any_cloud_is_covered_panels_that_clear_not_the_day_bias() -> None:
    # snow on the panels (or fog): 4 % of a sunny forecast all morning. It ends at an hour no
    # reading foretells, so the afternoon is not written off as the day's bias
    fc = 100.0 * np.sin(np.linspace(0.05, np.pi - 0.05, 48))
    covered = correct(fc, 0.04 * fc[:20], 20)
    assert covered[0] == pytest.approx(0.04 * fc[20], rel=0.1)  # the next slot: still covered
    assert covered[12] > 0.7 * fc[32]  # 3 h ahead: mostly the forecast's sun
    # an overcast day's shortfall (a third of the forecast) is a wrong forecast: it lasts
    overcast = correct(fc, 0.3 * fc[:20], 20)
    assert overcast[12] < 0.6 * fc[32]


def _sun(n: int = 96, rise: int = 24, day: int = 56) -> np.ndarray:
    """Clear-sky-like output: 0 at night, a half sine from slot `rise` for `day` slots."""
    out = np.zeros(n)
    out[rise:rise + day] = 100.0 * np.sin(np.linspace(0.02, np.pi - 0.02, day))
    return out


def test_a_forecast_issued_an_hour_late_is_moved_back_once_the_sun_shows_it() -> None:
    # the sky as forecast, but issued for the wrong hour: the panels give output while the
    # forecast still has the sun down; a ratio would read it as a morning excess and scale
    # the whole afternoon up
    sun = _sun()
    late = np.roll(sun, 4)
    now = 32  # two hours after sunrise
    assert lag(late, sun[:now], now) == 4
    out = correct(late, sun[:now], now)
    assert out[16] == pytest.approx(sun[now + 16], rel=0.1)  # 4 h ahead: the real curve
    assert out[49] == 0.0 and late[now + 49] > 0  # after the real sunset, not the forecast's
    ratio_only = correct(late, sun[:now], now, reference_kw=late)  # no lag fitted
    assert abs(ratio_only[16] - sun[now + 16]) > 0.2 * sun.max()
    assert lag(np.roll(sun, 8), sun[:now], now) == 8  # two hours


def test_a_morning_shortfall_is_not_read_as_a_lag() -> None:
    # fog, snow, a front, a wrong sky: whatever the curve, output never comes while the
    # forecast has the sun down, so the forecast keeps its hours
    sun = _sun()
    now = 40
    fog = sun[:now] * np.where(np.arange(now) < 34, 0.15, 1.0)
    assert lag(sun, fog, now) == 0
    assert lag(sun, 0.3 * sun[:now], now) == 0
    assert lag(sun, np.roll(sun, -3)[:now] * 0.02, now) == 0  # early, but hardly any output
    assert lag(0.4 * sun, sun[:now], now) == 0  # a day brighter than forecast


def test_forecast_correction_reads_only_the_past() -> None:
    fc = np.full(40, 100.0)
    a = np.concatenate([np.full(20, 50.0), np.full(20, 0.0)])
    b = np.concatenate([np.full(20, 50.0), np.full(20, 999.0)])
    assert np.array_equal(correct(fc, a, 20), correct(fc, b, 20))


def test_forecast_correction_without_data_returns_the_forecast() -> None:
    fc = np.linspace(0, 10, 8)
    assert np.array_equal(correct(fc, [], 0), fc)
    assert ratio(fc, [np.nan, np.nan], 2) is None


def test_spread_is_small_for_a_steady_sky_and_large_for_broken_clouds() -> None:
    fc = np.full(40, 100.0)
    steady = spread(fc, np.full(20, 90.0), 20, 4)
    broken = spread(fc, np.tile([30.0, 100.0], 10), 20, 4)
    assert steady[0] < 0.1 < 0.3 < broken[0]


CLOUD = 0.25  # the mildest one-slot drop no cloud of the benchmark broke (bench.planner.firm)


def test_nothing_is_firm_by_default_an_inverter_trip_takes_it_all() -> None:
    fc = np.full(40, 100.0)
    assert DROP_PRIOR == 0.0
    assert not firm(fc, np.full(20, 80.0), 20, 4).any()  # a steady sky, as before a trip
    sure, room = bounds(fc, np.full(20, 80.0), 20, np.full(20, 90.0))
    assert not sure.any() and not room.any()


def test_a_site_with_a_local_guard_counts_on_the_quarter() -> None:
    fc = np.full(40, 100.0)
    assert drop_prior(False) == DROP_PRIOR and drop_prior(True) == GUARDED_DROP_PRIOR == CLOUD
    sure, room = bounds(fc, np.full(20, 80.0), 20, np.full(20, 90.0), prior=drop_prior(True))
    assert sure[0] == pytest.approx(CLOUD * 80.0) and room[1] == pytest.approx(CLOUD * 90.0)


def test_firm_green_is_a_compounding_fraction_of_the_last_measured_slot() -> None:
    fc = np.full(40, 100.0)
    out = firm(fc, np.full(20, 80.0), 20, 4, prior=CLOUD)  # a steady sky: the prior drop rules
    assert out == pytest.approx([80.0 * CLOUD ** (k + 1) for k in range(4)])
    broken = firm(fc, np.tile([30.0, 100.0], 10), 20, 2, prior=CLOUD)  # drops to 30 % seen
    assert broken[0] == pytest.approx(100.0 * 0.8 * 0.3)
    assert broken[0] < 100.0 * 0.3  # below even the worst drop seen, applied to the last slot
    falling = firm(fc, [100.0] * 18 + [90.0, 60.0], 20, 1, prior=CLOUD)  # a cloud moving in
    assert falling[0] == pytest.approx(60.0 * CLOUD * (60.0 / 90.0))


def test_firm_green_follows_sunset_and_needs_a_fresh_measurement() -> None:
    sunset = np.concatenate([np.full(20, 100.0), np.linspace(100.0, 0.0, 20)])
    out = firm(sunset, np.full(20, 100.0), 20, 20, prior=CLOUD)
    assert np.all(out <= CLOUD * sunset[20:] + 1e-9) and out[-1] == 0.0
    full = np.full(40, 100.0)
    assert not firm(full, [50.0, np.nan], 2, 4, prior=CLOUD).any()  # last slot not measured
    assert not firm(full, [], 0, 4, prior=CLOUD).any()
    assert not firm(full, [100.0] * 19 + [9.0], 20, 4, prior=CLOUD).any()  # dusk: too little
    a = np.concatenate([np.full(20, 50.0), np.full(20, 0.0)])
    b = np.concatenate([np.full(20, 50.0), np.full(20, 999.0)])
    assert np.array_equal(firm(full, a, 20, 8, prior=CLOUD), firm(full, b, 20, 8, prior=CLOUD))


def test_room_is_sure_now_and_likely_later() -> None:
    fc, act = np.full(40, 100.0), np.full(20, 80.0)
    expected = np.full(20, 90.0)
    sure, r = bounds(fc, act, 20, expected, prior=CLOUD)
    assert np.array_equal(sure, firm(fc, act, 20, 20, prior=CLOUD))
    assert r[0] == sure[0]  # the current slot: only what is sure
    assert r[1:] == pytest.approx(CLOUD * 90.0)  # later: what will be sure by then
    assert not np.any(bounds(fc, [80.0, np.nan], 2, expected, prior=CLOUD))  # a stale source


def test_a_trip_after_a_steady_sky_breaks_any_nonzero_prior() -> None:
    """Why the default is 0: the slot before a trip is as steady as any, and the trip takes
    the next one to nothing, so any firm green above the limit is imported from the grid."""
    fc, steady, limit, tripped = np.full(40, 100.0), np.full(20, 95.0), 45.0, 0.0
    for prior, over in ((CLOUD, True), (DROP_PRIOR, False)):
        load = limit + float(firm(fc, steady, 20, 1, prior=prior)[0])
        assert (max(0.0, load - tripped) > limit) is over


def test_clip_to_scales_slots_over_the_cap_and_stops_sessions_below_their_minimum() -> None:
    cars = [SessionNeed("a", at(8), at(10), 10.0, 11.0, 4.1),
            SessionNeed("b", at(8), at(10), 4.0, 11.0, 4.1)]
    p = plan(PlanInputs(start=at(8), grid_limit_kw=30.0, green_on_site=False, sessions=cars))
    cap = [30.0] + [6.0] * 7
    clipped = clip_to(p, cap, {"a": 4.1, "b": 4.1})
    load = np.asarray(clipped.load_kw)
    assert np.all(load <= np.asarray(cap) + 1e-9) and load[1] < p.load_kw[1]
    assert clipped.sessions["a"].power_kw[0] == p.sessions["a"].power_kw[0]  # within: kept
    for sp in clipped.sessions.values():
        assert all(x == 0.0 or x >= 4.1 - 1e-9 for x in sp.power_kw[1:])
    assert clip_to(p, [100.0] * 8, {}) is p


def test_arrival_model_reserves_for_a_wave_in_progress_only() -> None:
    seen = [(at(7 + k * 0.1), at(15), 20.0, 11.0) for k in range(10)]
    r = ArrivalModel.from_recent(seen, at(8)).reserve_kw(24)
    assert r[0] == 0 and r[1] > 0 and r.max() > r[-1]
    assert not ArrivalModel.from_recent(seen, at(12)).reserve_kw(24).any()


def test_arrival_history_expects_the_weekly_pattern_in_the_site_time_zone() -> None:
    """Four weeks of history: three cars each Monday at 08:00 in Sofia (05:00 UTC in June).
    On a Monday at 06:00 Sofia the reserve rises for them; on a Tuesday nothing is expected."""
    sofia = ZoneInfo("Europe/Sofia")
    monday = datetime(2026, 6, 22, 6, 0, tzinfo=sofia)  # a Monday
    past = [(monday - timedelta(weeks=w) + timedelta(hours=2, minutes=5 * k),
             monday - timedelta(weeks=w) + timedelta(hours=10), 20.0, 11.0)
            for w in range(1, 5) for k in range(3)]
    model = ArrivalModel.from_history(past, monday.astimezone(UTC), days=28, tz=sofia)
    assert model.arrivals_per_slot[7] == pytest.approx(3.0)  # the 08:00 slot: 3 cars a week
    assert sum(model.arrivals_per_slot) == pytest.approx(3.0)
    r = model.reserve_kw(24)
    assert r[0] == 0 and not r[:8].any() and r[8] > 0  # from 08:00 Sofia on
    tuesday = (monday + timedelta(days=1)).astimezone(UTC)
    assert not ArrivalModel.from_history(past, tuesday, days=28, tz=sofia).reserve_kw(24).any()
    # history shorter than a week says nothing; a week of it counts once
    assert not ArrivalModel.from_history(past, monday, days=6, tz=sofia).reserve_kw(24).any()
    one = ArrivalModel.from_history(past, monday, days=7, tz=sofia)
    assert sum(one.arrivals_per_slot) == pytest.approx(3.0)
