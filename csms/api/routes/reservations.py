"""Reservations: create (ReserveNow), list, look at, cancel (CancelReservation)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from csms.api.access import Who, ensure_station_visible
from csms.api.auth_schemas import ReservationIn, ReservationOut
from csms.api.deps import Db, Reservations, Stations
from csms.domain.errors import NotFound
from csms.domain.reservations import Reservation, ReservationStatus

router = APIRouter(tags=["reservations"])

ReservationId = Annotated[int, Path(ge=0, le=2**31 - 1)]
_OPEN = (ReservationStatus.REQUESTED, ReservationStatus.ACCEPTED)
_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"description": "unknown station or reservation"},
    409: {"description": "station offline, or the reservation is no longer active"},
    502: {"description": "the station answered with a CALLERROR"},
    504: {"description": "the station did not answer in time"},
}


def reservation_out(r: Reservation) -> ReservationOut:
    return ReservationOut(
        id=r.id, station_id=r.station_id, evse_id=r.evse_id, id_token=r.id_token,
        group_id=r.group_id, expires_at=r.expires_at, status=r.status.value,
        active=r.status in _OPEN, transaction_id=r.transaction_id, created_at=r.created_at,
        history=list(r.history))


@router.post("/reservations", status_code=201, responses=_RESPONSES)
async def create_reservation(body: ReservationIn, db: Db, reservations: Reservations, who: Who
                            ) -> ReservationOut:
    """Sends ReserveNow and records the outcome; the reply's status is the reservation's
    (Accepted, or Rejected / Occupied / Faulted / Unavailable, still recorded)."""
    await ensure_station_visible(db, who, body.station_id)
    r = await reservations.create(body.station_id, body.evse_id, body.id_token,
                                      body.group_id, body.expires_at)
    return reservation_out(r)


@router.get("/reservations")
async def list_reservations(
    reservations: Reservations,
    stations: Stations,
    who: Who,
    station_id: Annotated[str | None, Query(max_length=48)] = None,
    active: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> list[ReservationOut]:
    found = await reservations.search(station_id, active, limit, offset)
    if who.site_ids is not None:  # a scoped reader's page may come out short
        sites = {s.id: s.site_id for s in (v.station for v in await stations.all())}
        found = [r for r in found if who.sees_site(sites.get(r.station_id))]
    return [reservation_out(r) for r in found]


@router.get("/reservations/{reservation_id}", responses=_RESPONSES)
async def get_reservation(reservation_id: ReservationId, reservations: Reservations, db: Db,
                          who: Who) -> ReservationOut:
    return reservation_out(await _visible(reservations, db, who, reservation_id))


async def _visible(reservations: Reservations, db: Db, who: Who, reservation_id: int
                   ) -> Reservation:
    found = await reservations.get(reservation_id)
    try:
        await ensure_station_visible(db, who, found.station_id)
    except NotFound:
        raise NotFound(f"reservation {reservation_id} not found") from None
    return found


@router.delete("/reservations/{reservation_id}", responses=_RESPONSES)
async def cancel_reservation(reservation_id: ReservationId, reservations: Reservations, db: Db,
                             who: Who) -> ReservationOut:
    """Sends CancelReservation; 409 when the reservation is no longer active."""
    await _visible(reservations, db, who, reservation_id)
    return reservation_out(await reservations.cancel(reservation_id))
