"""Protocols of the back office's storage: people, credentials, the audit log, and the
transaction queries behind lists, exports and statements."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

from csms.domain.model import Transaction
from csms.domain.people import AuditEntry, Credential, User

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class TransactionFilter:
    """`site_ids` None: every site; `start`/`end` bound `started_at` (end exclusive)."""

    station_id: str | None = None
    active: bool | None = None
    site_id: str | None = None
    id_token: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    site_ids: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class AuditFilter:
    start: datetime | None = None
    end: datetime | None = None
    actor: str | None = None
    station_id: str | None = None


@dataclass(frozen=True, slots=True)
class BilledTransaction:
    """A transaction with what a statement groups it by."""

    tx: Transaction
    site_id: str | None
    group_id: str | None


class PeopleRepo(Protocol):
    def user(self, username: str) -> User | None: ...
    def user_by_id(self, user_id: int) -> User | None: ...
    def users(self) -> list[User]: ...
    def add_user(self, username: str, password_hash: str, role: str,
                 site_ids: list[str] | None, at: datetime) -> User: ...
    def update_user(self, username: str, at: datetime, **fields: Any) -> bool: ...
    def delete_user(self, username: str) -> bool: ...
    def add_credential(self, credential: Credential, token_hash: str) -> None: ...
    def credential(self, token_hash: str) -> Credential | None: ...
    def credentials(self, kind: str) -> list[Credential]: ...
    def delete_credential(self, credential_id: str, kind: str) -> bool: ...
    def delete_expired(self, now: datetime) -> int: ...


class AuditRepo(Protocol):
    def add(self, at: datetime, actor: str, role: str | None, action: str, method: str | None,
            path: str | None, station_id: str | None, site_id: str | None, status_code: int,
            outcome: str | None, client: str | None) -> None: ...
    def search(self, f: AuditFilter, limit: int, offset: int) -> tuple[list[AuditEntry], int]: ...


class ReportRepo(Protocol):
    def transactions(
        self, f: TransactionFilter, limit: int, offset: int
    ) -> tuple[list[Transaction], int]:
        """One page, newest first, and the number of all that match."""
        ...
    def billed(self, f: TransactionFilter) -> list[BilledTransaction]: ...
    def site_of_transaction(self, transaction_id: str, station_id: str | None) -> list[str | None]:
        """The site of each station that has a transaction with this id."""
        ...


class OfficeUnitOfWork(Protocol):
    @property
    def people(self) -> PeopleRepo: ...
    @property
    def audit(self) -> AuditRepo: ...
    @property
    def reports(self) -> ReportRepo: ...


class OfficeDatabase(Protocol):
    async def write(self, work: Callable[[OfficeUnitOfWork], T]) -> T: ...
    async def read(self, work: Callable[[OfficeUnitOfWork], T]) -> T: ...
