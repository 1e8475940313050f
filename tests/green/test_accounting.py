"""Green accounting arithmetic (csms.domain.accounting): profiles from registers, the split."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from csms.domain import accounting as acc
from csms.domain.model import Sample, Transaction
from csms.domain.units import ENERGY_REGISTER

T0 = datetime(2026, 6, 21, 8, 0, tzinfo=UTC)
I0 = acc.interval_of(T0)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def reg(minutes: float, wh: float, **kw: object) -> Sample:
    return Sample(at(minutes), ENERGY_REGISTER, wh, "Wh", wh, **kw)  # type: ignore[arg-type]


def tx(energy_wh: float, start: float = 0, stop: float | None = 60, **kw: object) -> Transaction:
    return Transaction(pk=1, station_id="S", transaction_id="1", evse_id=1, connector_id=1,
                       id_token=None, started_at=at(start),
                       stopped_at=None if stop is None else at(stop), energy_wh=energy_wh,
                       **kw)  # type: ignore[arg-type]


def approx(d: dict[int, float]) -> dict[int, object]:
    return {k: pytest.approx(v) for k, v in d.items()}


def test_interval_grid_is_shared_by_all_sites() -> None:
    assert acc.interval_start(I0) == T0
    assert acc.interval_of(at(14.99)) == I0
    assert acc.interval_of(at(15)) == I0 + 1
    assert acc.interval_of(T0.astimezone(timezone(timedelta(hours=3)))) == I0


def test_registers_interpolated_at_interval_boundaries() -> None:
    # 0 Wh at 0', 3000 Wh at 10', 3000 Wh at 20' (paused), 6000 Wh at 40'
    points = [(at(0), 0.0), (at(10), 3000.0), (at(20), 3000.0), (at(40), 6000.0)]
    prof = acc.energy_profile(points, 6000, at(0), at(40))
    # 0-15': 3000 (0-10') ; 15-30': 1500 (20-30' of the 20-40' ramp) ; 30-45': 1500
    assert prof == approx({I0: 3000, I0 + 1: 1500, I0 + 2: 1500})


def test_out_of_order_and_duplicate_samples_are_sorted() -> None:
    t = tx(4000, 0, 30, meter_start_wh=1000.0, meter_stop_wh=5000.0)
    samples = [reg(20, 4000), reg(10, 2000), reg(20, 4000), reg(10, 2000, phase="L1")]
    points = acc.register_points(t, samples)
    assert points == [(at(0), 1000.0), (at(10), 2000.0), (at(20), 4000.0), (at(30), 5000.0)]
    prof = acc.transaction_profile(t, samples, at(60))
    # 0-10': 1000 ; 10-15': 1000 ; 15-20': 1000 ; 20-30': 1000
    assert prof == approx({I0: 2000, I0 + 1: 2000})


def test_register_gap_spreads_evenly_and_a_reset_counts_as_nothing() -> None:
    points = [(at(0), 1000.0), (at(60), 5000.0)]  # one hour without samples
    assert acc.energy_profile(points, 4000, at(0), at(60)) == approx(
        {I0 + k: 1000 for k in range(4)})
    # the meter restarts at 0 at 15': the drop is no energy, the rise after it is
    reset = [(at(0), 5000.0), (at(15), 6000.0), (at(16), 0.0), (at(30), 1000.0)]
    assert acc.energy_profile(reset, 2000, at(0), at(30)) == approx({I0: 1000, I0 + 1: 1000})


def test_profile_sums_to_the_transactions_energy() -> None:
    points = [(at(0), 0.0), (at(15), 1000.0), (at(30), 3000.0)]
    prof = acc.energy_profile(points, 1500, at(0), at(30))
    assert sum(prof.values()) == pytest.approx(1500)
    assert prof[I0] == pytest.approx(500)


def test_no_registers_spread_uniformly_over_the_duration() -> None:
    t = tx(3000, 5, 50)  # 45 minutes, 1000 Wh per quarter hour
    assert acc.transaction_profile(t, [], at(90)) == approx(
        {I0: 2000 / 3, I0 + 1: 1000, I0 + 2: 1000, I0 + 3: 1000 / 3})
    active = tx(1000, 0, None)  # runs until now
    assert acc.transaction_profile(active, [], at(30)) == approx({I0: 500, I0 + 1: 500})
    assert acc.transaction_profile(tx(0.0), [reg(0, 0), reg(30, 0)], at(30)) == {}


def test_one_session_fully_green() -> None:
    green, intervals = acc.split_green({"a": {I0: 2000.0, I0 + 1: 1000.0}},
                                       {I0: 5000.0, I0 + 1: 1000.0})
    assert green == {"a": pytest.approx(3000)}
    assert [(u.energy_wh, u.green_used_wh) for u in intervals] == [(2000, 2000), (1000, 1000)]


def test_concurrent_sessions_share_in_proportion_to_energy() -> None:
    profiles = {"a": {I0: 3000.0}, "b": {I0: 1000.0}}
    green, intervals = acc.split_green(profiles, {I0: 2000.0})
    assert green == {"a": pytest.approx(1500), "b": pytest.approx(500)}
    assert intervals[0].green_available_wh == 2000 and intervals[0].green_used_wh == 2000


def test_green_larger_than_load_is_capped_by_the_load() -> None:
    green, intervals = acc.split_green({"a": {I0: 1000.0}, "b": {I0: 500.0}}, {I0: 99_000.0})
    assert green == {"a": pytest.approx(1000), "b": pytest.approx(500)}
    assert intervals[0].green_used_wh == 1500


def test_no_green_no_share() -> None:
    green, _ = acc.split_green({"a": {I0: 1000.0}}, {})
    assert green == {"a": 0}


def test_measured_readings_win_and_forecast_fills_the_gaps() -> None:
    readings = [(at(1), 8.0), (at(7), 12.0), (at(20), 4.0)]
    measured = {"pv": acc.interval_means(readings)}
    assert measured["pv"] == {I0: 10.0, I0 + 1: 4.0}
    forecast = {"pv": {I0: 1.0, I0 + 1: 1.0, I0 + 2: 6.0}, "park": {I0: 2.0}}
    wh, kinds = acc.green_supply(measured, forecast, range(I0, I0 + 3))
    # 15 minutes at 10 kW = 2500 Wh (+ 500 forecast for the park), 4 kW = 1000 Wh, 6 kW = 1500
    assert wh == approx({I0: 3000, I0 + 1: 1000, I0 + 2: 1500})
    assert kinds == {I0: "mixed", I0 + 1: "mixed", I0 + 2: "forecast"}
    only_pv, kinds = acc.green_supply(measured, {}, range(I0, I0 + 3))
    assert kinds == {I0: "measured", I0 + 1: "measured", I0 + 2: "forecast"}
    assert only_pv[I0 + 2] == 0.0


def test_no_readings_falls_back_to_the_forecast() -> None:
    wh, kinds = acc.green_supply({"pv": {}}, {"pv": {I0: 4.0}}, [I0])
    green, _ = acc.split_green({"a": {I0: 2000.0}}, wh)
    assert kinds == {I0: "forecast"} and green == {"a": pytest.approx(1000)}
