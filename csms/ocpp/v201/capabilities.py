"""What a 2.0.1 charger can do with charging profiles: SmartChargingCtrlr variables, and the
most each EVSE can deliver (EVSE.Power MaxSet)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from csms.domain.commands.capabilities import (
    EvsePower,
    GetEvsePower,
    GetProfileCapabilities,
    ProfileCapabilities,
)
from csms.ocpp.capability_values import amount, count, flag, units
from csms.ocpp.exchange import Call, Exchange, Table

VARIABLES = ("Enabled", "RateUnit", "PeriodsPerSchedule", "ProfileStackLevel",
             "LimitChangeSignificance")
_COMPONENT = "SmartChargingCtrlr"


def _ask(c: GetProfileCapabilities, now: datetime) -> Call:
    return Call("GetVariables", {"getVariableData": [
        {"component": {"name": _COMPONENT}, "variable": {"name": v}} for v in VARIABLES]})


def parse(values: dict[str, str | None]) -> ProfileCapabilities:
    """Capabilities from SmartChargingCtrlr variables by name (absent ones stay unknown)."""
    smart = flag(values.get("Enabled"))
    return ProfileCapabilities(
        "Accepted", smart_charging=smart, rate_units=units(values.get("RateUnit")),
        max_periods=count(values.get("PeriodsPerSchedule")),
        max_stack_level=count(values.get("ProfileStackLevel")),
        limit_change_significance=amount(values.get("LimitChangeSignificance")),
        note="SmartChargingCtrlr.Enabled is false" if smart is False else None)


def _answer(reply: dict[str, Any], call: Call, c: GetProfileCapabilities) -> ProfileCapabilities:
    return parse({r["variable"]["name"]: r.get("attributeValue")
                  for r in reply["getVariableResult"]
                  if r["attributeStatus"] == "Accepted" and r["component"]["name"] == _COMPONENT})


def _ask_power(c: GetEvsePower, now: datetime) -> Call:
    return Call("GetVariables", {"getVariableData": [
        {"component": {"name": "EVSE", "evse": {"id": e}}, "variable": {"name": "Power"},
         "attributeType": "MaxSet"} for e in c.evse_ids]})


def evse_power_kw(reply: dict[str, Any]) -> dict[int, float]:
    """EVSE maxima from a GetVariablesResponse on `EVSE.Power` (MaxSet).

    The device model gives watts; a value of 1000 or less can only be kilowatts (some
    stations follow the description text, which says kW), so it is read as such."""
    out: dict[int, float] = {}
    for r in reply.get("getVariableResult", []):
        evse = (r.get("component") or {}).get("evse") or {}
        value = amount(r.get("attributeValue"))
        if r.get("attributeStatus") != "Accepted" or value is None or not value \
                or not isinstance(evse.get("id"), int):
            continue
        out[evse["id"]] = value if value <= 1000 else value / 1000
    return out


def _power(reply: dict[str, Any], call: Call, c: GetEvsePower) -> EvsePower:
    return EvsePower("Accepted", evse_power_kw(reply))


EXCHANGES: Table = {GetProfileCapabilities: Exchange(_ask, _answer),
                    GetEvsePower: Exchange(_ask_power, _power)}
