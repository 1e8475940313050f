"""When a session's charger gets a new profile: new, cut, rate-limited raise, driver's wish."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from csms.domain.charging_profiles import parse_profile
from csms.planning import Diagnostics, Plan, SessionPlan
from csms.services.smart.charging_profiles import (
    Sent,
    default_shares,
    kw_to_limit,
    should_send,
    tx_profile,
)

T0 = datetime(2026, 6, 21, 10, 0, tzinfo=UTC)
FIVE_MIN = timedelta(minutes=5)


def plan_of(*kw: float) -> Plan:
    sp = SessionPlan("s", tuple(kw), energy_kwh=0.0, green_kwh=0.0, shortfall_kwh=0.0)
    return Plan(start=T0, slot_minutes=15, sessions={"s": sp}, load_kw=tuple(kw),
                green_kw=(0.0,) * len(kw), capacity_kw=(22.0,) * len(kw),
                diagnostics=Diagnostics("Optimal", 0.0, 0.0, 0, 0))


def test_a_new_session_is_sent_at_once() -> None:
    assert should_send(None, plan_of(7.0, 7.0), "s", T0, FIVE_MIN)


def test_a_cut_is_sent_at_once_a_raise_waits() -> None:
    last = Sent(plan_of(11.0, 11.0), T0, accepted=True, status="Accepted")
    soon = T0 + timedelta(minutes=1)
    assert should_send(last, plan_of(4.2, 4.2), "s", soon, FIVE_MIN)
    assert not should_send(last, plan_of(11.0, 11.0), "s", soon, FIVE_MIN)
    raised = Sent(plan_of(4.2, 4.2), T0, accepted=True, status="Accepted")
    assert not should_send(raised, plan_of(11.0, 11.0), "s", soon, FIVE_MIN)
    assert should_send(raised, plan_of(11.0, 11.0), "s", T0 + FIVE_MIN, FIVE_MIN)


def test_a_changed_wish_lifts_the_wait_but_not_the_materiality() -> None:
    last = Sent(plan_of(4.2, 4.2), T0, accepted=True, status="Accepted", released=True)
    soon = T0 + timedelta(minutes=1)
    assert should_send(last, plan_of(11.0, 11.0), "s", soon, FIVE_MIN)
    assert not should_send(last, plan_of(4.3, 4.3), "s", soon, FIVE_MIN)  # immaterial


def test_a_rejected_profile_is_retried_only_after_the_interval() -> None:
    last = Sent(plan_of(7.0), T0, accepted=False, status="Rejected")
    assert not should_send(last, plan_of(7.0), "s", T0 + timedelta(minutes=1), FIVE_MIN)
    assert should_send(last, plan_of(7.0), "s", T0 + FIVE_MIN, FIVE_MIN)


def test_amps_are_rounded_down_so_the_limit_holds() -> None:
    assert kw_to_limit(4.14, "A") == 6.0
    assert kw_to_limit(11.0, "A") == 15.9  # 15.94 A, never 16.0
    assert kw_to_limit(7.4, "W") == 7400.0


def test_a_car_held_at_zero_is_started_at_once() -> None:
    """The once-per-interval rule spares the charger's flash; it must not keep a car idle that
    the plan now wants to charge (the energy of those minutes is lost for good)."""
    last = Sent(plan_of(0.0, 0.0), T0, accepted=True, status="Accepted")
    soon = T0 + timedelta(minutes=1)
    assert should_send(last, plan_of(10.9, 10.9), "s", soon, FIVE_MIN)
    assert not should_send(last, plan_of(0.0, 10.9), "s", soon, FIVE_MIN)  # not yet: waits


def test_the_default_split_never_gives_a_station_less_than_the_minimum() -> None:
    six = {f"S{k}": 22.0 for k in range(6)}
    shares = default_shares(list(six), 15.0, 4.14, six)  # 2.5 kW each would be below 6 A
    assert sorted(shares.values()) == [0.0, 0.0, 0.0, 5.0, 5.0, 5.0]
    assert [k for k, v in sorted(shares.items()) if v] == ["S0", "S1", "S2"]
    assert all(kw_to_limit(v, "A") in (0.0,) or kw_to_limit(v, "A") >= 6.0
               for v in shares.values())
    assert default_shares(list(six), 60.0, 4.14, six) == dict.fromkeys(six, 10.0)
    assert default_shares(["A", "B"], 60.0, 4.14, {"A": 11.0, "B": 22.0}) == {"A": 11.0,
                                                                              "B": 22.0}
    assert default_shares(["A"], 3.0, 4.14, {"A": 22.0}) == {"A": 0.0}  # nobody fits
    assert default_shares([], 30.0, 4.14, {}) == {}


def test_a_small_cut_is_sent_at_once_too() -> None:
    """Cuts of a few watts on many cars add up: kept for 5 minutes on re-plans every reading,
    they took a depot 0.66 kW over its limit (bench.planner --server)."""
    last = Sent(plan_of(11.0, 11.0), T0, accepted=True, status="Accepted")
    soon = T0 + timedelta(minutes=1)
    assert should_send(last, plan_of(10.95, 10.95), "s", soon, FIVE_MIN)
    assert should_send(last, plan_of(10.999, 10.999), "s", soon, FIVE_MIN)


def test_a_send_in_a_slots_last_second_still_gives_ascending_periods() -> None:
    """A plan sent 0.4 s before a slot ends: the next slot's period starts a whole second after
    the first, not at 0 again (which the command layer refuses, and the charger was then
    marked unmanaged)."""
    plan = plan_of(7.0, 11.0, 4.2)
    start = T0 + timedelta(minutes=15) - timedelta(milliseconds=400)
    profile, _ = tx_profile(plan, plan.sessions["s"], "tx-1", start, None, "W")
    parse_profile(profile)
    assert [p["start_s"] for p in profile["periods"]] == [0, 1, 900]
    assert [p["limit"] for p in profile["periods"]] == [7000.0, 11000.0, 4200.0]


@settings(max_examples=300, deadline=None, derandomize=True)
@given(powers=st.lists(st.sampled_from([0.0, 4.14, 7.0, 11.0, 22.0]), min_size=1, max_size=40),
       # any time, and often the last instants before a slot boundary
       at_ms=st.one_of(st.integers(-3_600_000, 41 * 900_000),
                       st.builds(lambda k, ms: k * 900_000 - ms, st.integers(0, 41),
                                 st.integers(0, 1_500))),
       max_periods=st.integers(1, 30),
       unit=st.sampled_from(["A", "W"]))
def test_every_profile_the_planner_builds_is_one_the_command_layer_takes(
        powers: list[float], at_ms: int, max_periods: int, unit: str) -> None:
    plan = plan_of(*powers)
    start = T0 + timedelta(milliseconds=at_ms)
    profile, renew_at = tx_profile(plan, plan.sessions["s"], "tx-1", start, None, unit,
                                   max_periods)
    parse_profile(profile)  # an InvalidInput here is a station lost to management
    assert len(profile["periods"]) <= max_periods
    assert renew_at is None or renew_at > start
