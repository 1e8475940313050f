"""Version-agnostic charging profiles (csms.domain.charging_profiles) as OCPP 2.0.1 payloads,
and the 2.0.1 composite schedule back in the version-agnostic shape. Pure functions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from csms.domain.charging_profiles import ChargingProfile, parse_profile, profile_id
from csms.domain.commands.charging import ClearChargingProfile, CompositePeriod, CompositeSchedule
from csms.domain.errors import InvalidInput, StationBadReply
from csms.ocpp.errors import OcppCallError
from csms.ocpp.schedules import schedule_body
from csms.ocpp.timestamps import format_utc, parse

PURPOSE = {"tx": "TxProfile", "tx_default": "TxDefaultProfile",
           "station_max": "ChargingStationMaxProfile"}



def charging_profile(profile: ChargingProfile, charger_id: int, now: datetime) -> dict[str, Any]:
    """The 2.0.1 ChargingProfileType (also RequestStartTransaction's `chargingProfile`).
    Its one schedule shares the profile's id."""
    schedule = {"id": charger_id} | schedule_body(profile, now)
    out: dict[str, Any] = {
        "id": charger_id,
        "stackLevel": profile.stack_level,
        "chargingProfilePurpose": PURPOSE[profile.purpose],
        "chargingProfileKind": profile.kind,
    }
    if profile.recurrency is not None:
        out["recurrencyKind"] = profile.recurrency.capitalize()
    if profile.transaction_id is not None:
        out["transactionId"] = profile.transaction_id
    if profile.valid_from is not None:
        out["validFrom"] = format_utc(profile.valid_from)
    if profile.valid_to is not None:
        out["validTo"] = format_utc(profile.valid_to)
    return out | {"chargingSchedule": [schedule]}


def to_wire(profile: ChargingProfile | Any, evse_id: int | None, now: datetime) -> dict[str, Any]:
    """The SetChargingProfile payload for `profile` (a ChargingProfile or its JSON dict)."""
    checked = parse_profile(profile)
    evse = checked.target_evse(evse_id)
    charger_id = profile_id(evse, checked.purpose, checked.stack_level)
    return {"evseId": evse, "chargingProfile": charging_profile(checked, charger_id, now)}


def _purpose(value: Any) -> str:
    if value not in PURPOSE:
        raise InvalidInput(f"purpose must be one of {', '.join(PURPOSE)}")
    return PURPOSE[value]


def clear_request(c: ClearChargingProfile) -> dict[str, Any]:
    """ClearChargingProfile: an id, criteria, or nothing (every profile)."""
    payload: dict[str, Any] = {}
    if c.id is not None:
        payload["chargingProfileId"] = c.id
    criteria: dict[str, Any] = {}
    if c.evse_id is not None:
        criteria["evseId"] = c.evse_id
    if c.purpose is not None:
        criteria["chargingProfilePurpose"] = _purpose(c.purpose)
    if c.stack_level is not None:
        criteria["stackLevel"] = c.stack_level
    if criteria:
        payload["chargingProfileCriteria"] = criteria
    return payload


def composite_schedule(reply: dict[str, Any]) -> CompositeSchedule | None:
    """GetCompositeScheduleResponse as `{start, unit, duration_s, periods}`; None without one."""
    schedule = reply.get("schedule")
    if reply["status"] != "Accepted" or schedule is None:
        return None
    try:
        start = format_utc(parse(schedule["scheduleStart"]))
    except OcppCallError as e:
        raise StationBadReply("GetCompositeSchedule: bad scheduleStart") from e
    return CompositeSchedule(start, schedule["chargingRateUnit"], schedule.get("duration"),
                             _periods(schedule))


def _periods(schedule: dict[str, Any]) -> list[CompositePeriod]:
    return [CompositePeriod(p["startPeriod"], float(p["limit"]), p.get("numberPhases"))
            for p in schedule["chargingSchedulePeriod"]]
