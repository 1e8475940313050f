"""Commands about who may charge where: reservations and the local authorization list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from csms.domain.commands.base import Command, Result, StatusResult, omitted_when_none


@dataclass(frozen=True, slots=True)
class ReserveNowResult(Result):
    reservation_id: int
    reason: str | None = omitted_when_none()


@dataclass(frozen=True)
class ReserveNow(Command[ReserveNowResult]):
    name = "reserve-now"
    result = ReserveNowResult
    id_token: str
    expires_at: datetime
    evse_id: int | None = None  # none or 0: any EVSE
    connector_id: int | None = None  # OCPP 1.6 only
    id_token_type: str | None = None  # OCPP 2.0.1; default ISO14443
    reservation_id: int | None = None  # default: a fresh one, returned
    group_id: str | None = None


@dataclass(frozen=True)
class CancelReservation(Command[StatusResult]):
    name = "cancel-reservation"
    result = StatusResult
    reservation_id: int


@dataclass(frozen=True, slots=True)
class LocalListEntry:
    """In a differential update an entry with neither status, expiry nor group removes the
    token; in a full list it is an Accepted token."""

    id_token: str
    id_token_type: str | None = None
    status: str | None = None
    expires_at: datetime | None = None
    group_id: str | None = None

    @property
    def is_removal(self) -> bool:
        return self.status is None and self.expires_at is None and self.group_id is None


@dataclass(frozen=True)
class SendLocalList(Command[StatusResult]):
    name = "send-local-list"
    result = StatusResult
    version: int
    update: str  # full, differential
    entries: tuple[LocalListEntry, ...] = ()

    @property
    def full(self) -> bool:
        return self.update == "full"


@dataclass(frozen=True, slots=True)
class LocalListVersionResult(Result):
    version: int


@dataclass(frozen=True)
class GetLocalListVersion(Command[LocalListVersionResult]):
    name = "get-local-list-version"
    result = LocalListVersionResult
