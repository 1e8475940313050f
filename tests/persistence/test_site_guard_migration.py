"""The migration that gives sites their local-guard flag: sites stored before it read back
unchanged and without a guard (the strict rule), a guard set after it is kept, and a
downgrade drops the flag and keeps the sites."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import command
from sqlalchemy.ext.asyncio import create_async_engine

from csms.domain.model import Site
from csms.persistence.database import SqlDatabase
from csms.persistence.migrate import alembic_config, upgrade

CREATED = datetime(2026, 12, 1, 8, tzinfo=UTC)
BEFORE = "0017"  # the head before 0018

# sites as they were before 0018
_SITES = sa.table("sites", sa.column("id"), sa.column("name"), sa.column("grid_limit_kw"),
                  sa.column("latitude"), sa.column("created_at", sa.DateTime(True)),
                  sa.column("default_mode"))


async def _execute(url: str, *statements: Any) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        for statement in statements:
            await conn.execute(statement)
    await engine.dispose()


async def _rows(url: str) -> list[Any]:
    engine = create_async_engine(url)
    async with engine.connect() as conn:
        rows = (await conn.execute(sa.select(_SITES).order_by(_SITES.c.id))).all()
    await engine.dispose()
    return [tuple(r) for r in rows]


async def test_sites_stored_before_have_no_guard_and_keep_the_rest(url: str) -> None:
    await asyncio.to_thread(upgrade, url, BEFORE)
    await _execute(url, sa.insert(_SITES).values(
        id="yard", name="Yard", grid_limit_kw=45.0, latitude=42.7, created_at=CREATED,
        default_mode="green"))
    before = await _rows(url)
    await asyncio.to_thread(upgrade, url)

    db = SqlDatabase(url)
    await db.start()
    try:
        old = await db.read(lambda uow: uow.sites.get("yard"))
        guarded = Site(id="guarded", name="Guarded", grid_limit_kw=45.0, created_at=CREATED,
                       local_guard=True)
        await db.write(lambda uow: uow.sites.add(guarded))
        new = await db.read(lambda uow: uow.sites.get("guarded"))
        await db.write(lambda uow: uow.sites.update("yard", local_guard=True))
        flipped = await db.read(lambda uow: uow.sites.get("yard"))
    finally:
        await db.stop()
    assert old == Site(id="yard", name="Yard", grid_limit_kw=45.0, latitude=42.7,
                       created_at=CREATED, default_mode="green", local_guard=False)
    assert new == guarded
    assert flipped == replace(old, local_guard=True)

    await asyncio.to_thread(command.downgrade, alembic_config(url), BEFORE)
    at = before[0][4]  # as the dialect reads it back (SQLite: without a zone)
    assert await _rows(url) == [("guarded", "Guarded", 45.0, None, at, None), *before]
