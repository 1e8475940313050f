"""Charging-profile store: turns CSMS charging profiles into a power limit per EVSE.

Both protocol versions normalise their profiles into ``Profile`` so the same
stacking rules (highest stack level wins, Tx over TxDefault, station maximum
caps everything) and the same composite-schedule computation serve both.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from simulators.clock import parse_iso
from simulators.ev import NOMINAL_VOLTAGE

MAX, DEFAULT, TX, OTHER = "max", "default", "tx", "other"
_PURPOSES = {
    "ChargePointMaxProfile": MAX,
    "ChargingStationMaxProfile": MAX,
    "TxDefaultProfile": DEFAULT,
    "TxProfile": TX,
}
_RECURRENCY_S = {"Daily": 86400.0, "Weekly": 604800.0}


@dataclass
class Period:
    """One schedule period: from ``start_s`` (relative to the schedule start) at ``limit``."""

    start_s: float
    limit: float
    phases: int | None = None


@dataclass
class Profile:
    """A version-neutral charging profile."""

    id: int
    stack_level: int
    purpose: str  # the OCPP purpose name
    evse_id: int  # 0 = whole station
    kind: str  # Absolute | Recurring | Relative
    unit: str  # A | W
    periods: list[Period]
    installed_at: datetime
    start: datetime | None = None
    duration: float | None = None
    recurrency: str | None = None
    transaction_id: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def role(self) -> str:
        """max, default, tx or other."""
        return _PURPOSES.get(self.purpose, OTHER)

    def bases(self, t0: datetime, t1: datetime, tx_start: datetime | None) -> list[datetime]:
        """Schedule start instants that may be active within [t0, t1]."""
        if self.kind == "Relative":
            return [tx_start] if tx_start else []
        start = self.start or self.installed_at
        period = _RECURRENCY_S.get(self.recurrency or "")
        if self.kind != "Recurring" or period is None:
            return [start]
        k = math.floor((t0 - start).total_seconds() / period)
        out, base = [], start + timedelta(seconds=k * period)
        while base <= t1:
            out.append(base)
            base += timedelta(seconds=period)
        return out

    def limit_at(self, t: datetime, tx_start: datetime | None) -> Period | None:
        """The active period at ``t`` (None if the profile is not in force)."""
        bases = [b for b in self.bases(t, t, tx_start) if b <= t]
        if not bases:
            return None
        elapsed = (t - bases[-1]).total_seconds()
        if self.duration is not None and elapsed >= self.duration:
            return None
        active = [p for p in self.periods if p.start_s <= elapsed]
        return max(active, key=lambda p: p.start_s) if active else None


def _periods(schedule: dict[str, Any]) -> list[Period]:
    return [
        Period(float(p["startPeriod"]), float(p["limit"]), p.get("numberPhases"))
        for p in schedule.get("chargingSchedulePeriod", [])
    ]


def _profile(raw: dict[str, Any], pid: int, schedule: dict[str, Any], evse_id: int,
             now: datetime, tx: Any) -> Profile:
    start = schedule.get("startSchedule")
    return Profile(
        id=pid, stack_level=int(raw["stackLevel"]), purpose=str(raw["chargingProfilePurpose"]),
        evse_id=evse_id, kind=str(raw.get("chargingProfileKind", "Absolute")),
        unit=str(schedule.get("chargingRateUnit", "W")), periods=_periods(schedule),
        installed_at=now, start=parse_iso(start) if start else None,
        duration=schedule.get("duration"), recurrency=raw.get("recurrencyKind"),
        transaction_id=None if tx is None else str(tx), raw=raw,
    )


def from_v16(raw: dict[str, Any], connector_id: int, now: datetime) -> Profile:
    """Normalise a 1.6 ``csChargingProfiles`` object (connector id = evse id here)."""
    return _profile(raw, int(raw["chargingProfileId"]), raw["chargingSchedule"],
                    connector_id, now, raw.get("transactionId"))


def from_v201(raw: dict[str, Any], evse_id: int, now: datetime) -> Profile:
    """Normalise a 2.0.1 ``chargingProfile`` object (first schedule only)."""
    return _profile(raw, int(raw["id"]), raw["chargingSchedule"][0], evse_id, now,
                    raw.get("transactionId"))


class ProfileStore:
    """Installed profiles and the limit they impose."""

    def __init__(self, *, phases: int = 3, voltage: float = NOMINAL_VOLTAGE) -> None:
        self.profiles: list[Profile] = []
        self.phases = phases
        self.voltage = voltage

    def install(self, profile: Profile) -> None:
        """Add ``profile``, replacing one with the same id or the same stack slot."""
        self.profiles = [
            p for p in self.profiles
            if p.id != profile.id
            and not (p.stack_level == profile.stack_level and p.purpose == profile.purpose
                     and p.evse_id == profile.evse_id)
        ]
        self.profiles.append(profile)

    def clear(self, *, profile_id: int | None = None, evse_id: int | None = None,
              purpose: str | None = None, stack_level: int | None = None) -> int:
        """Remove matching profiles; returns how many were removed."""
        def match(p: Profile) -> bool:
            if profile_id is not None:
                return p.id == profile_id
            return ((evse_id is None or p.evse_id == evse_id)
                    and (purpose is None or p.purpose == purpose)
                    and (stack_level is None or p.stack_level == stack_level))
        before = len(self.profiles)
        self.profiles = [p for p in self.profiles if not match(p)]
        return before - len(self.profiles)

    def clear_tx(self, tx_id: str) -> None:
        """Drop TxProfiles bound to a finished transaction."""
        self.profiles = [p for p in self.profiles
                         if not (p.role == TX and p.transaction_id == tx_id)]

    def to_watts(self, period: Period, unit: str) -> float:
        """Convert a period limit to watts (A x 230 V x phases)."""
        if unit == "W":
            return period.limit
        return period.limit * self.voltage * (period.phases or self.phases)

    def _best(self, role: str, evse_ids: tuple[int, ...], t: datetime,
              tx_id: str | None, tx_start: datetime | None) -> float | None:
        for evse in evse_ids:  # EVSE-specific profiles win over station-wide ones
            cands = [p for p in self.profiles if p.role == role and p.evse_id == evse
                     and (role != TX or p.transaction_id in (None, tx_id))]
            for p in sorted(cands, key=lambda p: -p.stack_level):
                period = p.limit_at(t, tx_start)
                if period is not None:
                    return self.to_watts(period, p.unit)
        return None

    def limit_w(self, evse_id: int, t: datetime, tx_id: str | None = None,
                tx_start: datetime | None = None) -> float | None:
        """The power limit in force on ``evse_id`` at ``t`` (None = unconstrained)."""
        scope = (evse_id, 0)
        tx_limit = self._best(TX, scope, t, tx_id, tx_start) if tx_id else None
        if tx_limit is None:
            tx_limit = self._best(DEFAULT, scope, t, tx_id, tx_start)
        cap = self._best(MAX, (0, evse_id), t, tx_id, tx_start)
        limits = [x for x in (tx_limit, cap) if x is not None]
        return min(limits) if limits else None

    def composite(self, evse_id: int, start: datetime, duration: float, max_w: float,
                  tx_id: str | None = None, tx_start: datetime | None = None
                  ) -> list[tuple[float, float]] | None:
        """[(startPeriod s, limit W)] over the window, or None if no profile applies."""
        end = start + timedelta(seconds=duration)
        marks = {0.0}
        for p in self.profiles:
            for base in p.bases(start, end, tx_start):
                offsets = [q.start_s for q in p.periods] + ([p.duration] if p.duration else [])
                for off in offsets:
                    rel = (base - start).total_seconds() + off
                    if 0 <= rel < duration:
                        marks.add(math.floor(rel))
        out: list[tuple[float, float]] = []
        constrained = False
        for rel in sorted(marks):
            t = start + timedelta(seconds=rel)
            limit = self.limit_w(evse_id, t, tx_id, tx_start)
            constrained = constrained or limit is not None
            value = max_w if limit is None else min(limit, max_w)
            if not out or out[-1][1] != value:
                out.append((rel, value))
        return out if constrained else None

    def matching(self, evse_id: int | None = None, purpose: str | None = None,
                 stack_level: int | None = None, ids: list[int] | None = None) -> list[Profile]:
        """Profiles matching GetChargingProfiles-style criteria."""
        return [p for p in self.profiles
                if (evse_id is None or p.evse_id == evse_id)
                and (purpose is None or p.purpose == purpose)
                and (stack_level is None or p.stack_level == stack_level)
                and (not ids or p.id in ids)]
