"""From a session's planned power to the version-agnostic charging profile, and when to send.

Profiles are written to the charger's flash, so csms sends one only when it matters: a new
session, a cut in the current slot's power (the grid limit depends on it, so at once), or a
material change (`planning.diff`) no sooner than `min_interval` after the last one. A charger
that holds fewer periods than the plan has changes gets the first ones, and a new profile when
they run out (`Sent.renew_at`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any

from csms.domain.units import DEFAULT_VOLTAGE
from csms.planning import Plan, SessionPlan
from csms.planning.diff import session_changed

MAX_PERIODS = 24
PHASES = 3
STACK_LEVEL = 1


def kw_to_limit(kw: float, unit: str, phases: int = PHASES) -> float:
    """kW as the profile's unit; amps rounded down to 0.1 A so the limit is never exceeded."""
    if unit == "W":
        return float(int(kw * 1000))
    amps = Decimal(kw * 1000 / (DEFAULT_VOLTAGE * phases))
    return float(amps.quantize(Decimal("0.1"), rounding=ROUND_DOWN))


def limit_to_kw(limit: float, unit: str, phases: int = PHASES) -> float:
    return limit / 1000 if unit == "W" else limit * DEFAULT_VOLTAGE * phases / 1000


def periods_from(plan: Plan, sp: SessionPlan, start: datetime, until: datetime | None,
                 unit: str, max_periods: int = MAX_PERIODS
                 ) -> tuple[list[dict[str, Any]], datetime | None]:
    """Profile periods from `start`, one per change of power, at most `max_periods` (what the
    charger holds, never more than MAX_PERIODS); and when such a truncated schedule must be
    renewed: the start of the first change left out (None when nothing was left out)."""
    cap = max(1, min(max_periods, MAX_PERIODS))
    periods: list[dict[str, Any]] = []
    first = max(0, int((start - plan.start).total_seconds() // (plan.slot_minutes * 60)))
    for k in range(first, plan.slots):
        slot_start = plan.slot_start(k)
        if until is not None and slot_start >= until:
            break
        offset = 0 if k == first else int((slot_start - start).total_seconds())
        limit = kw_to_limit(sp.power_at(k), unit)
        if periods and periods[-1]["limit"] == limit:
            continue
        if periods:  # sent in a slot's last second: periods start whole seconds apart
            offset = max(offset, periods[-1]["start_s"] + 1)
        if len(periods) == cap:
            return periods, slot_start
        periods.append({"start_s": offset, "limit": limit, "phases": PHASES})
    return periods or [{"start_s": 0, "limit": 0.0, "phases": PHASES}], None


def tx_profile(plan: Plan, sp: SessionPlan, transaction_id: str, start: datetime,
               departure: datetime | None, unit: str, max_periods: int = MAX_PERIODS,
               stack_level: int = STACK_LEVEL) -> tuple[dict[str, Any], datetime | None]:
    """The session's TxProfile, and when it must be renewed (see `periods_from`)."""
    periods, renew_at = periods_from(plan, sp, start, departure, unit, max_periods)
    return {
        "purpose": "tx", "stack_level": stack_level, "unit": unit,
        "transaction_id": transaction_id, "periods": periods,
    }, renew_at


def stack_level(max_stack_level: int | None) -> int:
    """The planner's level, lowered to what the charger allows (0 still beats TxDefault)."""
    return STACK_LEVEL if max_stack_level is None else max(0, min(STACK_LEVEL, max_stack_level))


def default_shares(stations: list[str], limit_kw: float, min_kw: float,
                   max_kw: dict[str, float]) -> dict[str, float]:
    """Each station's TxDefaultProfile, in kW: the site limit split evenly among as many
    stations as can each get the minimum a car accepts (`min_kw`), in station-id order; the rest
    get 0. A share below the minimum would not be a smaller charge but none at all (the car
    pauses below 6 A) while still counting against the limit, so it goes where it works. A
    station's share is at most its own maximum (`max_kw`); what that leaves is not passed on,
    so the split stays independent of which stations are connected."""
    order = sorted(stations)
    fit = len(order) if min_kw <= 0 else min(len(order), int(limit_kw / min_kw + 1e-9))
    share = limit_kw / fit if fit else 0.0
    return {sid: (min(share, max_kw.get(sid, share)) if k < fit else 0.0)
            for k, sid in enumerate(order)}


def default_profile(kw: float, unit: str) -> dict[str, Any]:
    """The safe share of the site a charger keeps when csms cannot reach it."""
    return {"purpose": "tx_default", "stack_level": 0, "unit": unit,
            "periods": [{"start_s": 0, "limit": kw_to_limit(kw, unit), "phases": PHASES}]}


CUT_KW = 0.0005  # any cut is sent at once (powers are whole watts: half a watt tells one)


@dataclass
class Sent:
    """What a session's charger was last told, and when."""

    plan: Plan
    at: datetime
    accepted: bool
    status: str
    renew_at: datetime | None = None  # a truncated schedule runs out of periods then
    released: bool = False  # the driver changed wishes: no need to wait for min_interval


def should_send(last: Sent | None, plan: Plan, session_id: str, now: datetime,
                min_interval: timedelta) -> bool:
    if last is None or not last.accepted:
        return last is None or now - last.at >= min_interval
    if last.renew_at is not None and now >= last.renew_at:
        return True  # the charger holds fewer periods than the plan has changes
    old_now = last.plan.sessions[session_id].power_at(
        int((now - last.plan.start).total_seconds() // (last.plan.slot_minutes * 60)))
    new_now = plan.sessions[session_id].power_at(
        int((now - plan.start).total_seconds() // (plan.slot_minutes * 60)))
    if new_now < old_now - CUT_KW:
        # a cut keeps the site within its limit: never wait, however small (small cuts kept
        # on dozens of cars added up to 0.66 kW over the limit when re-planning on readings)
        return True
    if old_now <= 0 < new_now:
        return True  # a car held at 0 that the plan now charges: waiting would only lose energy
    if now - last.at < min_interval and not last.released:
        return False
    return session_changed(last.plan, plan, session_id)


def planned_kw(sent: Sent, session_id: str, at: datetime) -> float:
    p = sent.plan
    return p.sessions[session_id].power_at(
        int((at - p.start).total_seconds() // (p.slot_minutes * 60)))
