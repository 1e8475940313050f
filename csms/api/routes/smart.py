"""Smart charging: drivers' preferences per transaction, each site's current plan, and what
each charger said it can do with charging profiles."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, field_validator

from csms.api.deps import ChargingPreferences, Sites, SmartCharging, Stations
from csms.domain.model import Preferences, Transaction
from csms.services.smart.capabilities import describe
from csms.services.smart.smart_charging import SiteState

router = APIRouter(tags=["smart charging"])


class PreferencesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    departure_at: datetime | None = Field(None, description="when the car leaves (with zone)")
    energy_wh: float | None = Field(None, gt=0, le=500_000, description="energy wanted")
    mode: Literal["green", "fast"] = "green"

    @field_validator("departure_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("departure_at needs a time zone (e.g. a trailing Z)")
        return value


class PreferencesOut(BaseModel):
    transaction_id: str
    station_id: str
    departure_at: datetime | None
    energy_wh: float | None
    mode: str
    defaulted: bool
    default_source: Literal["group", "site", "global"] | None = Field(
        None, description="whose defaults completed the preferences (when defaulted)")


def prefs_out(tx: Transaction, p: Preferences, source: str | None = None) -> PreferencesOut:
    return PreferencesOut(transaction_id=tx.transaction_id, station_id=tx.station_id,
                          departure_at=p.departure_at, energy_wh=p.energy_wh, mode=p.mode,
                          defaulted=p.defaulted,
                          default_source=source if p.defaulted else None)  # type: ignore[arg-type]


@router.put("/transactions/{transaction_id:path}/preferences")
async def put_preferences(
    transaction_id: str, body: PreferencesIn, preferences: ChargingPreferences,
    station_id: str | None = None,
) -> PreferencesOut:
    """Set the driver's departure, energy and mode; the site is re-planned at once."""
    tx, prefs = await preferences.set(transaction_id, station_id, body.departure_at,
                                          body.energy_wh, body.mode)
    return prefs_out(tx, prefs)


@router.get("/transactions/{transaction_id:path}/preferences")
async def get_preferences(
    transaction_id: str, preferences: ChargingPreferences, station_id: str | None = None
) -> PreferencesOut:
    """The preferences in force; `defaulted` when csms assumed them."""
    tx, prefs, source = await preferences.get(transaction_id, station_id)
    return prefs_out(tx, prefs, source)


@router.get("/sites/{site_id}/plan")
async def site_plan(site_id: str, smart_charging: SmartCharging, sites: Sites, refresh: bool = False
                   ) -> dict[str, Any]:
    """Per transaction the power schedule sent to the station, and the forecast it rests on."""
    await sites.get(site_id)
    state = smart_charging.state(site_id)
    if state is None or refresh:
        state = await smart_charging.replan(site_id)
    return plan_out(state)


def plan_out(state: SiteState) -> dict[str, Any]:
    p = state.plan
    return {
        "site_id": state.site.id,
        "computed_at": state.computed_at,
        "start": p.start if p else None,
        "slot_minutes": p.slot_minutes if p else 15,
        "grid_limit_kw": state.site.grid_limit_kw,
        "load_kw": list(p.load_kw) if p else [],
        "reserve_kw": state.reserve_kw,
        "arriving_kwh": state.arriving_kwh,
        "forecast": {
            "start": state.outlook_start,  # also without a plan (no car to plan for)
            "green_kw": [round(x, 3) for x in state.outlook.green_kw],
            "measured_kw": state.outlook.measured_kw,
            "latest_kw": state.outlook.latest_kw,
            "firm_kw": [round(x, 3) for x in state.outlook.firm_kw],
            "room_kw": [round(x, 3) for x in state.outlook.room_kw],
            "source": state.outlook.source,
            "source_forecasts": [{"source_id": f.source_id, "issued_at": f.issued_at,
                                  "start": f.start, "end": f.end, "origin": f.origin}
                                 for f in state.outlook.given],
            "stale": state.outlook.stale,
            "note": state.outlook.note,
        },
        "sessions": [
            {
                "transaction_id": v.tx.transaction_id, "station_id": v.tx.station_id,
                "evse_id": v.tx.evse_id, "managed": v.managed,
                "departure_at": v.prefs.departure_at, "energy_wh": v.prefs.energy_wh,
                "delivered_wh": v.tx.energy_wh, "mode": v.prefs.mode,
                "defaulted": v.prefs.defaulted, "default_source": v.default_source,
                "power_kw": [round(x, 3) for x in v.plan],
                "shortfall_kwh": round(v.shortfall_kwh, 3), "last_profile": v.last_profile,
            }
            for v in state.sessions
        ],
        "unmanaged_stations": [{"station_id": k, "reason": r}
                               for k, r in sorted(state.unmanaged.items())],
        "notes": state.notes,
        "diagnostics": ({"status": p.diagnostics.status, "solve_ms": p.diagnostics.solve_ms}
                        if p else None),
    }


@router.get("/stations/{station_id}/smart-charging")
async def station_capabilities(station_id: str, stations: Stations, smart_charging: SmartCharging
                              ) -> dict[str, Any]:
    """What the charger said it can do with profiles (null fields: it did not say, so csms
    uses its settings), and whether csms controls it."""
    view = await stations.get(station_id)
    caps = await smart_charging.capabilities.get(station_id)
    return {"station_id": station_id, "charging_control": view.station.charging_control,
            "charging_control_reason": view.station.charging_control_reason,
            "capabilities": describe(caps)}
