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


@dataclass(frozen=True)
class TriggerMessage(Command[StatusResult]):
    """Ask the station to send one of its messages now (the 1.6 or the 2.0.1 name)."""

    name = "trigger-message"
    result = StatusResult
    message: str
    evse_id: int | None = None
    connector_id: int | None = None


@dataclass(frozen=True, slots=True)
class TransactionStatusResult(Result):
    messages_in_queue: bool
    ongoing: bool | None = None


@dataclass(frozen=True)
class GetTransactionStatus(Command[TransactionStatusResult]):
    """Whether the station still holds queued messages (for one transaction, if given)."""

    name = "get-transaction-status"
    result = TransactionStatusResult
    transaction_id: str | None = None


@dataclass(frozen=True, slots=True)
class CustomerInformationResult(Result):
    request_id: int
    reason: str | None = omitted_when_none()


@dataclass(frozen=True)
class CustomerInformation(Command[CustomerInformationResult]):
    """Ask the station to report and/or clear what it keeps about one customer; the answer
    comes as NotifyCustomerInformation, stored as a station report."""

    name = "customer-information"
    result = CustomerInformationResult
    request_id: int | None = None
    report: bool = True
    clear: bool = False
    customer_identifier: str | None = None
    id_token: str | None = None
    id_token_type: str = "ISO14443"
