"""Protocols every room of the services depends on; persistence and the OCPP edge implement them.

The unit of work names every room's repositories, so it imports each room's `ports`; a room's
own repository protocols live in its `ports` module, next to the services that use them. Here
stay what all rooms share: the database and its unit of work, the station gateway, the event
sink, station reports, counters, the frame log, and what cluster mode provides."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol, TypeVar

from csms.domain.commands import Command, Result
from csms.domain.events import Event
from csms.domain.records import Record
from csms.domain.security import SecurityEvent
from csms.services.authorization.ports import LocalListRepo, ReservationRepo, TokenRepo
from csms.services.billing.ports import BillingRepo  # tariffs
from csms.services.devices.ports import AvailabilityRepo, DeviceRepo, StationSetupRepo
from csms.services.files.ports import JobRepo, UploadRepo  # firmware and log jobs, uploads
from csms.services.security.ports import SecurityRepo  # CA, issued certificates
from csms.services.sites.ports import AccountingRepo, SiteRepo
from csms.services.smart.ports import (  # smart charging
    CapabilityRepo,
    ChargingStateRepo,
    GroupDefaultsRepo,
    PreferenceRepo,
)
from csms.services.stations.ports import StationRepo
from csms.services.transactions.ports import TransactionRepo

T = TypeVar("T")
R = TypeVar("R", bound=Result)


class StationEventRepo(Protocol):
    """Append-only station reports: security events, firmware/log status, reports, ..."""

    def add(self, station_id: str, kind: str, at: datetime, data: dict[str, Any]) -> None: ...
    def recent(
        self, station_id: str, kind: str | None = None, limit: int = 100
    ) -> list[tuple[str, datetime, dict[str, Any]]]: ...


class SecurityEventForm(Protocol):
    """Security events are kept as a station sends them (its SecurityEventNotification, listed
    raw among its reports), csms's own (refused handshakes, wrong passwords) in the same form.
    That form is OCPP's: the OCPP edge reads and writes it."""

    def read(self, at: datetime, data: Mapping[str, Any]) -> SecurityEvent:
        """The event of a kept notification; `at` is when it happened (as stored)."""
        ...

    def render(self, event: SecurityEvent) -> dict[str, Any]:
        """csms's own event, in the form a station's would be kept."""
        ...


class KeyValueRepo(Protocol):
    def get(self, key: str) -> str | None: ...
    def put(self, key: str, value: str) -> None: ...
    def reserve(self, key: str, count: int, floor: Callable[[], int]) -> int:
        """Advance the counter `key` by `count` atomically (across processes) and return the
        first number reserved; a missing counter starts at `floor()`."""
        ...


# A frame of the message log: (microseconds since the epoch, "in" or "out", the frame)
LoggedFrame = tuple[int, str, str]


class MessageRepo(Protocol):
    def append(self, stations: Mapping[str, Sequence[LoggedFrame]], keep: int,
               trim: Collection[str]) -> None:
        """Store each station's frames (oldest first); cut the stations in `trim` back to
        their newest `keep`."""
        ...
    def recent(
        self, station_id: str, limit: int = 100
    ) -> list[tuple[datetime, str, str]]: ...


class UnitOfWork(Protocol):
    @property
    def stations(self) -> StationRepo: ...
    @property
    def tokens(self) -> TokenRepo: ...
    @property
    def transactions(self) -> TransactionRepo: ...
    @property
    def station_events(self) -> StationEventRepo: ...
    @property
    def kv(self) -> KeyValueRepo: ...
    @property
    def messages(self) -> MessageRepo: ...
    @property
    def sites(self) -> SiteRepo: ...
    @property
    def preferences(self) -> PreferenceRepo: ...
    @property
    def accounting(self) -> AccountingRepo: ...
    # device model: variables, monitors, events, display messages
    @property
    def device(self) -> DeviceRepo: ...
    # smart charging
    @property
    def charging_capabilities(self) -> CapabilityRepo: ...
    @property
    def group_defaults(self) -> GroupDefaultsRepo: ...
    # reservations, local lists, availability
    @property
    def reservations(self) -> ReservationRepo: ...
    @property
    def local_lists(self) -> LocalListRepo: ...
    @property
    def availability(self) -> AvailabilityRepo: ...
    # tariffs bound to transactions; what stations hold (profiles, limits)
    @property
    def billing(self) -> BillingRepo: ...
    @property
    def charging_state(self) -> ChargingStateRepo: ...
    # firmware and log jobs, uploaded files
    @property
    def jobs(self) -> JobRepo: ...
    @property
    def uploads(self) -> UploadRepo: ...
    # security: the CA and the certificates it issued
    @property
    def security(self) -> SecurityRepo: ...
    @property
    def station_setup(self) -> StationSetupRepo: ...  # metering set on boot

    def publish(self, event: Event) -> None:
        """Queue an event; it is delivered only if this unit of work commits."""
        ...


class Database(Protocol):
    async def write(self, work: Callable[[UnitOfWork], T]) -> T:
        """Run `work` (synchronous, no I/O but the unit of work) in a transaction that may be
        shared with other writes; return only after it is committed."""
        ...

    async def append(self, records: Sequence[Record], events: Sequence[Event] = (),
                     work: Callable[[UnitOfWork], Any] | None = None) -> None:
        """Store typed records (and run `work`) in the next group commit; return after it.
        Reads nothing: the hot path's way to make what it decided in memory durable."""
        ...

    async def read(self, work: Callable[[UnitOfWork], T]) -> T: ...


class EventSink(Protocol):
    def publish(self, event: Event) -> None: ...


class StationGateway(Protocol):
    """Reaches connected stations, whatever process holds their socket."""

    def is_connected(self, station_id: str) -> bool: ...
    def protocol_of(self, station_id: str) -> str | None: ...
    async def disconnect(self, station_id: str, reason: str) -> None:
        """Close the station's connection, if it has one."""
        ...
    async def call(
        self, station_id: str, action: str, payload: dict[str, Any], timeout: float | None = None
    ) -> dict[str, Any]:
        """Send a raw call in the station's own version; raises StationOffline/Timeout/CallError."""
        ...
    async def send(
        self, station_id: str, command: Command[R], timeout: float | None = None
    ) -> R:
        """Run a typed command; the edge builds the station's call and parses its reply.
        Raises StationOffline/Timeout/CallError/BadReply, InvalidInput for what the station's
        version cannot express."""
        ...


# --- cluster mode: what the services and the OCPP edge need from the other nodes ----------
class StationPresence(Protocol):
    """Which node holds which station's socket, cluster-wide (the OCPP registry reports to it)."""

    async def claimed(self, station_id: str, protocol: str) -> None:
        """A socket for the station was accepted here; an older one elsewhere is closed."""
        ...
    def released(self, station_id: str) -> None:
        """The station's socket here closed (not replaced); forget that this node holds it."""
        ...
    def held_elsewhere(self, station_id: str) -> bool: ...


class PlanningLease(Protocol):
    """Lets one node at a time plan a site."""

    async def hold(self, site_id: str) -> bool:
        """True while this node may plan the site; takes the site when no node holds it."""
        ...
    def when_gained(self, callback: Callable[[str], None]) -> None:
        """Call `callback(site_id)` when a site this node asked for becomes its own later."""
        ...
