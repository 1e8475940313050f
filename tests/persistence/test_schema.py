"""The migrations build the schema the code declares."""

from __future__ import annotations

import asyncio
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, inspect

from csms.persistence import engine as engines
from csms.persistence.migrate import upgrade
from csms.persistence.tables import metadata
from tests.conftest import fresh_postgres_database

# What autogenerate would write that matters here: tables, columns and indexes (column types
# and server defaults read back differently per dialect without being different).
_KINDS = ("add_table", "remove_table", "add_column", "remove_column", "add_index",
          "remove_index")


def _drift(conn: Connection) -> list[Any]:
    diff = compare_metadata(MigrationContext.configure(conn), metadata)
    return [d for d in diff if isinstance(d, tuple) and d[0] in _KINDS]


async def _drift_of(url: str) -> list[Any]:
    await asyncio.to_thread(upgrade, url)
    if engines.is_sqlite(url):
        engine = engines.create_sync(url)
        try:
            with engine.connect() as conn:
                return _drift(conn)
        finally:
            engine.dispose()
    async_engine = engines.create_async(url)
    try:
        async with async_engine.connect() as aconn:
            return await aconn.run_sync(_drift)
    finally:
        await async_engine.dispose()


async def test_sqlite_migrations_build_the_declared_tables(database_url: str) -> None:
    assert await _drift_of(database_url) == []


async def test_postgres_migrations_build_the_declared_tables() -> None:
    async with fresh_postgres_database() as url:
        assert await _drift_of(url) == []


async def test_meter_readings_are_indexed_by_transaction_only(database_url: str) -> None:
    await asyncio.to_thread(upgrade, database_url)
    engine = engines.create_sync(database_url)
    try:
        names = {ix["name"] for ix in inspect(engine).get_indexes("meter_readings")}
    finally:
        engine.dispose()
    assert names == {"ix_meter_readings_tx"}
