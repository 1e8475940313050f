"""Version-agnostic charging profiles (csms.domain.charging_profiles) as OCPP 1.6 payloads,
and the 1.6 composite schedule back in the version-agnostic shape. Pure functions."""

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
           "station_max": "ChargePointMaxProfile"}



def transaction_id(value: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as e:
        raise InvalidInput("OCPP 1.6 transaction ids are integers") from e


def charging_profile(profile: ChargingProfile, charger_id: int, now: datetime) -> dict[str, Any]:
    """The 1.6 ChargingProfile (`csChargingProfiles`, also RemoteStart's `chargingProfile`)."""
    schedule = schedule_body(profile, now)
    out: dict[str, Any] = {
        "chargingProfileId": charger_id,
        "stackLevel": profile.stack_level,
        "chargingProfilePurpose": PURPOSE[profile.purpose],
        "chargingProfileKind": profile.kind,
    }
    if profile.recurrency is not None:
        out["recurrencyKind"] = profile.recurrency.capitalize()
    if profile.transaction_id is not None:
        out["transactionId"] = transaction_id(profile.transaction_id)
    if profile.valid_from is not None:
        out["validFrom"] = format_utc(profile.valid_from)
    if profile.valid_to is not None:
        out["validTo"] = format_utc(profile.valid_to)
    return out | {"chargingSchedule": schedule}


def to_wire(profile: ChargingProfile | Any, evse_id: int | None, now: datetime) -> dict[str, Any]:
    """The SetChargingProfile payload for `profile` (a ChargingProfile or its JSON dict)."""
    checked = parse_profile(profile)
    connector = checked.target_evse(evse_id)
    charger_id = profile_id(connector, checked.purpose, checked.stack_level)
    return {"connectorId": connector,
            "csChargingProfiles": charging_profile(checked, charger_id, now)}


def _purpose(value: Any) -> str:
    if value not in PURPOSE:
        raise InvalidInput(f"purpose must be one of {', '.join(PURPOSE)}")
    return PURPOSE[value]


def clear_request(c: ClearChargingProfile) -> dict[str, Any]:
    """ClearChargingProfile: every criterion is optional; none clears every profile."""
    payload: dict[str, Any] = {}
    if c.id is not None:
        payload["id"] = c.id
    if c.evse_id is not None:
        payload["connectorId"] = c.evse_id
    if c.purpose is not None:
        payload["chargingProfilePurpose"] = _purpose(c.purpose)
    if c.stack_level is not None:
        payload["stackLevel"] = c.stack_level
    return payload


def composite_schedule(reply: dict[str, Any]) -> CompositeSchedule | None:
    """GetCompositeSchedule.conf as `{start, unit, duration_s, periods}`; None without one."""
    schedule = reply.get("chargingSchedule")
    if reply["status"] != "Accepted" or schedule is None:
        return None
    start = reply.get("scheduleStart") or schedule.get("startSchedule")
    try:
        start_at = None if start is None else format_utc(parse(start))
    except OcppCallError as e:
        raise StationBadReply(f"GetCompositeSchedule: bad scheduleStart {start!r}") from e
    return CompositeSchedule(start_at, schedule["chargingRateUnit"], schedule.get("duration"),
                             _periods(schedule))


def _periods(schedule: dict[str, Any]) -> list[CompositePeriod]:
    return [CompositePeriod(p["startPeriod"], float(p["limit"]), p.get("numberPhases"))
            for p in schedule["chargingSchedulePeriod"]]
