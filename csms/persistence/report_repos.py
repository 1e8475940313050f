"""Transaction queries for lists, exports and statements: filters, pages and totals."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Select, func, select

from csms.domain.model import Transaction
from csms.persistence import rows
from csms.persistence import tables as t
from csms.services.office.ports import BilledTransaction, TransactionFilter


def _filtered(query: Select[Any], f: TransactionFilter) -> Select[Any]:
    c = t.transactions.c
    if f.station_id is not None:
        query = query.where(c.station_id == f.station_id)
    if f.active is True:
        query = query.where(c.stopped_at.is_(None))
    elif f.active is False:
        query = query.where(c.stopped_at.is_not(None))
    if f.id_token is not None:
        query = query.where(c.id_token == f.id_token)
    if f.start is not None:
        query = query.where(c.started_at >= f.start)
    if f.end is not None:
        query = query.where(c.started_at < f.end)
    if f.site_id is not None or f.site_ids is not None:
        stations = select(t.stations.c.id)
        if f.site_id is not None:
            stations = stations.where(t.stations.c.site_id == f.site_id)
        if f.site_ids is not None:
            stations = stations.where(t.stations.c.site_id.in_(sorted(f.site_ids)))
        query = query.where(c.station_id.in_(stations))
    return query


class ReportRepo:
    def __init__(self, conn: Connection) -> None:
        self._c = conn

    def transactions(
        self, f: TransactionFilter, limit: int, offset: int
    ) -> tuple[list[Transaction], int]:
        c = t.transactions.c
        count = _filtered(select(func.count()).select_from(t.transactions), f)
        total = int(self._c.execute(count).scalar_one())
        q = _filtered(select(t.transactions), f).order_by(c.pk.desc()).limit(limit).offset(offset)
        return [rows.transaction(r) for r in self._c.execute(q)], total

    def billed(self, f: TransactionFilter) -> list[BilledTransaction]:
        c = t.transactions.c
        q = _filtered(
            select(t.transactions, t.stations.c.site_id.label("site_of_station"),
                   t.id_tokens.c.group_id.label("group_of_token"))
            .select_from(t.transactions
                         .outerjoin(t.stations, t.stations.c.id == c.station_id)
                         .outerjoin(t.id_tokens, t.id_tokens.c.id_token == c.id_token)),
            f).order_by(c.pk)
        return [BilledTransaction(rows.transaction(r), r.site_of_station, r.group_of_token)
                for r in self._c.execute(q)]

    def site_of_transaction(self, transaction_id: str, station_id: str | None) -> list[str | None]:
        c = t.transactions.c
        q = (select(t.stations.c.site_id)
             .select_from(t.transactions.join(t.stations, t.stations.c.id == c.station_id))
             .where(c.transaction_id == transaction_id))
        if station_id is not None:
            q = q.where(c.station_id == station_id)
        return [r.site_id for r in self._c.execute(q)]
