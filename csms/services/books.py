"""In-memory books of the small reference tables the hot path consults: id tokens, tariffs.

The database stays the truth; a book is loaded at start and kept current by the services that
change the table (after their commit), so Authorize and a transaction's start read nothing
from the database. In a cluster, a change made on another node arrives as an invalidation and
the book re-reads just that entry (`refresh_token`) or the whole small table (`TariffBook`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from csms.domain.model import IdToken
from csms.domain.tariffs import Tariff, pick
from csms.services.invalidation import Invalidation, Invalidations
from csms.services.ports import Database

log = logging.getLogger(__name__)

ID_TOKEN = "id_token"
TARIFFS = "tariffs"


class _Refreshes:
    """Re-reads started by invalidations (whose handlers cannot wait), owned here."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    def start(self, what: str, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(lambda t: self._done(what, t))

    def _done(self, what: str, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("could not re-read %s: %r", what, task.exception())

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


class TokenBook:
    def __init__(self, db: Database, invalidations: Invalidations) -> None:
        self._db = db
        self._tokens: dict[str, IdToken] = {}
        self._invalidations = invalidations
        self._refreshes = _Refreshes()
        invalidations.on(ID_TOKEN, self._on_invalidation)

    def changed(self, id_token: str) -> None:
        """After a commit that changed the token: every other process re-reads it."""
        self._invalidations.publish(Invalidation(ID_TOKEN, id_token))

    def _on_invalidation(self, note: Invalidation) -> None:
        self._refreshes.start(f"id token {note.key}", self.refresh_token(note.key))

    async def close(self) -> None:
        await self._refreshes.close()

    async def load(self) -> None:
        tokens = await self._db.read(lambda uow: uow.tokens.all())
        self._tokens = {t.id_token: t for t in tokens}

    def get(self, id_token: str) -> IdToken | None:
        return self._tokens.get(id_token)

    def put(self, token: IdToken) -> None:
        self._tokens[token.id_token] = token

    def remove(self, id_token: str) -> None:
        self._tokens.pop(id_token, None)

    async def refresh_token(self, id_token: str) -> None:
        """Re-read one token (changed by another process)."""
        token = await self._db.read(lambda uow: uow.tokens.get(id_token))
        if token is None:
            self.remove(id_token)
        else:
            self.put(token)


class TariffBook:
    def __init__(self, db: Database, invalidations: Invalidations) -> None:
        self._db = db
        self._invalidations = invalidations
        self._refreshes = _Refreshes()
        invalidations.on(TARIFFS, lambda _: self._refreshes.start("tariffs", self.load()))
        self._by_group: dict[str, Tariff] = {}
        self._by_site: dict[str, Tariff] = {}
        self._default: Tariff | None = None

    async def load(self) -> None:
        tariffs = await self._db.read(lambda uow: uow.billing.all())  # in id order
        self._by_group = {t.group_id: t for t in reversed(tariffs) if t.group_id is not None}
        self._by_site = {t.site_id: t for t in reversed(tariffs) if t.site_id is not None}
        self._default = next((t for t in tariffs if t.site_id is None and t.group_id is None),
                             None)

    def changed(self) -> None:
        """After a commit that changed a tariff: every process (this one too) re-reads."""
        self._invalidations.publish(Invalidation(TARIFFS))

    async def close(self) -> None:
        await self._refreshes.close()

    def applicable(self, group_id: str | None, site_id: str | None) -> Tariff | None:
        """The token group's tariff, else the site's, else the default (the oldest)."""
        by_group = self._by_group.get(group_id) if group_id is not None else None
        by_site = self._by_site.get(site_id) if site_id is not None else None
        return pick(by_group, by_site, self._default if not (by_group or by_site) else None)
