"""Last-seen tracking: every frame marks a station seen; the database learns it in batches.

Writing `last_seen` per heartbeat would put a write on every message; instead the times are
kept here and flushed every few seconds by the presence worker. Losing a few seconds of
`last_seen` on a crash is harmless; it confirms nothing to any station.
"""

from __future__ import annotations

from datetime import datetime

from csms.services.ports import Database, UnitOfWork


class Presence:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._pending: dict[str, datetime] = {}
        self.last_seen: dict[str, datetime] = {}

    def seen(self, station_id: str, at: datetime) -> None:
        self._pending[station_id] = at
        self.last_seen[station_id] = at

    async def flush(self) -> None:
        if not self._pending:
            return
        batch, self._pending = self._pending, {}

        def work(uow: UnitOfWork) -> None:
            uow.stations.touch(batch)

        await self._db.write(work)
