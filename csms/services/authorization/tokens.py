"""Id tokens (RFID cards, app tokens): the table Authorize answers from, and its API."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from csms.clock import Clock
from csms.domain.authorization import authorize
from csms.domain.errors import Conflict, NotFound
from csms.domain.events import IdTokensChanged
from csms.domain.model import AuthResult, AuthStatus, IdToken
from csms.services.authorization.reservations import authorize_here
from csms.services.books import TokenBook
from csms.services.ports import Database, UnitOfWork
from csms.services.stations.live import LiveStations


def _changed(uow: UnitOfWork, id_token: str) -> None:
    # every change of the token table: the local-list sync worker follows it
    uow.publish(IdTokensChanged("", id_token))


class TokenService:
    def __init__(self, db: Database, clock: Clock, book: TokenBook, live: LiveStations,
                 accept_unknown: bool = False) -> None:
        self._db = db
        self._clock = clock
        self._book = book
        self._live = live
        self.accept_unknown = accept_unknown

    async def authorize(self, id_token: str, station_id: str | None = None) -> AuthResult:
        """From memory: Authorize confirms nothing new, so it needs no commit. At a station,
        its reservations may refuse the token (csms.services.authorization.reservations)."""
        if not id_token:  # names no token, not even an unknown one that may be accepted
            return AuthResult(AuthStatus.INVALID)
        now = self._clock.now()
        auth = authorize(self._book.get(id_token), now, self.accept_unknown)
        if station_id is None or auth.status != AuthStatus.ACCEPTED:
            return auth
        state = await self._live.get(station_id)
        held = await self._live.reservations(state)
        return authorize_here(held, state.evse_ids(), station_id, id_token, auth, now)

    async def add(self, token: IdToken) -> IdToken:
        def work(uow: UnitOfWork) -> None:
            if uow.tokens.get(token.id_token) is not None:
                raise Conflict(f"id token {token.id_token!r} already exists")
            uow.tokens.add(token)
            _changed(uow, token.id_token)

        await self._db.write(work)
        self._book.put(token)
        self._book.changed(token.id_token)
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
            stored = uow.tokens.get(id_token)  # typed as the table gives it back
            return stored if stored is not None else replace(token, **changes)

        token = await self._db.write(work)
        self._book.put(token)
        self._book.changed(id_token)
        return token

    async def delete(self, id_token: str) -> None:
        def work(uow: UnitOfWork) -> None:
            if not uow.tokens.delete(id_token):
                raise NotFound(f"id token {id_token!r} not found")
            _changed(uow, id_token)

        await self._db.write(work)
        self._book.remove(id_token)
        self._book.changed(id_token)
