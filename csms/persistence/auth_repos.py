"""Repositories of reservations, local-list states and availability requests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from csms.domain.availability import AvailabilityRequest
from csms.domain.local_lists import LocalListState
from csms.domain.reservations import Reservation, ReservationStatus
from csms.persistence import tables_auth as t


def _reservation(m: Any) -> Reservation:
    return Reservation(
        id=m["id"], station_id=m["station_id"], evse_id=m["evse_id"], id_token=m["id_token"],
        group_id=m["group_id"], expires_at=m["expires_at"],
        status=ReservationStatus(m["status"]), created_at=m["created_at"],
        transaction_id=m["transaction_id"], history=tuple(m["history"] or ()))


def _values(r: Reservation) -> dict[str, Any]:
    return {"station_id": r.station_id, "evse_id": r.evse_id, "id_token": r.id_token,
            "group_id": r.group_id, "expires_at": r.expires_at, "status": r.status.value,
            "transaction_id": r.transaction_id, "created_at": r.created_at,
            "history": list(r.history)}


class ReservationRepo:
    def __init__(self, conn: Connection) -> None:
        self._c = conn

    def add(self, r: Reservation) -> Reservation:
        values = _values(r) | ({"id": r.id} if r.id else {})
        result = self._c.execute(insert(t.reservations).values(**values))
        pk = result.inserted_primary_key
        return replace(r, id=int(pk[0])) if pk else r

    def get(self, reservation_id: int) -> Reservation | None:
        q = select(t.reservations).where(t.reservations.c.id == reservation_id)
        row = self._c.execute(q).first()
        return _reservation(row._mapping) if row else None

    def save(self, r: Reservation) -> None:
        self._c.execute(update(t.reservations).where(t.reservations.c.id == r.id)
                        .values(**_values(r)))

    def on_station(self, station_id: str, statuses: tuple[str, ...] | None = None
                   ) -> list[Reservation]:
        return self.search(station_id, statuses, 10_000, 0)

    def on_stations(self, station_ids: Sequence[str], statuses: tuple[str, ...]
                    ) -> list[Reservation]:
        c = t.reservations.c
        q = select(t.reservations).where(
            c.station_id.in_(list(station_ids)) & c.status.in_(statuses)).order_by(c.id.desc())
        return [_reservation(r._mapping) for r in self._c.execute(q)]

    def search(self, station_id: str | None, statuses: tuple[str, ...] | None,
               limit: int, offset: int) -> list[Reservation]:
        c = t.reservations.c
        q = select(t.reservations)
        if station_id is not None:
            q = q.where(c.station_id == station_id)
        if statuses is not None:
            q = q.where(c.status.in_(statuses))
        q = q.order_by(c.id.desc()).limit(limit).offset(offset)
        return [_reservation(r._mapping) for r in self._c.execute(q)]


class LocalListRepo:
    def __init__(self, conn: Connection) -> None:
        self._c = conn

    @staticmethod
    def _state(m: Any) -> LocalListState:
        return LocalListState(
            station_id=m["station_id"], version=m["version"], entries=dict(m["entries"] or {}),
            needs_full=m["needs_full"], last_status=m["last_status"],
            last_update=m["last_update"], last_error=m["last_error"], synced_at=m["synced_at"])

    def get(self, station_id: str) -> LocalListState | None:
        q = select(t.local_lists).where(t.local_lists.c.station_id == station_id)
        row = self._c.execute(q).first()
        return self._state(row._mapping) if row else None

    def put(self, state: LocalListState) -> None:
        c = t.local_lists.c
        self._c.execute(delete(t.local_lists).where(c.station_id == state.station_id))
        self._c.execute(insert(t.local_lists).values(
            station_id=state.station_id, version=state.version, entries=dict(state.entries),
            needs_full=state.needs_full, last_status=state.last_status,
            last_update=state.last_update, last_error=state.last_error,
            synced_at=state.synced_at))

    def enrolled(self) -> list[LocalListState]:
        q = select(t.local_lists).order_by(t.local_lists.c.station_id)
        return [self._state(r._mapping) for r in self._c.execute(q)]


class AvailabilityRepo:
    def __init__(self, conn: Connection) -> None:
        self._c = conn

    def put(self, req: AvailabilityRequest) -> None:
        c = t.availability.c
        self._c.execute(delete(t.availability).where(
            (c.station_id == req.station_id) & (c.evse_id == req.evse_id)
            & (c.connector_id == req.connector_id)))
        self._c.execute(insert(t.availability).values(
            station_id=req.station_id, evse_id=req.evse_id, connector_id=req.connector_id,
            operative=req.operative, status=req.status, requested_at=req.requested_at))

    def on_station(self, station_id: str) -> list[AvailabilityRequest]:
        c = t.availability.c
        q = select(t.availability).where(c.station_id == station_id).order_by(
            c.evse_id, c.connector_id)
        return [AvailabilityRequest(
            station_id=m["station_id"], evse_id=m["evse_id"], connector_id=m["connector_id"],
            operative=m["operative"], status=m["status"], requested_at=m["requested_at"])
            for m in (r._mapping for r in self._c.execute(q))]
