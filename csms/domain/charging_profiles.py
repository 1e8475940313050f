"""The version-agnostic charging profile of CONTRACT.md, checked, and the decisions both OCPP
versions share: which EVSE it goes to, its id on the charger, its kind and where it starts.

Pure and stdlib only, so the smart-charging service (csms.services.smart.charging_profiles) builds
profiles without knowing a station's version; `csms.ocpp.vXX.profiles` writes the wire form.

Shape: `{purpose: "tx" | "tx_default" | "station_max", stack_level, unit: "A" | "W",
periods: [{start_s, limit, phases?}], transaction_id?, valid_from?, valid_to?, recurrency?,
duration_s?, min_rate?}`.

Time anchor of `start_s` (OCPP startSchedule):
- `valid_from` when given (the planner passes its slot start);
- otherwise, with `recurrency` "daily"/"weekly": 00:00 UTC today / on Monday of this week;
- otherwise a `tx_default` profile is Relative: each transaction's own start;
- otherwise now - 60 s, so the first period applies at once even if the charger's clock lags;
  the later periods are moved by those 60 s, so each still begins `start_s` after now.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from csms.domain.errors import InvalidInput

Purpose = Literal["tx", "tx_default", "station_max"]
Unit = Literal["A", "W"]
Recurrency = Literal["daily", "weekly"]
Kind = Literal["Absolute", "Recurring", "Relative"]

PURPOSES: tuple[Purpose, ...] = ("tx", "tx_default", "station_max")
MAX_STACK_LEVEL = 999
MAX_EVSE_ID = 9_999
MAX_LIMIT = 1e9  # A or W: far above any charger, low enough to stay exact at one decimal
# The smart-charging planner's stack level for its per-transaction profiles.
START_LEAD = timedelta(seconds=60)
_RECURRENCE_S = {"daily": 86_400, "weekly": 7 * 86_400}
_PROFILE_KEYS = frozenset({"purpose", "stack_level", "unit", "periods", "transaction_id",
                           "valid_from", "valid_to", "recurrency", "duration_s", "min_rate"})


@dataclass(frozen=True)
class SchedulePeriod:
    start_s: int
    limit: float
    phases: int | None = None


@dataclass(frozen=True)
class ChargingProfile:
    purpose: Purpose
    stack_level: int
    unit: Unit
    periods: tuple[SchedulePeriod, ...]
    transaction_id: str | None = None
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    recurrency: Recurrency | None = None
    duration_s: int | None = None
    min_rate: float | None = None

    @classmethod
    def from_data(cls, data: Any) -> ChargingProfile:
        """Built from JSON-like data (the API's, or another node's): checked as parse_profile
        checks it (csms.domain.commands.codec uses this)."""
        return parse_profile(data)

    @property
    def kind(self) -> Kind:
        if self.recurrency is not None:
            return "Recurring"
        if self.purpose == "tx_default" and self.valid_from is None:
            return "Relative"
        return "Absolute"

    def start_schedule(self, now: datetime) -> datetime | None:
        """When `start_s` 0 is (None: Relative, the charger decides)."""
        if self.valid_from is not None:
            return self.valid_from
        if self.recurrency is not None:
            midnight = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
            if self.recurrency == "weekly":
                midnight -= timedelta(days=midnight.weekday())
            return midnight
        if self.kind == "Relative":
            return None
        return now.astimezone(UTC).replace(microsecond=0) - START_LEAD

    @property
    def lead_s(self) -> int:
        """How far the schedule starts before now (only with the default anchor)."""
        if self.kind == "Absolute" and self.valid_from is None:
            return int(START_LEAD.total_seconds())
        return 0

    def start_periods(self) -> list[int]:
        """OCPP startPeriod of each period: `start_s` from the schedule's start, plus the lead
        for all but the first (which covers the lead itself)."""
        return [0 if i == 0 else p.start_s + self.lead_s for i, p in enumerate(self.periods)]

    @property
    def schedule_duration(self) -> int | None:
        return None if self.duration_s is None else self.duration_s + self.lead_s

    def target_evse(self, evse_id: int | None) -> int:
        """The EVSE the profile is set on: station_max on 0 only, tx on a real EVSE."""
        if evse_id is None:
            if self.purpose == "tx":
                raise InvalidInput("a tx profile needs evse_id")
            return 0
        if not 0 <= evse_id <= MAX_EVSE_ID:
            raise InvalidInput(f"evse_id must be between 0 and {MAX_EVSE_ID}")
        if self.purpose == "station_max" and evse_id != 0:
            raise InvalidInput("a station_max profile applies to the whole station: evse_id 0")
        if self.purpose == "tx" and evse_id == 0:
            raise InvalidInput("a tx profile applies to one EVSE: evse_id must be 1 or more")
        return evse_id


def profile_id(evse_id: int, purpose: Purpose, stack_level: int) -> int:
    """The charger-side id: one per (EVSE, purpose, stack level), the same after a restart,
    so a new profile replaces the one it succeeds (OCPP 1.6 §5.16, 2.0.1 K01.FR.05) rather
    than piling up or being refused as a conflict (2.0.1 K01.FR.06). 10_001_000 is the tx
    profile of EVSE 1 at stack level 0; ids stay far above hand-picked ones and within int32."""
    if not 0 <= evse_id <= MAX_EVSE_ID or not 0 <= stack_level <= MAX_STACK_LEVEL:
        raise InvalidInput("evse_id or stack_level out of range")
    return (PURPOSES.index(purpose) + 1) * 10_000_000 + evse_id * 1_000 + stack_level


def parse_time(value: Any, name: str) -> datetime:
    """An aware UTC datetime from a datetime or an ISO 8601 string (no zone: UTC)."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError as e:
            raise InvalidInput(f"{name}: not an ISO 8601 time: {value!r}") from e
    if not isinstance(value, datetime):
        raise InvalidInput(f"{name}: not a time: {value!r}")
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _int(value: Any, name: str, low: int, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{name} must be an integer")
    if value < low or (high is not None and value > high):
        raise InvalidInput(f"{name} must be between {low} and {high}" if high is not None
                           else f"{name} must be {low} or more")
    return value


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        raise InvalidInput(f"{name} must be a number")
    if not 0 <= value <= MAX_LIMIT:
        raise InvalidInput(f"{name} must be between 0 and {MAX_LIMIT:g}")
    return float(value)


def _periods(raw: Any, span_s: int | None) -> tuple[SchedulePeriod, ...]:
    if not isinstance(raw, Sequence) or isinstance(raw, str) or not raw:
        raise InvalidInput("periods must be a non-empty list")
    out: list[SchedulePeriod] = []
    for i, p in enumerate(raw):
        if not isinstance(p, Mapping) or not {"start_s", "limit"} <= p.keys() \
                or not p.keys() <= {"start_s", "limit", "phases"}:
            raise InvalidInput(f"periods[{i}] must be {{start_s, limit, phases?}}")
        start = _int(p["start_s"], f"periods[{i}].start_s", 0)
        if (i == 0 and start != 0) or (i > 0 and start <= out[-1].start_s):
            raise InvalidInput("periods must start at start_s 0 and be strictly ascending")
        if span_s is not None and start >= span_s:
            raise InvalidInput(f"periods[{i}].start_s must be below {span_s}")
        phases = p.get("phases")
        out.append(SchedulePeriod(start, _number(p["limit"], f"periods[{i}].limit"),
                                  None if phases is None else _int(phases, "phases", 1, 3)))
    return tuple(out)


def parse_profile(data: Any) -> ChargingProfile:
    """Check a version-agnostic profile; every problem is an InvalidInput (HTTP 422)."""
    if isinstance(data, ChargingProfile):
        return data
    if not isinstance(data, Mapping):
        raise InvalidInput("profile must be an object")
    unknown = set(data) - _PROFILE_KEYS
    if unknown:
        raise InvalidInput(f"profile: unknown fields {sorted(unknown)}")
    missing = {"purpose", "stack_level", "unit", "periods"} - set(data)
    if missing:
        raise InvalidInput(f"profile: missing {sorted(missing)}")
    purpose, unit, recurrency = data["purpose"], data["unit"], data.get("recurrency")
    if purpose not in PURPOSES:
        raise InvalidInput(f"purpose must be one of {', '.join(PURPOSES)}")
    if unit not in ("A", "W"):
        raise InvalidInput("unit must be A or W")
    if recurrency not in (None, "daily", "weekly"):
        raise InvalidInput("recurrency must be daily or weekly")
    tx_id = data.get("transaction_id")
    if purpose == "tx" and tx_id is None:
        raise InvalidInput("a tx profile needs transaction_id")
    if purpose != "tx" and tx_id is not None:
        raise InvalidInput("transaction_id belongs to tx profiles only")
    if tx_id is not None and (not isinstance(tx_id, str) or not 0 < len(tx_id) <= 36):
        raise InvalidInput("transaction_id must be a string of 1 to 36 characters")
    duration = data.get("duration_s")
    duration = None if duration is None else _int(duration, "duration_s", 1)
    span = duration if recurrency is None else min(duration or 10**9, _RECURRENCE_S[recurrency])
    valid_from, valid_to = (None if data.get(k) is None else parse_time(data[k], k)
                            for k in ("valid_from", "valid_to"))
    if valid_from is not None and valid_to is not None and valid_to <= valid_from:
        raise InvalidInput("valid_to must be after valid_from")
    min_rate = data.get("min_rate")
    return ChargingProfile(
        purpose=purpose, unit=unit, recurrency=recurrency, transaction_id=tx_id,
        stack_level=_int(data["stack_level"], "stack_level", 0, MAX_STACK_LEVEL),
        periods=_periods(data["periods"], span), valid_from=valid_from, valid_to=valid_to,
        duration_s=duration, min_rate=None if min_rate is None else _number(min_rate, "min_rate"))
