"""The ChargingSchedule body, identical in OCPP 1.6 and 2.0.1 but for 2.0.1's schedule `id`."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_DOWN, Decimal
from typing import Any

from csms.domain.charging_profiles import ChargingProfile
from csms.ocpp.timestamps import format_utc

_TENTH = Decimal("0.1")


def one_decimal(value: float) -> float:
    """Limits are a multipleOf 0.1 in 1.6 and have one fraction digit in 2.0.1
    (ChargingSchedulePeriodType.limit): cut, never round up, so a limit is never exceeded."""
    return float(Decimal(repr(float(value))).quantize(_TENTH, rounding=ROUND_DOWN))


def schedule_body(profile: ChargingProfile, now: datetime) -> dict[str, Any]:
    schedule: dict[str, Any] = {
        "chargingRateUnit": profile.unit,
        "chargingSchedulePeriod": [
            {"startPeriod": offset, "limit": one_decimal(p.limit)}
            | ({} if p.phases is None else {"numberPhases": p.phases})
            for offset, p in zip(profile.start_periods(), profile.periods, strict=True)],
    }
    start = profile.start_schedule(now)
    if start is not None:
        schedule["startSchedule"] = format_utc(start)
    if profile.schedule_duration is not None:
        schedule["duration"] = profile.schedule_duration
    if profile.min_rate is not None:
        schedule["minChargingRate"] = one_decimal(profile.min_rate)
    return schedule
