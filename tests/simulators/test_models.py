"""EV, meter, clock and charging-profile models (no network)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from simulators.clock import SimClock, iso, parse_iso
from simulators.ev import EV, EvseMeter
from simulators.smart_charging import Period, Profile, ProfileStore

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def test_clock_speed_and_format() -> None:
    wall = [100.0]
    clock = SimClock(60.0, wall=lambda: wall[0], epoch=T0)
    wall[0] += 2.0
    assert clock.monotonic() == 120.0
    assert clock.iso_now() == "2024-01-01T00:02:00.000Z"
    assert clock.wall_seconds(3600) == 60.0
    assert parse_iso("2024-01-01T00:00:00Z") == T0
    assert iso(T0).endswith("Z")


def test_ev_tapers_above_80_percent() -> None:
    ev = EV(capacity_kwh=50, soc=50, max_power_w=11000)
    assert ev.accepted_power_w() == 11000
    ev.soc = 90
    assert ev.accepted_power_w() == pytest.approx(5500)
    ev.soc = 100
    assert ev.accepted_power_w() == 0


def test_meter_integrates_power_and_respects_limit() -> None:
    meter = EvseMeter(11000, energy_wh=1000)
    meter.plug(EV(capacity_kwh=100, soc=20), now=0.0)
    assert meter.advance(3600.0) == pytest.approx(12000, rel=1e-6)
    meter.limit_w = 3680
    assert meter.advance(7200.0) == pytest.approx(15680, rel=1e-6)
    assert meter.current_a() == pytest.approx(3680 / 690)
    meter.limit_w = 0
    assert meter.charging_state() == "SuspendedEVSE"
    meter.unplug(8000.0)
    assert meter.power_w() == 0 and meter.advance(9000.0) == pytest.approx(15680, rel=1e-6)


def test_full_battery_stops_charging() -> None:
    meter = EvseMeter(11000)
    ev = EV(capacity_kwh=10, soc=70)
    meter.plug(ev, 0.0)
    meter.advance(10 * 3600.0)
    assert ev.soc == pytest.approx(100, abs=0.5)
    assert meter.energy_wh == pytest.approx(3000, rel=0.02)
    assert meter.charging_state() == "SuspendedEV"


def profile(pid: int, purpose: str, limit: float, unit: str = "W", *, evse: int = 1,
            stack: int = 0, start: datetime = T0, periods: list[Period] | None = None,
            tx: str | None = None) -> Profile:
    return Profile(pid, stack, purpose, evse, "Absolute", unit,
                   periods or [Period(0, limit)], T0, start=start, transaction_id=tx)


def test_profile_stacking() -> None:
    store = ProfileStore()
    now = T0 + timedelta(minutes=5)
    assert store.limit_w(1, now) is None
    store.install(profile(1, "TxDefaultProfile", 16, "A", evse=0))
    assert store.limit_w(1, now) == 16 * 230 * 3
    store.install(profile(2, "TxDefaultProfile", 5000, stack=1))
    assert store.limit_w(1, now) == 5000
    store.install(profile(3, "TxProfile", 7000, tx="T1"))
    assert store.limit_w(1, now, "T1", T0) == 7000
    assert store.limit_w(1, now, "OTHER", T0) == 5000
    store.install(profile(4, "ChargingStationMaxProfile", 4000, evse=0))
    assert store.limit_w(1, now, "T1", T0) == 4000
    assert store.clear(purpose="TxDefaultProfile") == 2
    store.clear_tx("T1")
    assert [p.id for p in store.profiles] == [4]


def test_composite_schedule() -> None:
    store = ProfileStore()
    assert store.composite(1, T0, 3600, 11000) is None
    store.install(profile(1, "TxDefaultProfile", 0, periods=[Period(0, 6000), Period(600, 3000)],
                          start=T0))
    assert store.composite(1, T0, 3600, 11000) == [(0.0, 6000), (600.0, 3000)]
    start = T0 + timedelta(seconds=300)
    assert store.composite(1, start, 3600, 5000) == [(0.0, 5000), (300.0, 3000)]
