"""Protocols the services depend on; persistence and the OCPP edge implement them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any, Protocol, TypeVar

from csms.domain.events import Event
from csms.domain.model import (
    BootInfo,
    ConnectorState,
    IdToken,
    Sample,
    Station,
    Transaction,
)

T = TypeVar("T")


class StationRepo(Protocol):
    async def get(self, station_id: str) -> Station | None: ...
    async def all(self) -> list[Station]: ...
    async def add(self, station: Station) -> None: ...
    async def update(self, station_id: str, **fields: Any) -> bool: ...
    async def delete(self, station_id: str) -> bool: ...
    async def record_boot(
        self, station_id: str, info: BootInfo, status: str, at: datetime
    ) -> None: ...
    async def set_connector(self, state: ConnectorState) -> bool:
        """Store the state; True when it differs from what was stored."""
        ...
    async def connectors(self, station_ids: Sequence[str]) -> list[ConnectorState]: ...
    async def touch(self, seen: dict[str, datetime]) -> None: ...


class TokenRepo(Protocol):
    async def get(self, id_token: str) -> IdToken | None: ...
    async def all(self) -> list[IdToken]: ...
    async def add(self, token: IdToken) -> None: ...
    async def update(self, id_token: str, **fields: Any) -> bool: ...
    async def delete(self, id_token: str) -> bool: ...


class TransactionRepo(Protocol):
    async def find(self, station_id: str, transaction_id: str) -> Transaction | None: ...
    async def by_pk(self, pk: int) -> Transaction | None: ...
    async def by_id(self, transaction_id: str) -> Transaction | None: ...
    async def active_on(self, station_id: str, evse_id: int | None = None) -> list[Transaction]: ...
    async def search(
        self,
        station_id: str | None = None,
        active: bool | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[Transaction]: ...
    async def add(self, tx: Transaction, allocate_id: bool) -> Transaction:
        """Insert; with allocate_id the transaction id is the new primary key (OCPP 1.6)."""
        ...
    async def save(self, tx: Transaction) -> None: ...
    async def add_samples(
        self,
        station_id: str,
        evse_id: int,
        connector_id: int | None,
        transaction_pk: int | None,
        samples: Sequence[Sample],
    ) -> None: ...
    async def samples(self, transaction_pk: int) -> list[Sample]: ...


class StationEventRepo(Protocol):
    """Append-only station reports: security events, firmware/log status, reports, ..."""

    async def add(self, station_id: str, kind: str, at: datetime, data: dict[str, Any]) -> None: ...
    async def recent(
        self, station_id: str, kind: str | None = None, limit: int = 100
    ) -> list[tuple[str, datetime, dict[str, Any]]]: ...


class KeyValueRepo(Protocol):
    async def get(self, key: str) -> str | None: ...
    async def put(self, key: str, value: str) -> None: ...


class MessageRepo(Protocol):
    async def append(self, entries: list[tuple[str, datetime, str, str]], keep: int) -> None:
        """Store (station_id, at, direction, frame) rows, keeping the newest `keep` per station."""
        ...
    async def recent(
        self, station_id: str, limit: int = 100
    ) -> list[tuple[datetime, str, str]]: ...


class UnitOfWork(Protocol):
    stations: StationRepo
    tokens: TokenRepo
    transactions: TransactionRepo
    station_events: StationEventRepo
    kv: KeyValueRepo
    messages: MessageRepo

    def publish(self, event: Event) -> None:
        """Queue an event; it is delivered only if this unit of work commits."""
        ...


class Database(Protocol):
    async def write(self, work: Callable[[UnitOfWork], Awaitable[T]]) -> T:
        """Run `work` in a transaction; return only after it is committed."""
        ...

    async def read(self, work: Callable[[UnitOfWork], Awaitable[T]]) -> T: ...


class EventSink(Protocol):
    def publish(self, event: Event) -> None: ...


class StationGateway(Protocol):
    """Reaches connected stations, whatever process holds their socket."""

    def is_connected(self, station_id: str) -> bool: ...
    def protocol_of(self, station_id: str) -> str | None: ...
    async def call(
        self, station_id: str, action: str, payload: dict[str, Any], timeout: float | None = None
    ) -> dict[str, Any]:
        """Send a raw call in the station's own version; raises StationOffline/Timeout/CallError."""
        ...
    async def command(
        self, station_id: str, name: str, args: dict[str, Any], timeout: float | None = None
    ) -> dict[str, Any]:
        """Run a version-agnostic command; the edge translates it to the station's version."""
        ...
