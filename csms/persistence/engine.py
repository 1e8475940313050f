"""Engine creation: one place that knows SQLite's and PostgreSQL's quirks.

SQLite runs on the stdlib driver in threads owned by the database layer (see database.py);
the `sqlite+aiosqlite://` URL of the settings is accepted and mapped. PostgreSQL runs on asyncpg.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

_IMMEDIATE_KEY = "csms_sqlite_immediate"
IMMEDIATE = {_IMMEDIATE_KEY: True}  # execution options of the writer's connection


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def ensure_sqlite_dir(url: str) -> None:
    """`make run` uses ./var/csms.db: create the folder rather than fail on a fresh clone."""
    u = make_url(url)
    if u.get_backend_name() == "sqlite" and u.database not in (None, "", ":memory:"):
        Path(u.database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def create_sync(url: str) -> Engine:
    """A stdlib-sqlite3 engine with WAL, full fsync on commit and foreign keys."""
    ensure_sqlite_dir(url)
    sync_url = make_url(url).set(drivername="sqlite+pysqlite")
    engine = create_sync_engine(
        sync_url, connect_args={"timeout": 30, "check_same_thread": False},
        pool_size=8, max_overflow=8,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # The writer takes the write lock up front: a deferred transaction that has read
        # would fail at once ("database is locked") when another process holds the lock,
        # instead of waiting for it as busy_timeout says.
        immediate = conn.get_execution_options().get(_IMMEDIATE_KEY)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def create_async(url: str) -> AsyncEngine:
    return create_async_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)
