"""External charging limits (set outside csms: a grid operator, a local EMS): which one is in
force now, and what csms believes each station holds.

A grid operator or an energy-management system may limit a station behind csms's back; the
station reports the limit with its schedules, which the OCPP edge translates into
`LimitSchedule`s. This module finds the period in force and converts it to kW, so the planner
can treat the limit as a hard cap. Pure and stdlib only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from csms.domain.commands.charging import ClearChargingProfile
from csms.domain.units import DEFAULT_VOLTAGE

PHASES = 3  # a period in amperes that names no phase count is taken as three-phase


@dataclass(frozen=True, slots=True)
class LimitPeriod:
    """From `start_s` seconds after its schedule's start, `limit` in the schedule's unit."""

    start_s: float
    limit: float
    phases: int | None = None  # None: PHASES


@dataclass(frozen=True, slots=True)
class LimitSchedule:
    """One schedule of an external limit. `unit` is "W" or "A"; without a `start` the schedule
    counts from when csms received it (its own relative start is unknown); without a
    `duration_s` its last period lasts."""

    unit: str
    periods: tuple[LimitPeriod, ...]
    start: datetime | None = None
    duration_s: float | None = None


@dataclass(frozen=True, slots=True)
class ChargingLimit:
    """A limit a station reported: per EVSE (0 = the whole station) and source. `as_sent`
    keeps the station's own schedules, opaque here, for those who show them as sent."""

    station_id: str
    evse_id: int
    source: str  # EMS | Other | SO | CSO
    grid_critical: bool | None
    schedules: tuple[LimitSchedule, ...]
    received_at: datetime
    as_sent: tuple[Mapping[str, Any], ...] = ()


def schedule_kw(schedule: LimitSchedule, received_at: datetime, now: datetime
                ) -> float | None:
    """The schedule's limit at `now` in kW; None when it is not in force."""
    start = schedule.start or received_at
    elapsed = (now - start).total_seconds()
    if elapsed < 0 or (schedule.duration_s is not None and elapsed >= schedule.duration_s):
        return None
    active = [p for p in schedule.periods if p.start_s <= elapsed]
    if not active:
        return None
    period = max(active, key=lambda p: p.start_s)
    if schedule.unit == "A":
        return period.limit * DEFAULT_VOLTAGE * (period.phases or PHASES) / 1000
    return period.limit / 1000


def limit_kw(limit: ChargingLimit, now: datetime) -> float | None:
    """The tightest of the limit's schedules in force at `now`, in kW."""
    values = [kw for s in limit.schedules
              if (kw := schedule_kw(s, limit.received_at, now)) is not None]
    return min(values) if values else None


def in_force_kw(limits: Sequence[ChargingLimit], now: datetime) -> dict[int, float]:
    """Per EVSE (0: the station), the tightest external limit in force at `now`, in kW."""
    out: dict[int, float] = {}
    for limit in limits:
        kw = limit_kw(limit, now)
        if kw is not None:
            out[limit.evse_id] = min(kw, out.get(limit.evse_id, kw))
    return out


@dataclass(frozen=True, slots=True)
class InstalledProfile:
    """A profile csms believes a station holds: set by csms and Accepted, not yet cleared,
    and (for a TxProfile) its transaction still running. `profile` is the version-agnostic
    JSON of CONTRACT.md."""

    station_id: str
    profile_id: int
    evse_id: int
    purpose: str
    stack_level: int
    transaction_id: str | None
    profile: dict[str, Any]
    set_at: datetime


def clears(p: InstalledProfile, criteria: ClearChargingProfile) -> bool:
    """Whether an Accepted ClearChargingProfile with these criteria removed `p`: an `id`
    decides alone (OCPP 1.6 5.5, 2.0.1 K10), else every criterion given must match, and
    no criteria at all clear everything."""
    if criteria.id is not None:
        return p.profile_id == criteria.id
    return all(wanted is None or wanted == value for wanted, value in (
        (criteria.evse_id, p.evse_id), (criteria.purpose, p.purpose),
        (criteria.stack_level, p.stack_level)))


@dataclass(frozen=True, slots=True)
class ProfileReportPart:
    """One ReportChargingProfiles message: part `seq` of the answer to `request_id`."""

    station_id: str
    request_id: int
    seq: int
    evse_id: int
    source: str
    profiles: tuple[dict[str, Any], ...]
    tbc: bool
    received_at: datetime
