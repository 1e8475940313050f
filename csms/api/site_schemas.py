"""Bodies of the green-energy routes: sites, sources, readings, preferences, plan, energy."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Identifier = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def known_zone(value: str | None) -> str | None:
    if value is not None:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as e:
            raise ValueError(f"unknown time zone {value!r}") from e
    return value


_GUARD = ("a controller at the connection point curtails the chargers within seconds when the "
          "import exceeds the limit: only then do plans load above the limit on the firm share "
          "of on-site green")


class SiteIn(Strict):
    id: str = Identifier
    name: str = Field(min_length=1, max_length=255)
    grid_limit_kw: float = Field(gt=0, le=100_000, description="import limit at the connection")
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    timezone: str | None = Field(None, max_length=64, examples=["Europe/Sofia"])
    # smart charging: defaults for sessions without preferences (a token group's win)
    default_dwell_h: float | None = Field(None, gt=0, le=168, description="assumed stay")
    default_energy_kwh: float | None = Field(None, gt=0, le=500, description="assumed need")
    default_mode: Literal["green", "fast"] | None = None
    local_guard: bool = Field(False, description=_GUARD)

    _zone = field_validator("timezone")(known_zone)


class SitePatch(Strict):
    name: str | None = Field(None, min_length=1, max_length=255)
    grid_limit_kw: float | None = Field(None, gt=0, le=100_000)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    timezone: str | None = Field(None, max_length=64)
    # smart charging: null removes the site's default (the settings apply)
    default_dwell_h: float | None = Field(None, gt=0, le=168)
    default_energy_kwh: float | None = Field(None, gt=0, le=500)
    default_mode: Literal["green", "fast"] | None = None
    local_guard: bool | None = Field(None, description=_GUARD)

    _zone = field_validator("timezone")(known_zone)


class GuardFailureOut(BaseModel):
    at: datetime = Field(description="the start of the first 30 minutes above the limit")
    import_kw: float = Field(description="the highest 15-minute mean import in them: the "
                             "chargers' registers less the on-site sources' readings")


class SiteOut(BaseModel):
    id: str
    name: str
    grid_limit_kw: float
    latitude: float | None
    longitude: float | None
    timezone: str | None
    created_at: datetime | None
    # smart charging
    default_dwell_h: float | None = None
    default_energy_kwh: float | None = None
    default_mode: str | None = None
    local_guard: bool = False
    guard_since: datetime | None = Field(
        None, description="when the local guard was declared: csms checks the import it "
        "measures against the limit from then on")
    guard_failure: GuardFailureOut | None = Field(
        None, description="the import measured above the limit for 30 minutes despite the "
        "guard: plans count on no green above the limit until local_guard is set true again")


class SourceIn(Strict):
    id: str = Identifier
    kind: Literal["solar"] = "solar"
    name: str | None = Field(None, max_length=255)
    peak_kw: float = Field(gt=0, le=1_000_000)
    tilt_deg: float = Field(30.0, ge=0, le=90)
    azimuth_deg: float = Field(180.0, ge=0, lt=360, description="180 = facing south")
    on_site: bool = Field(True, description="behind the site's meter (false: a remote park)")


class ForecastFetchOut(BaseModel):
    """How csms's last fetch of the source's forecast from the weather provider went."""

    provider: str
    checked_at: datetime = Field(description="the last attempt")
    ok: bool
    error: str | None = Field(None, description="why the last attempt gave no forecast")
    failing_since: datetime | None = Field(
        None, description="the first of the failed attempts up to the last one")
    ok_at: datetime | None = Field(None, description="the last attempt that gave one")


class SourceOut(SourceIn):
    site_id: str
    forecast_fetch: ForecastFetchOut | None = Field(
        None, description="with CSMS_FORECAST_PROVIDER set, how the last fetch of this "
        "source's forecast went (null: none yet, or no provider)")


class ReadingIn(Strict):
    timestamp: datetime
    power_kw: float = Field(ge=0, le=1_000_000)

    @field_validator("timestamp")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("timestamp needs a time zone (e.g. a trailing Z)")
        return value


class ReadingsAccepted(BaseModel):
    stored: int


def aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError("needs a time zone (e.g. a trailing Z)")
    return value


FORECAST_DAYS = 7  # what providers give ahead; csms plans 72 h at most
Kw = Annotated[float, Field(ge=0, le=1_000_000, allow_inf_nan=False)]


class ForecastIn(Strict):
    start: datetime = Field(description="start of the first slot")
    slot_minutes: int = Field(15, ge=1, le=60, description="a divisor of 60")
    power_kw: list[Kw] = Field(min_length=1, max_length=FORECAST_DAYS * 24 * 60,
                               description="expected mean output per slot, kW")
    issued_at: datetime | None = Field(None, description="when the forecast was made "
                                       "(default: when csms receives it)")

    _aware = field_validator("start", "issued_at")(aware)

    @model_validator(mode="after")
    def _grid(self) -> ForecastIn:
        if 60 % self.slot_minutes:
            raise ValueError("slot_minutes must divide 60 (1, 5, 10, 15, 30, 60, ...)")
        if len(self.power_kw) * self.slot_minutes > FORECAST_DAYS * 24 * 60:
            raise ValueError(f"a forecast may cover {FORECAST_DAYS} days at most")
        return self


class ForecastOut(BaseModel):
    site_id: str
    source_id: str
    start: datetime
    end: datetime
    slot_minutes: int
    power_kw: list[float]
    issued_at: datetime
    received_at: datetime
    origin: str = Field(description='"api" (given through the API) or the weather provider '
                        "csms fetched it from (CSMS_FORECAST_PROVIDER)")
