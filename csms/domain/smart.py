"""What a charger can do with charging profiles, and the defaults assumed for silent sessions.

`ChargingCapabilities` is read once per connection from the charger's configuration (1.6
GetConfiguration keys, 2.0.1 SmartChargingCtrlr variables and EVSE.Power); the parsers here
are pure so both versions and the tests share them. `ChargingDefaults` is one layer of
defaults (a token group's or a site's); a missing field falls through to the next layer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

V16_KEYS = ("ChargingScheduleAllowedChargingRateUnit", "ChargingScheduleMaxPeriods",
            "ChargeProfileMaxStackLevel", "MaxChargingProfilesInstalled",
            "SupportedFeatureProfiles")
V201_KEYS = ("SmartChargingCtrlr.Enabled", "SmartChargingCtrlr.RateUnit",
             "SmartChargingCtrlr.PeriodsPerSchedule", "SmartChargingCtrlr.ProfileStackLevel",
             "SmartChargingCtrlr.LimitChangeSignificance")
_V16_UNITS = {"current": "A", "power": "W", "a": "A", "w": "W"}


@dataclass(frozen=True)
class ChargingCapabilities:
    """None or empty means "the charger did not say": csms then uses its settings."""

    station_id: str
    smart_charging: bool | None = None
    rate_units: tuple[str, ...] = ()
    max_periods: int | None = None
    max_stack_level: int | None = None
    max_profiles: int | None = None
    limit_change_significance: float | None = None
    evse_max_kw: Mapping[int, float] = field(default_factory=dict)
    probed_at: datetime | None = None
    note: str | None = None

    def unit(self, fallback: str) -> str:
        """W when the charger takes it (no rounding to 0.1 A), else A, else the setting."""
        if "W" in self.rate_units:
            return "W"
        return "A" if "A" in self.rate_units else fallback

    def evse_kw(self, evse_id: int, fallback: float) -> float:
        return self.evse_max_kw.get(evse_id, fallback)


@dataclass(frozen=True)
class ChargingDefaults:
    """One layer of defaults for sessions without preferences (None: the next layer decides)."""

    dwell_h: float | None = None
    energy_kwh: float | None = None
    mode: str | None = None

    @property
    def empty(self) -> bool:
        return self.dwell_h is None and self.energy_kwh is None and self.mode is None


def _int(value: str | None) -> int | None:
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return n if n >= 0 else None


def _float(value: str | None) -> float | None:
    try:
        x = float(str(value).strip())
    except (TypeError, ValueError):
        return None
    return x if x == x and x >= 0 else None


def _units(value: str | None) -> tuple[str, ...]:
    if value is None:
        return ()
    found = {_V16_UNITS.get(u.strip().lower()) for u in value.split(",")}
    return tuple(u for u in ("A", "W") if u in found)


def _bool(value: str | None) -> bool | None:
    text = None if value is None else value.strip().lower()
    return {"true": True, "false": False}.get(text or "")


def values_of(reply: Mapping[str, Any]) -> dict[str, str | None]:
    """`{key: value}` from a get-configuration command reply (both versions)."""
    return {str(c["key"]): c.get("value") for c in reply.get("configuration", [])
            if isinstance(c, Mapping) and "key" in c}


def parse_v16(values: Mapping[str, str | None]) -> dict[str, Any]:
    """Capability fields from 1.6 configuration keys (absent keys stay unknown)."""
    features = values.get("SupportedFeatureProfiles")
    smart = None if features is None else "smartcharging" in {
        f.strip().lower() for f in features.split(",")}
    return {
        "smart_charging": smart,
        "rate_units": _units(values.get("ChargingScheduleAllowedChargingRateUnit")),
        "max_periods": _int(values.get("ChargingScheduleMaxPeriods")),
        "max_stack_level": _int(values.get("ChargeProfileMaxStackLevel")),
        "max_profiles": _int(values.get("MaxChargingProfilesInstalled")),
    }


def parse_v201(values: Mapping[str, str | None]) -> dict[str, Any]:
    """Capability fields from 2.0.1 SmartChargingCtrlr variables (absent ones stay unknown)."""
    return {
        "smart_charging": _bool(values.get("SmartChargingCtrlr.Enabled")),
        "rate_units": _units(values.get("SmartChargingCtrlr.RateUnit")),
        "max_periods": _int(values.get("SmartChargingCtrlr.PeriodsPerSchedule")),
        "max_stack_level": _int(values.get("SmartChargingCtrlr.ProfileStackLevel")),
        "limit_change_significance": _float(
            values.get("SmartChargingCtrlr.LimitChangeSignificance")),
    }


def evse_power_kw(reply: Mapping[str, Any]) -> dict[int, float]:
    """EVSE maxima from a GetVariablesResponse on `EVSE.Power` (MaxSet).

    The device model gives watts; a value of 1000 or less can only be kilowatts (some
    stations follow the description text, which says kW), so it is read as such."""
    out: dict[int, float] = {}
    for r in reply.get("getVariableResult", []):
        evse = (r.get("component") or {}).get("evse") or {}
        value = _float(r.get("attributeValue"))
        if r.get("attributeStatus") != "Accepted" or value is None or not value \
                or not isinstance(evse.get("id"), int):
            continue
        out[evse["id"]] = value if value <= 1000 else value / 1000
    return out
