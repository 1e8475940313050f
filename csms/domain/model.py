"""Frozen value objects shared by every layer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from csms.domain.evolve import quick_init
from csms.domain.security import SecurityProfile


class AuthStatus(StrEnum):
    """Authorization outcomes; the union of what 1.6 and 2.0.1 can say."""

    ACCEPTED = "Accepted"
    BLOCKED = "Blocked"
    EXPIRED = "Expired"
    INVALID = "Invalid"
    CONCURRENT_TX = "ConcurrentTx"
    UNKNOWN = "Unknown"


class RegistrationStatus(StrEnum):
    ACCEPTED = "Accepted"
    PENDING = "Pending"
    REJECTED = "Rejected"


@dataclass(frozen=True, slots=True)
class Station:
    id: str
    password_hash: str | None = None
    site_id: str | None = None
    description: str | None = None
    registration_status: RegistrationStatus = RegistrationStatus.ACCEPTED
    protocol: str | None = None
    vendor: str | None = None
    model: str | None = None
    serial_number: str | None = None
    firmware_version: str | None = None
    last_seen: datetime | None = None
    last_boot_at: datetime | None = None
    created_at: datetime | None = None
    charging_control: str = "managed"
    charging_control_reason: str | None = None
    security_profile: SecurityProfile = SecurityProfile.NONE


@dataclass(frozen=True, slots=True)
class BootInfo:
    """What a station says about itself in BootNotification, in either version."""

    vendor: str
    model: str
    serial_number: str | None = None
    firmware_version: str | None = None
    reason: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class BootDecision:
    status: RegistrationStatus
    interval_s: int
    current_time: datetime


@quick_init
@dataclass(frozen=True, slots=True)
class ConnectorState:
    station_id: str
    evse_id: int
    connector_id: int
    status: str
    error_code: str | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class IdToken:
    id_token: str
    status: AuthStatus = AuthStatus.ACCEPTED
    expires_at: datetime | None = None
    group_id: str | None = None
    member: str | None = None


@quick_init
@dataclass(frozen=True, slots=True)
class AuthResult:
    status: AuthStatus
    expires_at: datetime | None = None
    group_id: str | None = None


@quick_init
@dataclass(frozen=True, slots=True)
class Sample:
    """One sampled value, as measured; `si_value` is normalised (Wh, W, A, V, %)."""

    timestamp: datetime
    measurand: str
    value: float
    unit: str | None = None
    si_value: float | None = None
    phase: str | None = None
    location: str | None = None
    context: str | None = None


@quick_init
@dataclass(frozen=True, slots=True)
class Transaction:
    pk: int
    station_id: str
    transaction_id: str
    evse_id: int
    connector_id: int
    id_token: str | None
    started_at: datetime
    stopped_at: datetime | None = None
    meter_start_wh: float | None = None
    meter_stop_wh: float | None = None
    energy_wh: float = 0.0
    green_energy_wh: float = 0.0
    stop_reason: str | None = None
    first_register_wh: float | None = None
    first_register_at: datetime | None = None
    last_register_wh: float | None = None
    last_register_at: datetime | None = None
    interval_energy_wh: float = 0.0
    seq_no: int | None = None
    seq_seen: str | None = None  # the event seqNos already applied, as ranges ("0-41,43")
    remote_start_id: int | None = None
    offline: bool = False

    @property
    def active(self) -> bool:
        return self.stopped_at is None


@dataclass(frozen=True, slots=True)
class GuardFailure:
    """The first time the site's import was measured above its limit for two intervals in a
    row while it declared a local guard (csms.domain.grid_import): the run's start and its
    highest mean import."""

    at: datetime
    import_kw: float

    def describe(self, limit_kw: float) -> str:
        return (f"the site's local guard did not keep the import within its {limit_kw:g} kW "
                f"limit: {self.import_kw:.1f} kW measured for 30 minutes from "
                f"{self.at.isoformat()}")


@dataclass(frozen=True, slots=True)
class Site:
    """A grid connection point with its limit; stations and green sources belong to it."""

    id: str
    name: str
    grid_limit_kw: float
    latitude: float | None = None
    longitude: float | None = None
    timezone: str | None = None
    created_at: datetime | None = None
    # smart charging: defaults for sessions without preferences (None: the settings decide)
    default_dwell_h: float | None = None
    default_energy_kwh: float | None = None
    default_mode: str | None = None
    # a controller at the connection point curtails the chargers within seconds when the
    # import exceeds the limit (an inverter trip): only then may plans count on firm green
    local_guard: bool = False
    guard_since: datetime | None = None  # when it was declared: the import is judged from then
    guard_failure: GuardFailure | None = None  # measured not to act: until declared again

    @property
    def guard_trusted(self) -> bool:
        """Whether plans may count on the local guard: declared, and not seen failing since."""
        return self.local_guard and self.guard_failure is None


@dataclass(frozen=True, slots=True)
class GreenSource:
    """A solar park feeding a site: behind its meter (`on_site`) or elsewhere on the grid."""

    site_id: str
    id: str
    kind: str
    peak_kw: float
    tilt_deg: float = 30.0
    azimuth_deg: float = 180.0
    on_site: bool = True
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Reading:
    timestamp: datetime
    power_kw: float


@dataclass(frozen=True, slots=True)
class SourceForecast:
    """A source's expected output from a weather-based forecast (a provider's, the grid
    operator's, the co-operative's own): `power_kw[i]` is the mean over the slot from
    `start + i * slot_minutes`. `issued_at`: when it was made; `received_at`: when csms got it.
    `origin`: who gave it: "api" (someone through the API) or the weather provider csms
    fetched it from (CSMS_FORECAST_PROVIDER).
    """

    site_id: str
    source_id: str
    start: datetime
    slot_minutes: int
    power_kw: tuple[float, ...]
    issued_at: datetime
    received_at: datetime
    origin: str = "api"

    @property
    def end(self) -> datetime:
        return self.start + timedelta(minutes=self.slot_minutes * len(self.power_kw))


@dataclass(frozen=True, slots=True)
class ForecastFetch:
    """How csms's last attempt to fetch a source's forecast from the weather provider went.
    `error` is None when it succeeded; `failing_since` is the first attempt of the failures
    that run up to `checked_at` (None when it succeeded); `ok_at`: the last success."""

    site_id: str
    source_id: str
    provider: str
    checked_at: datetime
    error: str | None = None
    failing_since: datetime | None = None
    ok_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Preferences:
    """What the driver wants from a session; `defaulted` when csms assumed it."""

    departure_at: datetime | None = None
    energy_wh: float | None = None
    mode: str = "green"
    defaulted: bool = False
