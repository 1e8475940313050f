"""Reservation rules: which reservations are active, and who may use a reserved EVSE.

A reservation holds one EVSE of a station (or, with EVSE 0, the whole station) for one id
token or any token of its group until it expires. The station enforces it too; csms applies
the same rule where it answers (Authorize, transaction start) so a station that forgets, or
a token presented while the station cannot tell, is refused consistently.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any


class ReservationStatus(StrEnum):
    REQUESTED = "Requested"  # ReserveNow sent, no reply (yet)
    ACCEPTED = "Accepted"
    REJECTED = "Rejected"
    OCCUPIED = "Occupied"
    FAULTED = "Faulted"
    UNAVAILABLE = "Unavailable"
    CANCELLED = "Cancelled"
    EXPIRED = "Expired"
    USED = "Used"


# What a station may answer to ReserveNow (both versions).
REPLIES = frozenset({ReservationStatus.ACCEPTED, ReservationStatus.REJECTED,
                     ReservationStatus.OCCUPIED, ReservationStatus.FAULTED,
                     ReservationStatus.UNAVAILABLE})


@dataclass(frozen=True, slots=True)
class Reservation:
    id: int
    station_id: str
    evse_id: int  # 0: any EVSE of the station
    id_token: str
    group_id: str | None
    expires_at: datetime
    status: ReservationStatus
    created_at: datetime
    transaction_id: str | None = None
    history: tuple[dict[str, Any], ...] = ()


def effective_status(r: Reservation, now: datetime) -> ReservationStatus:
    """An Accepted (or unanswered) reservation past its expiry is Expired, even before the
    expiry worker has written it down."""
    if r.status in (ReservationStatus.ACCEPTED, ReservationStatus.REQUESTED) and \
            r.expires_at <= now:
        return ReservationStatus.EXPIRED
    return r.status


def is_active(r: Reservation, now: datetime) -> bool:
    return effective_status(r, now) == ReservationStatus.ACCEPTED


def with_status(
    r: Reservation, status: ReservationStatus, at: datetime, note: str | None = None,
    **changes: Any,
) -> Reservation:
    """The reservation in a new status, with the change appended to its history."""
    entry: dict[str, Any] = {"at": at.isoformat(), "status": status.value}
    if note:
        entry["note"] = note
    return replace(r, status=status, history=(*r.history, entry), **changes)


def held_by(r: Reservation, id_token: str, group_id: str | None) -> bool:
    """The reservation's own token, or any token of its group (1.6 parentIdTag, 2.0.1
    groupIdToken), may use it."""
    if id_token == r.id_token:
        return True
    return r.group_id is not None and (group_id == r.group_id or id_token == r.group_id)


@dataclass(frozen=True, slots=True)
class StartVerdict:
    allowed: bool
    used: Reservation | None = None  # the reservation this start consumes


def check_start(
    reservations: Iterable[Reservation],
    evse_id: int,
    id_token: str,
    group_id: str | None,
    now: datetime,
    reservation_id: int | None = None,
) -> StartVerdict:
    """May `id_token` start on `evse_id`? An EVSE reserved for someone else, or a station
    with an EVSE-0 reservation for someone else, refuses it; the holder consumes its
    reservation (the one the station named, else the EVSE's own before an EVSE-0 one)."""
    active = [r for r in reservations if is_active(r, now)]
    if reservation_id is not None:
        for r in active:
            if r.id == reservation_id:
                return StartVerdict(True, r) if held_by(r, id_token, group_id) \
                    else StartVerdict(False)
    relevant = [r for r in active if r.evse_id in (0, evse_id)]
    mine = [r for r in relevant if held_by(r, id_token, group_id)]
    if mine:
        mine.sort(key=lambda r: (r.evse_id == 0, r.expires_at))
        return StartVerdict(True, mine[0])
    return StartVerdict(not relevant)


def may_authorize(
    reservations: Iterable[Reservation],
    evse_ids: Sequence[int],
    id_token: str,
    group_id: str | None,
    now: datetime,
) -> bool:
    """Authorize names no EVSE (either version): refuse only when the token could start
    nowhere, i.e. the station is reserved for others as a whole (EVSE 0) or every known EVSE
    is; a holder of any active reservation may always authorize."""
    active = [r for r in reservations if is_active(r, now)]
    if any(held_by(r, id_token, group_id) for r in active):
        return True
    if any(r.evse_id == 0 for r in active):
        return False
    reserved = {r.evse_id for r in active}
    known = {e for e in evse_ids if e > 0}
    return not (known and known <= reserved)
