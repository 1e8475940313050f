"""Meter values: appended to a journal with the reply, filed by transaction a little later.

A station's meter values are confirmed only once committed, so they are written in the
commit the reply waits for. Written straight into `meter_values`, each message also put an
entry into the table's index by transaction: with a thousand stations charging, every
message of a group commit landed in a different leaf of that index, and each leaf is a page
written to the WAL and synced. On the capacity benchmark (OCPP 1.6, SQLite) that index was
the largest single cost of a message: without it csms answered 6,750 messages/s, with it
4,750. So the hot path appends to `meter_value_journal`, which has no index (its rows share
the batch's last pages), and `file` moves the journal into `meter_values` in bulk, off the
reply path: one statement, in arrival order, each leaf written once per filing instead of
once per message.

Readers see both tables in one statement (`union`), so a sample is readable the moment its
reply is sent, before and after filing, and a filing (insert and delete in one transaction)
is never seen half done. After `kill -9` the journal is simply filed later: nothing in it is
lost or doubled.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Connection,
    Row,
    Select,
    Table,
    delete,
    func,
    insert,
    literal,
    select,
)

from csms.domain.model import Sample
from csms.persistence import rows
from csms.persistence import tables as t

_FILED, _JOURNAL = t.meter_values, t.meter_value_journal
_KEYS = [c.key for c in _JOURNAL.c if c.key != "id"]


def union(where: Callable[[Table], ColumnElement[bool]]) -> CompoundSelect[Any]:
    """Every sample matching `where(table)`, filed or not, with `part` (0 filed, 1 in the
    journal) so that callers can order samples of one time as they arrived: what was filed
    came before what is still in the journal, and ids grow in arrival order within each."""
    parts: list[Select[Any]] = [
        select(*table.c, literal(n).label("part")).where(where(table))
        for n, table in enumerate((_FILED, _JOURNAL))]
    return parts[0].union_all(parts[1])


def arrival_order(u: CompoundSelect[Any], *first: str) -> list[ColumnElement[Any]]:
    """Order by the given columns of the union, then as the samples arrived."""
    c = u.selected_columns
    return [*(c[name] for name in first), c.part, c.id]


def file(conn: Connection, limit: int) -> int:
    """Move up to `limit` of the oldest journal rows into `meter_values`; how many moved."""
    j = _JOURNAL.c
    last = conn.execute(select(j.id).order_by(j.id).offset(limit - 1).limit(1)).scalar()
    if last is None:
        last = conn.execute(select(func.max(j.id))).scalar()
        if last is None:
            return 0
    conn.execute(insert(_FILED).from_select(
        _KEYS, select(*(j[k] for k in _KEYS)).where(j.id <= last).order_by(j.id)))
    return int(conn.execute(delete(_JOURNAL).where(j.id <= last)).rowcount)


def journal_size(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(_JOURNAL)).scalar_one())


_CHUNK = 500  # bound parameters per IN (...) list, well under SQLite's limit


def latest(conn: Connection, transaction_pks: Sequence[int], measurand: str
           ) -> dict[int, Sample]:
    """Each transaction's newest sample of `measurand` (no phase), filed or not.

    The filed ones are found per transaction through the index (newest first, so a long
    session costs one step); the journal, which has no index, is read once per chunk of
    transactions rather than once per transaction."""
    f, j = _FILED.c, _JOURNAL.c
    best: dict[int, tuple[tuple[Any, ...], Row[Any]]] = {}

    def offer(r: Row[Any], part: int) -> None:
        key = (r.timestamp, part, r.id)
        held = best.get(r.transaction_pk)
        if held is None or key > held[0]:
            best[r.transaction_pk] = (key, r)

    for pk in transaction_pks:
        r = conn.execute(select(_FILED).where(
            (f.transaction_pk == pk) & (f.measurand == measurand) & f.phase.is_(None))
            .order_by(f.timestamp.desc(), f.id.desc()).limit(1)).first()
        if r is not None:
            offer(r, 0)
    pks = list(transaction_pks)
    for i in range(0, len(pks), _CHUNK):
        for r in conn.execute(select(_JOURNAL).where(
                j.transaction_pk.in_(pks[i:i + _CHUNK]) & (j.measurand == measurand)
                & j.phase.is_(None))):
            offer(r, 1)
    return {pk: rows.sample(r) for pk, (_, r) in best.items()}
