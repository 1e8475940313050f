"""External limits: the 2.0.1 edge's translation of a limit schedule, and which period of a
translated schedule is in force (in kW) when."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from csms.domain.charging_state import (
    ChargingLimit,
    LimitPeriod,
    LimitSchedule,
    in_force_kw,
    schedule_kw,
)
from csms.ocpp.errors import OcppCallError
from csms.ocpp.v201.translate import limit_schedule

T0 = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def test_the_edge_translates_a_schedule() -> None:
    wire = {"id": 4, "startSchedule": "2026-12-06T12:00:00Z", "duration": 3600,
            "chargingRateUnit": "A", "minChargingRate": 6.0,
            "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16, "numberPhases": 1},
                                       {"startPeriod": 900, "limit": 10.5}]}
    assert limit_schedule(wire) == LimitSchedule(
        "A", (LimitPeriod(0.0, 16.0, 1), LimitPeriod(900.0, 10.5)), T0, 3600)
    bare = {"chargingRateUnit": "W", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 1}]}
    assert limit_schedule(bare) == LimitSchedule("W", (LimitPeriod(0.0, 1.0),))
    with pytest.raises(OcppCallError):
        limit_schedule(bare | {"startSchedule": "noon"})


def test_the_period_in_force_in_kw() -> None:
    amps = LimitSchedule("A", (LimitPeriod(0, 16, 1), LimitPeriod(600, 32)), T0, 3600)
    assert schedule_kw(amps, T0, T0 - timedelta(seconds=1)) is None  # not started
    assert schedule_kw(amps, T0, T0) == pytest.approx(16 * 230 / 1000)
    assert schedule_kw(amps, T0, T0 + timedelta(minutes=10)) == pytest.approx(32 * 230 * 3 / 1000)
    assert schedule_kw(amps, T0, T0 + timedelta(hours=1)) is None  # its duration is over
    watts = LimitSchedule("W", (LimitPeriod(0, 11_000),))  # no start: from reception
    assert schedule_kw(watts, T0, T0 + timedelta(days=2)) == 11.0
    assert schedule_kw(watts, T0 + timedelta(hours=1), T0) is None


def test_the_tightest_limit_per_evse() -> None:
    def limit(evse: int, source: str, watts: float) -> ChargingLimit:
        return ChargingLimit("S", evse, source, None,
                             (LimitSchedule("W", (LimitPeriod(0, watts),)),), T0)

    limits = [limit(0, "SO", 40_000), limit(0, "EMS", 25_000), limit(1, "SO", 7_000),
              ChargingLimit("S", 2, "Other", None, (), T0)]
    assert in_force_kw(limits, T0) == {0: 25.0, 1: 7.0}
