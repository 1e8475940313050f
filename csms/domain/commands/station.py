"""Commands that act on a station as a whole or on one of its connectors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from csms.domain.commands.base import Command, Result, StatusResult, omitted_when_none


@dataclass(frozen=True, slots=True)
class RemoteStartResult(Result):
    reason: str | None = omitted_when_none()
    remote_start_id: int | None = omitted_when_none()  # 2.0.1: what its events will carry
    transaction_id: str | None = omitted_when_none()  # 2.0.1: when the station already has one


@dataclass(frozen=True)
class RemoteStart(Command[RemoteStartResult]):
    name = "remote-start"
    result = RemoteStartResult
    id_token: str
    evse_id: int | None = None
    connector_id: int | None = None
    charging_profile: dict[str, Any] | None = None  # the station's own JSON, passed through


@dataclass(frozen=True)
class RemoteStop(Command[StatusResult]):
    name = "remote-stop"
    result = StatusResult
    transaction_id: str


@dataclass(frozen=True)
class Reset(Command[StatusResult]):
    name = "reset"
    result = StatusResult
    type: Literal["soft", "hard"] = "soft"


@dataclass(frozen=True)
class Unlock(Command[StatusResult]):
    name = "unlock"
    result = StatusResult
    connector_id: int
    evse_id: int | None = None


@dataclass(frozen=True)
class ChangeAvailability(Command[StatusResult]):
    name = "change-availability"
    result = StatusResult
    operative: bool
    evse_id: int | None = None
    connector_id: int | None = None


@dataclass(frozen=True)
class ClearCache(Command[StatusResult]):
    name = "clear-cache"
    result = StatusResult


@dataclass(frozen=True, slots=True)
class DataTransferResult(Result):
    reason: str | None = omitted_when_none()
    data: Any = None


@dataclass(frozen=True)
class DataTransfer(Command[DataTransferResult]):
    name = "data-transfer"
    result = DataTransferResult
    vendor_id: str
    message_id: str | None = None
    data: Any = None
