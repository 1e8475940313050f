"""What a 1.6 charger can do with charging profiles: its smart-charging configuration keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from csms.domain.commands.capabilities import GetProfileCapabilities, ProfileCapabilities
from csms.ocpp.capability_values import count, units
from csms.ocpp.exchange import Call, Exchange, Table

KEYS = ("ChargingScheduleAllowedChargingRateUnit", "ChargingScheduleMaxPeriods",
        "ChargeProfileMaxStackLevel", "MaxChargingProfilesInstalled",
        "SupportedFeatureProfiles")


def _ask(c: GetProfileCapabilities, now: datetime) -> Call:
    return Call("GetConfiguration", {"key": list(KEYS)})


def parse(values: dict[str, str | None]) -> ProfileCapabilities:
    """Capabilities from the keys' values (absent keys stay unknown)."""
    features = values.get("SupportedFeatureProfiles")
    smart = None if features is None else "smartcharging" in {
        f.strip().lower() for f in features.split(",")}
    return ProfileCapabilities(
        "Accepted", smart_charging=smart,
        rate_units=units(values.get("ChargingScheduleAllowedChargingRateUnit")),
        max_periods=count(values.get("ChargingScheduleMaxPeriods")),
        max_stack_level=count(values.get("ChargeProfileMaxStackLevel")),
        max_profiles=count(values.get("MaxChargingProfilesInstalled")),
        note="SupportedFeatureProfiles lacks SmartCharging" if smart is False else None)


def _answer(reply: dict[str, Any], call: Call, c: GetProfileCapabilities) -> ProfileCapabilities:
    return parse({str(k["key"]): k.get("value") for k in reply.get("configurationKey", [])
                  if isinstance(k, dict) and "key" in k})


EXCHANGES: Table = {GetProfileCapabilities: Exchange(_ask, _answer)}
