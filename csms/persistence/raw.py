"""Statements for the busiest SQLite writes, run from plain tuples.

SQLAlchemy turns each row's dict into parameters through its compiled statement and every
column type's bind processor. For the rows written on every station message (samples, the
message log, transaction saves, connector states) that work ran in the writer thread, on the
same core and under the same lock as the event loop, and was a sixth of the CPU per message.
These statements are compiled once to SQLite's SQL; callers hand the driver tuples in the
statement's parameter order, with times formatted the way `UTCDateTime` stores them (a test
compares the two). PostgreSQL keeps the ordinary path: asyncpg binds natively.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Delete, Insert, Update
from sqlalchemy.dialects import sqlite

_SQLITE = sqlite.dialect()


class Raw:
    """A statement compiled once to SQLite's SQL; rows are tuples in its parameter order."""

    def __init__(self, stmt: Insert | Update | Delete, keys: Sequence[str]) -> None:
        compiled = stmt.compile(dialect=_SQLITE, column_keys=list(keys))
        self.sql = compiled.string
        self.order = tuple(compiled.positiontup or ())

    def run(self, conn: Connection, params: list[tuple[Any, ...]]) -> None:
        conn.exec_driver_sql(self.sql, params)


# The texts of recent instants. A batch formats the same instants several times (a meter
# value's time is its transaction's last register time and its reading's time; the first
# register time is saved with every meter value), and formatting one costs 1-2 us against
# 0.1 for a look-up. Cleared when full: a bound, not an eviction policy.
_TEXTS: dict[datetime, str] = {}
_TEXTS_MAX = 16_384


def sqlite_time(value: datetime | None) -> str | None:
    """What `UTCDateTime` and SQLite's DATETIME store: naive UTC, always with microseconds.
    (Equal instants in different zones format alike, and a naive time never equals an aware
    one, so they share the look-up safely.)"""
    if value is None:
        return None
    text = _TEXTS.get(value)
    if text is None:
        if len(_TEXTS) >= _TEXTS_MAX:
            _TEXTS.clear()
        text = _TEXTS[value] = _format(value)
    return text


def _format(value: datetime) -> str:
    if value.tzinfo is UTC:  # the usual case: the text without its "+00:00"
        return value.isoformat(" ", "microseconds")[:-6]
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(" ", "microseconds")
