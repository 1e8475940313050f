"""Domain events: what a commit made true, published after it, past tense, one class each.

Each event type carries what its subscribers need (the planner, accounting, costs, the
local-list sync, the stations' state in memory, the API's event stream), so none of them
re-reads the database for it. `name` is the type's stable name: the event stream's `event:`
line and the cluster relay's tag. `to_json` gives the fields as the event stream has always
shown them (`data:` is `station_id` plus these); `event_from_json` rebuilds the event on
another node. `station_id` is "" for events about no station (id tokens, sites, defaults).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, ClassVar, TypeVar

from csms.domain.model import Transaction
from csms.domain.reservations import Reservation


class BadEvent(ValueError):
    """An event name or its fields that no event type of this version knows."""


@dataclass(frozen=True, slots=True)
class Event:
    station_id: str

    name: ClassVar[str] = ""
    _json_fields: ClassVar[tuple[str, ...]] = ()
    _datetimes: ClassVar[frozenset[str]] = frozenset()
    _setters: ClassVar[tuple[Callable[[Any, Any], None], ...]] = ()

    @property
    def type(self) -> str:
        return self.name

    def to_json(self) -> dict[str, Any]:
        """The fields but `station_id`, JSON-ready (timestamps as ISO 8601)."""
        out: dict[str, Any] = {}
        for key in self._json_fields:
            value = getattr(self, key)
            out[key] = value.isoformat() if isinstance(value, datetime) else value
        return out

    @classmethod
    def from_json(cls, station_id: str, data: dict[str, Any]) -> Event:
        values = {k: (datetime.fromisoformat(v) if k in cls._datetimes and isinstance(v, str)
                      else v) for k, v in data.items() if k in cls._json_fields}
        return cls(station_id, **values)


E = TypeVar("E", bound=Event)
_TYPES: dict[str, type[Event]] = {}


def typed(cls: type[E]) -> type[E]:
    """Class decorator over @dataclass: registers the type under its name and notes the
    fields to serialise, once per type."""
    names = tuple(f.name for f in fields(cls) if f.name != "station_id")  # type: ignore[arg-type]
    cls._json_fields = names
    cls._datetimes = frozenset(f.name for f in fields(cls)  # type: ignore[arg-type]
                               if "datetime" in str(f.type))
    # The slots' own setters: what the frozen __init__ does, at half its cost (see `of`).
    cls._setters = tuple(getattr(cls, f.name).__set__ for f in fields(cls))  # type: ignore[arg-type]
    assert cls.name and cls.name not in _TYPES, cls
    _TYPES[cls.name] = cls
    return cls


def event_from_json(name: str, station_id: str, data: dict[str, Any]) -> Event:
    cls = _TYPES.get(name)
    if cls is None:
        raise BadEvent(f"unknown event type {name!r}")
    try:
        return cls.from_json(station_id, data)
    except (TypeError, ValueError) as e:
        raise BadEvent(f"{name}: {e}") from e


def event_types() -> dict[str, type[Event]]:
    return dict(_TYPES)


# --- stations ------------------------------------------------------------------------------

@typed
@dataclass(frozen=True, slots=True)
class StationConnected(Event):
    name: ClassVar[str] = "station.connected"
    protocol: str
    site_id: str | None


@typed
@dataclass(frozen=True, slots=True)
class StationDisconnected(Event):
    name: ClassVar[str] = "station.disconnected"


@typed
@dataclass(frozen=True, slots=True)
class StationBooted(Event):
    name: ClassVar[str] = "station.booted"
    status: str
    vendor: str
    model: str
    firmware_version: str | None
    reason: str | None
    site_id: str | None


@typed
@dataclass(frozen=True, slots=True)
class ConnectorStatusChanged(Event):
    name: ClassVar[str] = "status.changed"
    evse_id: int
    connector_id: int
    status: str
    error_code: str | None


@typed
@dataclass(frozen=True, slots=True)
class SecurityEventReceived(Event):
    name: ClassVar[str] = "station.security_event"
    event_type: str  # the station's name for it ("type" on the wire)
    timestamp: datetime
    tech_info: str | None

    def to_json(self) -> dict[str, Any]:
        return {"type": self.event_type, "timestamp": self.timestamp.isoformat(),
                "tech_info": self.tech_info}

    @classmethod
    def from_json(cls, station_id: str, data: dict[str, Any]) -> Event:
        return cls(station_id, data["type"], datetime.fromisoformat(data["timestamp"]),
                   data.get("tech_info"))


@typed
@dataclass(frozen=True, slots=True)
class CapabilitiesProbed(Event):
    name: ClassVar[str] = "station.charging_capabilities"
    smart_charging: bool | None
    rate_units: list[str]
    max_periods: int | None


@typed
@dataclass(frozen=True, slots=True)
class DeviceReportCompleted(Event):
    name: ClassVar[str] = "device.report_completed"
    request_id: int
    kind: str
    parts: int


@typed
@dataclass(frozen=True, slots=True)
class DeviceEventsNotified(Event):
    name: ClassVar[str] = "device.events"
    count: int


@typed
@dataclass(frozen=True, slots=True)
class StationMeteringSet(Event):
    """The station answered the metering settings its site's policy asks for."""

    name: ClassVar[str] = "station.metering_set"
    policy_site_id: str | None
    policy_version: int
    settings: dict[str, str]  # setting -> the station's answer


# --- transactions --------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class TransactionEvent(Event):
    """The transaction as committed; `id` is the station's transaction id."""

    id: str
    evse_id: int
    connector_id: int
    energy_wh: float
    id_token: str | None
    stopped_at: datetime | None
    stop_reason: str | None

    @classmethod
    def of(cls: type[T], tx: Transaction) -> T:
        """Built for every transaction message: the frozen dataclass __init__ (one
        object.__setattr__ per field) would make it dearer than the dict it replaced."""
        event = object.__new__(cls)
        s0, s1, s2, s3, s4, s5, s6, s7 = cls._setters
        s0(event, tx.station_id)
        s1(event, tx.transaction_id)
        s2(event, tx.evse_id)
        s3(event, tx.connector_id)
        s4(event, tx.energy_wh)
        s5(event, tx.id_token)
        s6(event, tx.stopped_at)
        s7(event, tx.stop_reason)
        return event

    @property
    def transaction_id(self) -> str:
        return self.id


T = TypeVar("T", bound=TransactionEvent)


@typed
@dataclass(frozen=True, slots=True)
class TransactionStarted(TransactionEvent):
    name: ClassVar[str] = "transaction.started"


@typed
@dataclass(frozen=True, slots=True)
class TransactionUpdated(TransactionEvent):
    """New meter values or details of a running transaction (or late ones of an ended one)."""

    name: ClassVar[str] = "transaction.updated"


@typed
@dataclass(frozen=True, slots=True)
class TransactionStopped(TransactionEvent):
    name: ClassVar[str] = "transaction.stopped"


@typed
@dataclass(frozen=True, slots=True)
class PreferencesChanged(Event):
    """A driver's or car's wishes for a running transaction (`id`) changed."""

    name: ClassVar[str] = "transaction.preferences_changed"
    id: str
    mode: str | None = None

    def to_json(self) -> dict[str, Any]:
        # As before: the mode only when a driver set one through the API.
        return {"id": self.id} if self.mode is None else {"id": self.id, "mode": self.mode}


# --- reservations, id tokens, sites, defaults ----------------------------------------------

@typed
@dataclass(frozen=True, slots=True)
class ReservationChanged(Event):
    name: ClassVar[str] = "reservation.changed"
    id: int
    evse_id: int | None
    id_token: str
    status: str
    transaction_id: str | None

    @classmethod
    def of(cls, r: Reservation) -> ReservationChanged:
        return cls(r.station_id, r.id, r.evse_id, r.id_token, r.status.value, r.transaction_id)


@typed
@dataclass(frozen=True, slots=True)
class IdTokensChanged(Event):
    name: ClassVar[str] = "id_tokens.changed"
    id_token: str


@typed
@dataclass(frozen=True, slots=True)
class SiteChanged(Event):
    name: ClassVar[str] = "site.changed"
    site_id: str


@typed
@dataclass(frozen=True, slots=True)
class ReadingsAdded(Event):
    name: ClassVar[str] = "site.readings_added"
    site_id: str
    source_id: str


@typed
@dataclass(frozen=True, slots=True)
class ForecastPosted(Event):
    """A source's weather-based forecast was given or withdrawn: the site is re-planned."""

    name: ClassVar[str] = "site.forecast_posted"
    site_id: str
    source_id: str


@typed
@dataclass(frozen=True, slots=True)
class GuardFailed(Event):
    """The site's import was measured above its limit for 30 minutes although it declared a
    local guard: its plans count on the guard no more (csms.domain.grid_import)."""

    name: ClassVar[str] = "site.guard_failed"
    site_id: str
    at: datetime
    import_kw: float
    limit_kw: float


@typed
@dataclass(frozen=True, slots=True)
class ChargingDefaultsChanged(Event):
    name: ClassVar[str] = "charging_defaults.changed"
    group_id: str


@typed
@dataclass(frozen=True, slots=True)
class MeteringPolicyChanged(Event):
    name: ClassVar[str] = "site.metering_policy_changed"
    site_id: str
    version: int
