"""Bodies of the tariff routes, the charging-state listings, and the `get-charging-profiles`
and `cost-updated` commands."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from csms.api.schemas import Strict

Currency = Field(min_length=3, max_length=3, pattern=r"^[A-Z]{3}$",
                 description="ISO 4217 code, e.g. EUR", examples=["EUR"])
Price = Field(ge=0, le=1_000_000, max_digits=13, decimal_places=6,
              description="in currency units; a number or a decimal string")


class TariffIn(Strict):
    id: str | None = Field(None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$",
                           description="default: a fresh one, returned")
    name: str | None = Field(None, max_length=255)
    currency: str = Currency
    price_per_kwh: Decimal = Price
    green_price_per_kwh: Decimal | None = Field(
        None, ge=0, le=1_000_000, max_digits=13, decimal_places=6,
        description="per kWh of green energy, at most price_per_kwh; default price_per_kwh")
    price_per_minute: Decimal = Field(Decimal(0), ge=0, le=1_000_000, max_digits=13,
                                      decimal_places=6, description="per minute of session")
    session_fee: Decimal = Field(Decimal(0), ge=0, le=1_000_000, max_digits=13,
                                 decimal_places=6, description="flat, per session")
    site_id: str | None = Field(None, min_length=1, max_length=64,
                                description="applies to the site's stations")
    group_id: str | None = Field(None, min_length=1, max_length=64,
                                 description="applies to id tokens of this group (wins over "
                                 "the site's); neither site nor group: the default tariff")


class TariffPatch(Strict):
    """Fields to change; `site_id` / `group_id` null unassign. Prices apply to sessions that
    start afterwards."""

    name: str | None = Field(None, max_length=255)
    currency: str | None = Field(None, min_length=3, max_length=3, pattern=r"^[A-Z]{3}$")
    price_per_kwh: Decimal | None = Field(None, ge=0, le=1_000_000, max_digits=13,
                                          decimal_places=6)
    green_price_per_kwh: Decimal | None = Field(None, ge=0, le=1_000_000, max_digits=13,
                                                decimal_places=6)
    price_per_minute: Decimal | None = Field(None, ge=0, le=1_000_000, max_digits=13,
                                             decimal_places=6)
    session_fee: Decimal | None = Field(None, ge=0, le=1_000_000, max_digits=13,
                                        decimal_places=6)
    site_id: str | None = Field(None, min_length=1, max_length=64)
    group_id: str | None = Field(None, min_length=1, max_length=64)


class TariffOut(BaseModel):
    id: str
    name: str | None
    currency: str
    price_per_kwh: float
    green_price_per_kwh: float
    price_per_minute: float
    session_fee: float
    site_id: str | None
    group_id: str | None
    scope: Literal["group", "site", "default"]
    created_at: datetime | None
    updated_at: datetime | None


class InstalledProfileOut(BaseModel):
    id: int = Field(description="the charger-side profile id")
    evse_id: int
    purpose: str
    stack_level: int
    transaction_id: str | None
    profile: dict[str, Any] = Field(description="the version-agnostic profile sent")
    set_at: datetime


class ReportPartOut(BaseModel):
    seq: int
    evse_id: int
    source: str
    profiles: list[dict[str, Any]] = Field(description="the station's own ChargingProfiles")
    received_at: datetime


class ProfileReportOut(BaseModel):
    request_id: int
    complete: bool = Field(description="the last part (tbc false) has arrived")
    parts: list[ReportPartOut]


class ChargingProfilesOut(BaseModel):
    station_id: str
    installed: list[InstalledProfileOut] = Field(
        description="what csms believes the station holds: profiles it set and the station "
        "Accepted, minus those cleared and the TxProfiles of ended transactions")
    last_report: ProfileReportOut | None = Field(
        description="the station's own answer to the last get-charging-profiles (2.0.1)")


class ChargingLimitOut(BaseModel):
    evse_id: int = Field(description="0: the whole station")
    source: str = Field(description="EMS, Other, SO (system operator) or CSO")
    grid_critical: bool | None
    schedules: list[dict[str, Any]]
    received_at: datetime
    in_force_kw: float | None = Field(description="the limit now, from its schedules")


class EvScheduleOut(BaseModel):
    evse_id: int
    received_at: datetime
    notification: dict[str, Any] = Field(description="the NotifyEVChargingSchedule payload")


class ChargingLimitsOut(BaseModel):
    station_id: str
    limits: list[ChargingLimitOut]
    external_limit_kw: float | None = Field(
        description="the tightest station-wide (EVSE 0) external limit in force now")
    ev_schedules: list[EvScheduleOut]


class GetChargingProfiles(Strict):
    request_id: int | None = Field(None, ge=0, le=2**31 - 1,
                                   description="default: a fresh one, returned")
    evse_id: int | None = Field(None, ge=0, description="0: station-wide profiles only")
    purpose: Literal["tx", "tx_default", "station_max"] | None = None
    stack_level: int | None = Field(None, ge=0, le=999)
    ids: list[Annotated[int, Field(ge=0, le=2**31 - 1)]] | None = Field(
        None, min_length=1, max_length=100, description="charger-side profile ids")
    sources: list[Literal["EMS", "Other", "SO", "CSO"]] | None = Field(
        None, min_length=1, max_length=4)


class CostUpdated(Strict):
    """Tell a station a transaction's cost now (csms sends it itself every
    CSMS_COST_UPDATE_INTERVAL_S): 2.0.1 CostUpdated; 1.6 DataTransfer to `vendor_id`."""

    transaction_id: str = Field(min_length=1, max_length=36)
    total: float = Field(ge=0, le=1e9, description="in the station's configured currency")
    vendor_id: str | None = Field(None, min_length=1, max_length=255,
                                  description="OCPP 1.6 only, required there")
    final: bool = Field(False, description="OCPP 1.6: messageId FinalCost, else RunningCost")

