"""Commands about how much a station may draw: charging profiles and the composite schedule."""

from __future__ import annotations

from dataclasses import dataclass

from csms.domain.charging_profiles import ChargingProfile, Purpose, Unit
from csms.domain.commands.base import Command, Result, StatusResult, omitted_when_none


@dataclass(frozen=True, slots=True)
class ProfileSetResult(Result):
    profile_id: int  # the id the profile has on the charger
    reason: str | None = omitted_when_none()


@dataclass(frozen=True)
class SetChargingProfile(Command[ProfileSetResult]):
    name = "set-charging-profile"
    result = ProfileSetResult
    profile: ChargingProfile
    evse_id: int | None = None  # required for tx; station_max and tx_default default to 0


@dataclass(frozen=True)
class ClearChargingProfile(Command[StatusResult]):
    """Every criterion is optional; an id decides alone; none clears every profile."""

    name = "clear-charging-profile"
    result = StatusResult
    id: int | None = None
    evse_id: int | None = None
    purpose: Purpose | None = None
    stack_level: int | None = None


@dataclass(frozen=True, slots=True)
class CompositePeriod:
    start_s: int
    limit: float
    phases: int | None = omitted_when_none()


@dataclass(frozen=True, slots=True)
class CompositeSchedule:
    start: str | None  # UTC, ISO 8601 with Z
    unit: str
    duration_s: int | None
    periods: list[CompositePeriod]


@dataclass(frozen=True, slots=True)
class CompositeScheduleResult(Result):
    reason: str | None = omitted_when_none()
    schedule: CompositeSchedule | None = None


@dataclass(frozen=True)
class GetCompositeSchedule(Command[CompositeScheduleResult]):
    name = "get-composite-schedule"
    result = CompositeScheduleResult
    evse_id: int
    duration_s: int
    unit: Unit | None = None


@dataclass(frozen=True, slots=True)
class ProfilesRequested(Result):
    request_id: int  # the ReportChargingProfiles messages that follow carry it
    reason: str | None = omitted_when_none()


@dataclass(frozen=True)
class GetChargingProfiles(Command[ProfilesRequested]):
    """What the station holds (2.0.1 K09); every criterion is optional."""

    name = "get-charging-profiles"
    result = ProfilesRequested
    request_id: int | None = None  # default: a fresh one, returned
    evse_id: int | None = None  # 0: station-wide profiles only
    purpose: Purpose | None = None
    stack_level: int | None = None
    ids: list[int] | None = None  # charger-side profile ids
    sources: list[str] | None = None  # EMS, Other, SO, CSO


@dataclass(frozen=True)
class CostUpdated(Command[StatusResult]):
    """A transaction's cost now: 2.0.1 CostUpdated; 1.6 DataTransfer to `vendor_id`."""

    name = "cost-updated"
    result = StatusResult
    transaction_id: str
    total: float  # in the station's configured currency
    vendor_id: str | None = None  # OCPP 1.6 only, required there
    final: bool = False  # OCPP 1.6: messageId FinalCost, else RunningCost
