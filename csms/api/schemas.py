"""Request and response bodies: the public shapes of CONTRACT.md (additions only)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from csms.api.errors import has_non_finite
from csms.domain.model import AuthStatus, RegistrationStatus

# Printable, no '/' (it is a path segment in the API and the OCPP URL), no whitespace.
StationId = Field(min_length=1, max_length=48, pattern=r"^[^/\s\x00-\x1f\x7f]+$")
# An id token has no surrounding whitespace and no control characters.
TOKEN_PATTERN = r"^[^\s\x00-\x1f\x7f](?:[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f])?$"


def _utc(value: datetime) -> datetime:
    """A time without a zone is UTC (CONTRACT.md: all times UTC); with one, it is converted."""
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if value.year < 1970:
        raise ValueError("times before 1970 are not supported")
    return value


UtcDateTime = Annotated[datetime, AfterValidator(_utc)]


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, float):
        return False
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


class Strict(BaseModel):
    """Request bodies: unknown fields are refused, and so are NUL characters (PostgreSQL
    cannot store them) and NaN or infinities (Python's JSON parser lets them in)."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if _has_nul(value):
            raise ValueError("NUL characters are not allowed")
        if has_non_finite(value):
            raise ValueError("NaN and infinite numbers are not JSON")
        return value


SecurityProfileNumber = Literal[0, 1, 2, 3]
_PROFILE = ("OCPP security profile the station must connect with: 0 none (insecure: anyone "
            "who knows the id is admitted), 1 Basic auth over ws:// or wss://, 2 Basic auth over "
            "wss:// only, 3 TLS client certificate naming the station. A handshake below it is "
            "refused (docs/adr/0012-station-security-profiles.md).")


class StationIn(Strict):
    id: str = StationId
    password: str | None = Field(None, min_length=8, max_length=64)
    site_id: str | None = Field(None, max_length=64)
    description: str | None = Field(None, max_length=1000)
    security_profile: SecurityProfileNumber | None = Field(
        None, description=_PROFILE + " Default: 1 with a password, 0 without; 1 and 2 need a "
        "password.")


class StationPatch(Strict):
    password: str | None = Field(None, min_length=8, max_length=64,
                                 description="null removes the password")
    site_id: str | None = Field(None, max_length=64)
    description: str | None = Field(None, max_length=1000)
    registration_status: RegistrationStatus | None = Field(
        None, description="what the next BootNotification is answered with")
    security_profile: SecurityProfileNumber | None = Field(
        None, description=_PROFILE + " Not given (or null): unchanged, except that a password "
        "set on a station of profile 0 makes it 1 and a password removed from one of profile 1 "
        "or 2 makes it 0. A raised profile closes the station's open connection.")


class ConnectorOut(BaseModel):
    connector_id: int
    status: str
    error_code: str | None
    updated_at: datetime | None = None


class EvseOut(BaseModel):
    evse_id: int
    connectors: list[ConnectorOut]


class ViolationOut(BaseModel):
    at: datetime
    action: str
    path: str
    message: str
    outcome: Literal["repaired", "refused"]


class StationOut(BaseModel):
    id: str
    connected: bool
    protocol: str | None
    vendor: str | None
    model: str | None
    serial_number: str | None
    firmware_version: str | None
    last_seen: datetime | None
    last_boot_at: datetime | None
    site_id: str | None
    description: str | None
    registration_status: RegistrationStatus
    charging_control: str = Field(
        "managed", description="managed: csms plans its power; unmanaged: it refused or ignored "
        "profiles, so its maximum is reserved in the site budget")
    charging_control_reason: str | None = None
    security_profile: int = Field(0, description=_PROFILE)
    insecure: bool = Field(
        False, description="true at security profile 0: the station is admitted without any "
        "credentials")
    evses: list[EvseOut]
    # smart charging: what the charger said it can do (GET /stations/{id} only; null: unknown)
    smart_charging: dict[str, Any] | None = Field(
        default=None, description="rate_units, max_periods, max_stack_level, evse_max_kw, "
        "probed_at")
    violations: list[ViolationOut] | None = Field(
        default=None, description="GET /stations/{id} only: the newest schema violations the "
        "station sent, repaired (lenient profile) or refused; null when none are kept; all of "
        "them: /stations/{id}/violations")


# What a stored token can say (CONTRACT.md); Unknown and ConcurrentTx are answers, not records.
StoredAuthStatus = Literal["Accepted", "Blocked", "Expired", "Invalid"]


class IdTokenIn(Strict):
    id_token: str = Field(min_length=1, max_length=36, pattern=TOKEN_PATTERN)
    status: StoredAuthStatus = "Accepted"
    expires_at: UtcDateTime | None = None
    group_id: str | None = Field(None, max_length=36)
    member: str | None = Field(None, max_length=255)


class IdTokenPatch(Strict):
    status: StoredAuthStatus | None = None
    expires_at: UtcDateTime | None = None
    group_id: str | None = Field(None, max_length=36)
    member: str | None = Field(None, max_length=255)


class IdTokenOut(BaseModel):
    id_token: str
    status: AuthStatus
    expires_at: datetime | None
    group_id: str | None
    member: str | None


class CostOut(BaseModel):
    """The session's cost from its tariff: so far while it runs, final once stopped (it follows
    the green accounting, which settles right after the stop)."""

    total: float = Field(description="sum of the breakdown's amounts, in currency units")
    currency: str
    final: bool = Field(description="the transaction has stopped")
    breakdown: dict[str, Any] = Field(
        description="tariff_id, session_fee, and time {minutes}, energy {kwh}, green_energy "
        "{kwh}, each with unit_price and amount (energy is the non-green part)")


class TransactionOut(BaseModel):
    id: str
    station_id: str
    evse_id: int
    connector_id: int
    id_token: str | None
    started_at: datetime
    stopped_at: datetime | None
    meter_start_wh: float | None
    meter_stop_wh: float | None
    energy_wh: float
    green_energy_wh: float
    stop_reason: str | None
    active: bool
    offline: bool
    # tariffs and cost; null when no tariff applied at the session's start
    cost: CostOut | None = None


class SampleOut(BaseModel):
    timestamp: datetime
    measurand: str
    value: float
    unit: str | None
    si_value: float | None
    phase: str | None
    location: str | None
    context: str | None


class ReportOut(BaseModel):
    kind: str
    at: datetime
    data: dict[str, Any]


class MessageOut(BaseModel):
    at: datetime
    direction: Literal["in", "out"]
    frame: str
