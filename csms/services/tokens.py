"""Id tokens (RFID cards, app tokens): the table Authorize answers from, and its API."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from csms.clock import Clock
from csms.domain.authorization import authorize
from csms.domain.errors import Conflict, NotFound
from csms.domain.events import Event
from csms.domain.model import AuthResult, IdToken
from csms.services.ports import Database, UnitOfWork
from csms.services.reservations import authorize_here

# Published on every change of the token table: the local-list sync worker follows it.
TOKENS_CHANGED = "id_tokens.changed"


def _changed(uow: UnitOfWork, id_token: str) -> None:
    uow.publish(Event(TOKENS_CHANGED, "", {"id_token": id_token}))


class TokenService:
    def __init__(self, db: Database, clock: Clock, accept_unknown: bool = False) -> None:
        self._db = db
        self._clock = clock
        self.accept_unknown = accept_unknown

    async def authorize(self, id_token: str, station_id: str | None = None) -> AuthResult:
        """Read-only: Authorize confirms nothing new, so it needs no commit. At a station,
        its reservations may refuse the token (csms.services.reservations)."""
        now = self._clock.now()

        def work(uow: UnitOfWork) -> AuthResult:
            auth = authorize(uow.tokens.get(id_token), now, self.accept_unknown)
            if station_id is None:
                return auth
            return authorize_here(uow, station_id, id_token, auth, now)  # reservations

        return await self._db.read(work)

    async def add(self, token: IdToken) -> IdToken:
        def work(uow: UnitOfWork) -> None:
            if uow.tokens.get(token.id_token) is not None:
                raise Conflict(f"id token {token.id_token!r} already exists")
            uow.tokens.add(token)
            _changed(uow, token.id_token)

        await self._db.write(work)
        return token

    async def get(self, id_token: str) -> IdToken:
        token = await self._db.read(lambda uow: uow.tokens.get(id_token))
        if token is None:
            raise NotFound(f"id token {id_token!r} not found")
        return token

    async def all(self) -> list[IdToken]:
        return await self._db.read(lambda uow: uow.tokens.all())

    async def update(self, id_token: str, changes: dict[str, Any]) -> IdToken:
        def work(uow: UnitOfWork) -> IdToken:
            token = uow.tokens.get(id_token)
            if token is None:
                raise NotFound(f"id token {id_token!r} not found")
            uow.tokens.update(id_token, **changes)
            _changed(uow, id_token)
            return replace(token, **changes)

        return await self._db.write(work)

    async def delete(self, id_token: str) -> None:
        def work(uow: UnitOfWork) -> None:
            if not uow.tokens.delete(id_token):
                raise NotFound(f"id token {id_token!r} not found")
            _changed(uow, id_token)

        await self._db.write(work)
