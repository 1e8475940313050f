"""A started database on SQLite and on PostgreSQL, for the writer's own tests; and an empty
database's URL on each, for the migrations' data tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from csms.persistence.database import SqlDatabase
from csms.persistence.migrate import upgrade
from tests.conftest import fresh_postgres_database


@pytest.fixture(params=["sqlite", "postgresql"])
async def db(request: pytest.FixtureRequest, database_url: str) -> AsyncIterator[SqlDatabase]:
    if request.param == "sqlite":
        async for database in _database(database_url):
            yield database
    else:
        async with fresh_postgres_database() as url:
            async for database in _database(url):
                yield database


@pytest.fixture(params=["sqlite", "postgresql"])
async def url(request: pytest.FixtureRequest, database_url: str) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield database_url
    else:
        async with fresh_postgres_database() as pg:
            yield pg


async def _database(url: str) -> AsyncIterator[SqlDatabase]:
    await asyncio.to_thread(upgrade, url)
    database = SqlDatabase(url)
    await database.start()
    yield database
    await database.stop()
