"""Reservations: create (ReserveNow), list, cancel (CancelReservation), expire, and the hooks
that make Authorize and transaction starts honour them (csms.domain.reservations decides).

The reservation row is written before ReserveNow leaves, so its id is the reservationId and a
crash between the two leaves a Requested row that simply expires; the station's reply then
sets its status. A reply that never comes (timeout) leaves it Requested: the station may hold
it or not, and csms does not honour an unconfirmed reservation.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from csms.clock import Clock
from csms.domain import reservations as rules
from csms.domain.commands.authorization import CancelReservation, ReserveNow
from csms.domain.errors import Conflict, DomainError, InvalidInput, NotFound, StationTimeout
from csms.domain.events import ReservationChanged
from csms.domain.model import AuthResult, AuthStatus
from csms.domain.reservations import Reservation, ReservationStatus
from csms.services.commands import CommandService
from csms.services.ports import Database, UnitOfWork

log = logging.getLogger(__name__)

_OPEN = (ReservationStatus.REQUESTED.value, ReservationStatus.ACCEPTED.value)


def _save(uow: UnitOfWork, r: Reservation) -> None:
    uow.reservations.save(r)
    uow.publish(ReservationChanged.of(r))


# --- rules for Authorize and transaction starts, over the station's held reservations -------

def authorize_here(
    held: list[Reservation], evse_ids: list[int], station_id: str, id_token: str,
    auth: AuthResult, now: datetime,
) -> AuthResult:
    """An Accepted token is Invalid at a station reserved (as a whole, or every EVSE of it)
    for others."""
    if auth.status != AuthStatus.ACCEPTED or not held:
        return auth
    if rules.may_authorize(held, evse_ids, id_token, auth.group_id, now):
        return auth
    log.info("token %s refused: station reserved for others", id_token,
             extra={"station_id": station_id})
    return AuthResult(AuthStatus.INVALID, auth.expires_at, auth.group_id)


def honour_at_start(
    held: list[Reservation], station_id: str, evse_id: int, id_token: str, auth: AuthResult,
    now: datetime, reservation_id: int | None = None, transaction_id: str | None = None,
) -> tuple[AuthResult, Callable[[UnitOfWork], None] | None]:
    """A transaction started by `id_token` on `evse_id`: the holder's reservation becomes
    Used (the returned work stores that); anyone else on a reserved EVSE gets Invalid (the
    transaction is still recorded: the station started it, and Invalid makes it stop)."""
    if not held:
        return auth, None
    verdict = rules.check_start(held, evse_id, id_token, auth.group_id, now, reservation_id)
    if not verdict.allowed:
        log.info("token %s refused on reserved EVSE %d", id_token, evse_id,
                 extra={"station_id": station_id})
        return AuthResult(AuthStatus.INVALID, auth.expires_at, auth.group_id), None
    if verdict.used is None or auth.status != AuthStatus.ACCEPTED:
        return auth, None
    used = rules.with_status(verdict.used, ReservationStatus.USED, now,
                             f"transaction {transaction_id}", transaction_id=transaction_id)
    return auth, lambda uow: _save(uow, used)


class ReservationService:
    def __init__(self, db: Database, clock: Clock, commands: CommandService) -> None:
        self._db = db
        self._clock = clock
        self._commands = commands

    async def create(self, station_id: str, evse_id: int, id_token: str,
                     group_id: str | None, expires_at: datetime) -> Reservation:
        now = self._clock.now()
        if expires_at <= now:
            raise InvalidInput("expires_at must be in the future")
        await self._commands.reachable(station_id)
        draft = Reservation(0, station_id, evse_id, id_token, group_id, expires_at,
                            ReservationStatus.REQUESTED, now)
        draft = rules.with_status(draft, ReservationStatus.REQUESTED, now)
        r = await self._db.write(lambda uow: uow.reservations.add(draft))
        command = ReserveNow(id_token, expires_at, evse_id=evse_id, reservation_id=r.id,
                             group_id=group_id)
        try:
            reply = await self._commands.send(station_id, command)
        except StationTimeout:
            await self._note(r.id, None, "no reply from the station")
            raise
        except DomainError as e:
            await self._note(r.id, ReservationStatus.REJECTED, str(e))
            raise
        try:
            status = ReservationStatus(reply.status)
        except ValueError:
            status = ReservationStatus.REJECTED
        return await self._note(r.id, status, reply.reason)

    async def _note(self, reservation_id: int, status: ReservationStatus | None,
                    note: str | None) -> Reservation:
        now = self._clock.now()

        def work(uow: UnitOfWork) -> Reservation:
            r = uow.reservations.get(reservation_id)
            if r is None:
                raise NotFound(f"reservation {reservation_id} not found")
            if r.status != ReservationStatus.REQUESTED:  # Used or updated meanwhile
                return r
            r = rules.with_status(r, status or r.status, now, note)
            _save(uow, r)
            return r

        return await self._db.write(work)

    async def get(self, reservation_id: int) -> Reservation:
        r = await self._db.read(lambda uow: uow.reservations.get(reservation_id))
        if r is None:
            raise NotFound(f"reservation {reservation_id} not found")
        return self.view(r)

    def view(self, r: Reservation) -> Reservation:
        """As the API shows it: past its expiry it is Expired, written down or not."""
        status = rules.effective_status(r, self._clock.now())
        return r if status == r.status else rules.with_status(r, status, r.expires_at)

    async def search(self, station_id: str | None, active: bool | None,
                     limit: int = 100, offset: int = 0) -> list[Reservation]:
        statuses = _OPEN if active else None
        found = await self._db.read(
            lambda uow: uow.reservations.search(station_id, statuses, limit, offset))
        views = [self.view(r) for r in found]
        if active is None:
            return views
        return [r for r in views if (r.status.value in _OPEN) == active]

    async def cancel(self, reservation_id: int) -> Reservation:
        r = await self.get(reservation_id)
        if r.status not in (ReservationStatus.ACCEPTED, ReservationStatus.REQUESTED):
            raise Conflict(f"reservation {reservation_id} is {r.status.value}, not active")
        reply = await self._commands.send(r.station_id, CancelReservation(r.id))
        # Rejected: the station does not hold it (any more); either way it is gone.
        note = "cancelled" if reply.status == "Accepted" else \
            f"station answered {reply.status}: it did not hold the reservation"
        return await self._close(r.id, ReservationStatus.CANCELLED, note)

    async def _close(self, reservation_id: int, status: ReservationStatus, note: str
                     ) -> Reservation:
        now = self._clock.now()

        def work(uow: UnitOfWork) -> Reservation:
            r = uow.reservations.get(reservation_id)
            if r is None:
                raise NotFound(f"reservation {reservation_id} not found")
            if r.status.value in _OPEN:
                r = rules.with_status(r, status, now, note)
                _save(uow, r)
            return r

        return await self._db.write(work)

    async def station_update(self, station_id: str, reservation_id: int,
                             status: ReservationStatus, said: str,
                             as_sent: dict[str, Any]) -> None:
        """The station expired or removed a reservation (`status`); `said` is its own word for
        it, in the reservation's note; `as_sent` its message, stored as its report."""
        now = self._clock.now()

        def work(uow: UnitOfWork) -> None:
            uow.station_events.add(station_id, "ReservationStatusUpdate", now, as_sent)
            r = uow.reservations.get(reservation_id)
            if r is None or r.station_id != station_id or r.status.value not in _OPEN:
                return
            _save(uow, rules.with_status(r, status, now, f"station: {said}"))

        await self._db.write(work)

    async def expire_due(self) -> int:
        """Write down the expiry of open reservations past their time (the worker's job)."""
        now = self._clock.now()

        def work(uow: UnitOfWork) -> int:
            due = [r for r in uow.reservations.search(None, _OPEN, 10_000, 0)
                   if r.expires_at <= now]
            for r in due:
                _save(uow, rules.with_status(r, ReservationStatus.EXPIRED, now, "expired"))
            return len(due)

        return await self._db.write(work)
