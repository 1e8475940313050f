"""Queries of green-energy accounting: a site's sessions, their registers, their green share."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import Connection, select, update

from csms.domain.model import Sample, Transaction
from csms.domain.units import ENERGY_REGISTER
from csms.persistence import meter_readings as readings
from csms.persistence import rows
from csms.persistence import tables as t

_CHUNK = 500  # bound parameters per IN (...) list, well under SQLite's limit


class AccountingRepo:
    def __init__(self, conn: Connection) -> None:
        self._c = conn

    def site_transactions(self, site_id: str, start: datetime, end: datetime) -> list[Transaction]:
        """Transactions at the site's stations that overlap [start, end)."""
        tx, st = t.transactions.c, t.stations.c
        q = (
            select(t.transactions)
            .join(t.stations, st.id == tx.station_id)
            .where((st.site_id == site_id) & (tx.started_at < end)
                   & (tx.stopped_at.is_(None) | (tx.stopped_at >= start)))
            .order_by(tx.pk)
        )
        return [rows.transaction(r) for r in self._c.execute(q)]

    def register_samples(self, transaction_pks: Sequence[int]) -> dict[int, list[Sample]]:
        """Energy register samples of these transactions, in meter-time order."""
        c = t.meter_readings.c
        out: dict[int, list[Sample]] = {pk: [] for pk in transaction_pks}
        pks = list(transaction_pks)
        for i in range(0, len(pks), _CHUNK):
            q = (select(c.transaction_pk, c.timestamp, c.samples)
                 .where(c.transaction_pk.in_(pks[i:i + _CHUNK]))
                 .order_by(c.transaction_pk, c.timestamp, c.id))
            for pk, at, text in self._c.execute(q):
                out[pk].extend(s for s in readings.unpack(at, text)
                               if s.measurand == ENERGY_REGISTER)
        return out

    def set_green(self, values: Mapping[int, float]) -> None:
        """Only the green column: a concurrent stop or meter value keeps its own columns."""
        c = t.transactions.c
        for pk, wh in values.items():
            self._c.execute(update(t.transactions).where(c.pk == pk).values(green_energy_wh=wh))
