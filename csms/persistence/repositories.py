"""Repositories over one Connection; they return domain objects, never rows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Connection,
    Text,
    bindparam,
    cast,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from csms.domain.model import BootInfo, ConnectorState, IdToken, Sample, Station, Transaction
from csms.persistence import meter_readings as readings
from csms.persistence import rows
from csms.persistence import tables as t

_TOUCH = (update(t.stations).where(t.stations.c.id == bindparam("b_id"))
          .values(last_seen=bindparam("b_at")))


class StationRepo:
    def __init__(self, conn: Connection) -> None:
        self._c = conn

    def get(self, station_id: str) -> Station | None:
        r = (self._c.execute(select(t.stations).where(t.stations.c.id == station_id))).first()
        return rows.station(r) if r else None

    def many(self, station_ids: Sequence[str]) -> list[Station]:
        q = select(t.stations).where(t.stations.c.id.in_(list(station_ids)))
        return [rows.station(r) for r in self._c.execute(q)]

    def all(self) -> list[Station]:
        res = self._c.execute(select(t.stations).order_by(t.stations.c.id))
        return [rows.station(r) for r in res]

    def on_site(self, site_id: str) -> list[Station]:
        q = select(t.stations).where(t.stations.c.site_id == site_id).order_by(t.stations.c.id)
        return [rows.station(r) for r in self._c.execute(q)]

    def add(self, station: Station) -> None:
        self._c.execute(
            insert(t.stations).values(
                id=station.id,
                password_hash=station.password_hash,
                site_id=station.site_id,
                description=station.description,
                registration_status=station.registration_status.value,
                created_at=station.created_at,
                security_profile=int(station.security_profile),
            )
        )

    def update(self, station_id: str, **fields: Any) -> bool:
        if not fields:
            return self.get(station_id) is not None
        res = self._c.execute(
            update(t.stations).where(t.stations.c.id == station_id).values(**fields)
        )
        return bool(res.rowcount)

    def delete(self, station_id: str) -> bool:
        res = self._c.execute(delete(t.stations).where(t.stations.c.id == station_id))
        return bool(res.rowcount)

    def record_boot(self, station_id: str, info: BootInfo, status: str, at: datetime) -> None:
        self._c.execute(
            insert(t.boot_history).values(
                station_id=station_id,
                at=at,
                reason=info.reason,
                vendor=info.vendor,
                model=info.model,
                serial_number=info.serial_number,
                firmware_version=info.firmware_version,
                status=status,
            )
        )

    def set_connector(self, state: ConnectorState) -> bool:
        c = t.connectors.c
        key = (
            (c.station_id == state.station_id)
            & (c.evse_id == state.evse_id)
            & (c.connector_id == state.connector_id)
        )
        old = (self._c.execute(select(c.status, c.error_code).where(key))).first()
        values = {"status": state.status, "error_code": state.error_code,
                  "updated_at": state.updated_at}
        if old is None:
            self._c.execute(
                insert(t.connectors).values(
                    station_id=state.station_id, evse_id=state.evse_id,
                    connector_id=state.connector_id, **values,
                )
            )
        else:
            self._c.execute(update(t.connectors).where(key).values(**values))
        self._c.execute(
            insert(t.status_history).values(
                station_id=state.station_id, evse_id=state.evse_id,
                connector_id=state.connector_id, status=state.status,
                error_code=state.error_code, at=state.updated_at,
            )
        )
        return old is None or (old.status, old.error_code) != (state.status, state.error_code)

    def connectors(self, station_ids: Sequence[str]) -> list[ConnectorState]:
        c = t.connectors.c
        res = self._c.execute(
            select(t.connectors)
            .where(c.station_id.in_(list(station_ids)))
            .order_by(c.station_id, c.evse_id, c.connector_id)
        )
        return [rows.connector(r) for r in res]

    def touch(self, seen: dict[str, datetime]) -> None:
        if seen:
            self._c.execute(_TOUCH, [{"b_id": sid, "b_at": at} for sid, at in seen.items()])


class TokenRepo:
    def __init__(self, conn: Connection) -> None:
        self._c = conn

    def get(self, id_token: str) -> IdToken | None:
        q = select(t.id_tokens).where(t.id_tokens.c.id_token == id_token)
        r = (self._c.execute(q)).first()
        return rows.id_token(r) if r else None

    def all(self) -> list[IdToken]:
        res = self._c.execute(select(t.id_tokens).order_by(t.id_tokens.c.id_token))
        return [rows.id_token(r) for r in res]

    def add(self, token: IdToken) -> None:
        self._c.execute(
            insert(t.id_tokens).values(
                id_token=token.id_token, status=token.status.value, expires_at=token.expires_at,
                group_id=token.group_id, member=token.member,
                created_at=datetime.now(UTC),
            )
        )

    def update(self, id_token: str, **fields: Any) -> bool:
        q = update(t.id_tokens).where(t.id_tokens.c.id_token == id_token).values(**fields)
        return bool((self._c.execute(q)).rowcount)

    def delete(self, id_token: str) -> bool:
        q = delete(t.id_tokens).where(t.id_tokens.c.id_token == id_token)
        return bool((self._c.execute(q)).rowcount)


class TransactionRepo:
    def __init__(self, conn: Connection) -> None:
        self._c = conn

    def _one(self, where: Any) -> Transaction | None:
        q = select(t.transactions).where(where).order_by(t.transactions.c.pk.desc()).limit(1)
        r = (self._c.execute(q)).first()
        return rows.transaction(r) if r else None

    def find(self, station_id: str, transaction_id: str) -> Transaction | None:
        c = t.transactions.c
        return self._one((c.station_id == station_id) & (c.transaction_id == transaction_id))

    def by_pk(self, pk: int) -> Transaction | None:
        return self._one(t.transactions.c.pk == pk)

    def by_id(self, transaction_id: str) -> Transaction | None:
        return self._one(t.transactions.c.transaction_id == transaction_id)

    def active_on(
        self, station_id: str, evse_id: int | None = None
    ) -> list[Transaction]:
        c = t.transactions.c
        where = (c.station_id == station_id) & c.stopped_at.is_(None)
        if evse_id is not None:
            where &= c.evse_id == evse_id
        res = self._c.execute(select(t.transactions).where(where).order_by(c.pk))
        return [rows.transaction(r) for r in res]

    def active_for(self, station_ids: Sequence[str]) -> list[Transaction]:
        c = t.transactions.c
        q = select(t.transactions).where(
            c.station_id.in_(list(station_ids)) & c.stopped_at.is_(None)).order_by(c.pk)
        return [rows.transaction(r) for r in self._c.execute(q)]

    def latest_sample(self, transaction_pk: int, measurand: str) -> Sample | None:
        """The newest sample of `measurand` (the total, no phase): newest readings first, a
        few at a time, since most readings carry it."""
        c = t.meter_readings.c
        q = (select(c.timestamp, c.samples).where(c.transaction_pk == transaction_pk)
             .order_by(c.timestamp.desc(), c.id.desc()))
        offset, page = 0, 8
        while True:
            got = self._c.execute(q.limit(page).offset(offset)).all()
            for at, text in got:
                sample = readings.find(at, text, measurand)
                if sample is not None:
                    return sample
            if len(got) < page:
                return None
            offset, page = offset + page, page * 4

    def search(
        self,
        station_id: str | None = None,
        active: bool | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[Transaction]:
        c = t.transactions.c
        q = select(t.transactions)
        if station_id is not None:
            q = q.where(c.station_id == station_id)
        if active is True:
            q = q.where(c.stopped_at.is_(None))
        elif active is False:
            q = q.where(c.stopped_at.is_not(None))
        q = q.order_by(c.pk.desc()).limit(limit).offset(offset)
        return [rows.transaction(r) for r in self._c.execute(q)]

    def add(self, tx: Transaction, allocate_id: bool) -> Transaction:
        values = rows.transaction_values(tx)
        if allocate_id:
            values["transaction_id"] = f"pending-{tx.station_id}-{tx.started_at.timestamp()}"
        res = self._c.execute(insert(t.transactions).values(**values).returning(
            t.transactions.c.pk))
        pk = int(res.scalar_one())
        if allocate_id:
            self._c.execute(
                update(t.transactions).where(t.transactions.c.pk == pk)
                .values(transaction_id=str(pk))
            )
            values["transaction_id"] = str(pk)
        return Transaction(pk=pk, **values)

    def max_pk(self) -> int:
        return int(self._c.execute(select(func.max(t.transactions.c.pk))).scalar() or 0)

    def save(self, tx: Transaction) -> None:
        self._c.execute(
            update(t.transactions).where(t.transactions.c.pk == tx.pk)
            .values(**rows.transaction_values(tx))
        )

    def samples(self, transaction_pk: int) -> list[Sample]:
        c = t.meter_readings.c
        q = (select(c.timestamp, c.samples).where(c.transaction_pk == transaction_pk)
             .order_by(c.timestamp, c.id))
        return [s for at, text in self._c.execute(q) for s in readings.unpack(at, text)]


class StationEventRepo:
    def __init__(self, conn: Connection) -> None:
        self._c = conn

    def add(self, station_id: str, kind: str, at: datetime, data: dict[str, Any]) -> None:
        self._c.execute(
            insert(t.station_events).values(station_id=station_id, kind=kind, at=at, data=data)
        )

    def recent(
        self, station_id: str, kind: str | None = None, limit: int = 100
    ) -> list[tuple[str, datetime, dict[str, Any]]]:
        c = t.station_events.c
        q = select(c.kind, c.at, c.data).where(c.station_id == station_id)
        if kind is not None:
            q = q.where(c.kind == kind)
        q = q.order_by(c.id.desc()).limit(limit)
        return [(r.kind, r.at, r.data) for r in self._c.execute(q)]


class KeyValueRepo:
    def __init__(self, conn: Connection) -> None:
        self._c = conn

    def get(self, key: str) -> str | None:
        r = (self._c.execute(select(t.kv.c.value).where(t.kv.c.key == key))).first()
        return str(r.value) if r else None

    def put(self, key: str, value: str) -> None:
        if self.get(key) is None:
            self._c.execute(insert(t.kv).values(key=key, value=value))
        else:
            self._c.execute(update(t.kv).where(t.kv.c.key == key).values(value=value))


    def reserve(self, key: str, count: int, floor: Callable[[], int]) -> int:
        c = t.kv.c
        if self.get(key) is None:
            ins = (postgresql.insert if self._c.dialect.name == "postgresql" else sqlite.insert)
            self._c.execute(ins(t.kv).values(key=key, value=str(floor()))
                            .on_conflict_do_nothing(index_elements=["key"]))
        # One UPDATE: on PostgreSQL its row lock orders concurrent reservations of two nodes.
        top = self._c.execute(
            update(t.kv).where(c.key == key)
            .values(value=cast(cast(c.value, BigInteger) + count, Text))
            .returning(c.value)).scalar_one()
        return int(top) - count


