"""Health returns to ok only when a commit changed something: on a full disk a transaction
that changes nothing (a deletion of nothing, an expiry with none due) still commits, and
taking that for recovery told load balancers all was well while every station's write failed."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import event

from csms.domain.errors import StorageUnavailable
from csms.persistence.database import SqlDatabase
from csms.persistence.migrate import upgrade


def _cap_pages(dbapi_conn: Any, _record: Any) -> None:
    (pages,) = dbapi_conn.execute("PRAGMA page_count").fetchone()
    dbapi_conn.execute(f"PRAGMA max_page_count={pages}")


async def test_a_commit_that_changes_nothing_is_not_a_recovery(database_url: str) -> None:
    await asyncio.to_thread(upgrade, database_url)
    db = SqlDatabase(database_url)
    await db.start()
    try:
        engine = db._sync
        assert engine is not None
        event.listen(engine, "connect", _cap_pages)  # the disk is full from now on
        engine.dispose()
        with pytest.raises(StorageUnavailable):
            await db.write(lambda uow: uow.kv.put("big", "x" * 200_000))
        assert not db.health.ok
        assert await db.write(lambda uow: uow.kv.get("nothing here")) is None
        assert not db.health.ok, "a commit that changed nothing was taken for a recovery"
        event.remove(engine, "connect", _cap_pages)  # room again
        engine.dispose()
        await db.write(lambda uow: uow.kv.put("big", "x" * 200_000))
        assert db.health.ok
    finally:
        await db.stop()
