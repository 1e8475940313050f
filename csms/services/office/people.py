"""People: users with argon2 password hashes, sign-in sessions that expire, named API tokens
with a role and optional sites, and who a bearer token stands for.

Bearer tokens are 256-bit random strings; only their SHA-256 is stored. A slow hash would add
nothing for secrets of that entropy and would cost every request; passwords, chosen by people,
get argon2 (docs/adr/0011-people-roles-tokens.md).
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

from csms.clock import Clock
from csms.domain.errors import Conflict, DomainError, InvalidInput, NotFound
from csms.domain.people import Credential, Principal, Role, User
from csms.services.office.ports import OfficeDatabase, OfficeUnitOfWork
from csms.services.office.sign_in_throttle import SignInThrottle
from csms.services.passwords import hash_password, verify_password

TOKEN_PREFIX = "csms_"
MIN_PASSWORD = 8
# Verified when the user is unknown, so that a wrong name costs what a wrong password does.
_DUMMY_HASH = hash_password("not a password of anyone")


class SignInRefused(DomainError):
    """Wrong user name or password."""


class SignInThrottled(DomainError):
    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"too many failed sign-ins; try again in {retry_after_s} s")
        self.retry_after_s = retry_after_s


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"a password has at least {MIN_PASSWORD} characters")


class PeopleService:
    def __init__(self, db: OfficeDatabase, clock: Clock, session_ttl: timedelta,
                 throttle: SignInThrottle) -> None:
        self._db = db
        self._clock = clock
        self.session_ttl = session_ttl
        self.throttle = throttle

    # --- who a bearer token stands for ---------------------------------------------------
    async def principal(self, token: str) -> Principal | None:
        if not token.startswith(TOKEN_PREFIX):
            return None
        digest = token_digest(token)
        now = self._clock.now()

        def work(uow: OfficeUnitOfWork) -> Principal | None:
            cred = uow.people.credential(digest)
            if cred is None or (cred.expires_at is not None and cred.expires_at <= now):
                return None
            if cred.kind == "session":
                user = uow.people.user_by_id(cred.user_id) if cred.user_id else None
                if user is None:
                    return None
                return Principal(f"user:{user.username}", user.role, _frozen(user.site_ids))
            assert cred.role is not None
            return Principal(f"token:{cred.name}", cred.role, _frozen(cred.site_ids))

        return await self._db.read(work)

    # --- sign-in -------------------------------------------------------------------------
    async def sign_in(self, username: str, password: str, client: str) -> tuple[str, datetime]:
        """A new session token and when it expires; SignInRefused or SignInThrottled."""
        wait = self.throttle.wait_s(username, client)
        if wait:
            raise SignInThrottled(wait)
        user = await self._db.read(lambda uow: uow.people.user(username))
        ok = await verify_password(user.password_hash if user else _DUMMY_HASH, password)
        if user is None or not ok:
            self.throttle.failed(username, client)
            raise SignInRefused("wrong user name or password")
        self.throttle.succeeded(username)
        now = self._clock.now()
        expires = now + self.session_ttl
        token = _new_token()
        cred = Credential(id=secrets.token_hex(8), kind="session", name=username,
                          user_id=user.id, role=None, site_ids=None,
                          created_by=f"user:{username}", created_at=now, expires_at=expires)

        def work(uow: OfficeUnitOfWork) -> None:
            uow.people.delete_expired(now)  # sessions do not pile up
            uow.people.add_credential(cred, token_digest(token))

        await self._db.write(work)
        return token, expires

    async def sign_out(self, token: str) -> bool:
        digest = token_digest(token)

        def work(uow: OfficeUnitOfWork) -> bool:
            cred = uow.people.credential(digest)
            return cred is not None and cred.kind == "session" and \
                uow.people.delete_credential(cred.id, "session")

        return await self._db.write(work)

    # --- users ---------------------------------------------------------------------------
    async def users(self) -> list[User]:
        return await self._db.read(lambda uow: uow.people.users())

    async def user(self, username: str) -> User:
        user = await self._db.read(lambda uow: uow.people.user(username))
        if user is None:
            raise NotFound(f"user {username!r} not found")
        return user

    async def add_user(self, username: str, password: str, role: Role,
                       site_ids: Sequence[str] | None) -> User:
        _check_password(password)
        hashed = await asyncio.to_thread(hash_password, password)
        now = self._clock.now()

        def work(uow: OfficeUnitOfWork) -> User:
            if uow.people.user(username) is not None:
                raise Conflict(f"user {username!r} exists")
            return uow.people.add_user(username, hashed, role.value, _listed(site_ids), now)

        return await self._db.write(work)

    async def update_user(self, username: str, password: str | None, role: Role | None,
                          site_ids: Sequence[str] | None, set_sites: bool) -> User:
        fields: dict[str, object] = {}
        if password is not None:
            _check_password(password)
            fields["password_hash"] = await asyncio.to_thread(hash_password, password)
        if role is not None:
            fields["role"] = role.value
        if set_sites:
            fields["site_ids"] = _listed(site_ids)
        now = self._clock.now()

        def work(uow: OfficeUnitOfWork) -> User | None:
            uow.people.update_user(username, now, **fields)
            return uow.people.user(username)

        user = await self._db.write(work)
        if user is None:
            raise NotFound(f"user {username!r} not found")
        return user

    async def delete_user(self, username: str) -> None:
        if not await self._db.write(lambda uow: uow.people.delete_user(username)):
            raise NotFound(f"user {username!r} not found")

    # --- API tokens ----------------------------------------------------------------------
    async def add_api_token(self, name: str, role: Role, site_ids: Sequence[str] | None,
                            expires_at: datetime | None, created_by: str
                            ) -> tuple[Credential, str]:
        now = self._clock.now()
        if expires_at is not None and expires_at <= now:
            raise InvalidInput("expires_at is in the past")
        token = _new_token()
        cred = Credential(id=secrets.token_hex(8), kind="api", name=name, user_id=None,
                          role=role, site_ids=tuple(site_ids) if site_ids is not None else None,
                          created_by=created_by, created_at=now, expires_at=expires_at)
        await self._db.write(lambda uow: uow.people.add_credential(cred, token_digest(token)))
        return cred, token

    async def api_tokens(self) -> list[Credential]:
        return await self._db.read(lambda uow: uow.people.credentials("api"))

    async def delete_api_token(self, token_id: str) -> None:
        if not await self._db.write(lambda uow: uow.people.delete_credential(token_id, "api")):
            raise NotFound(f"API token {token_id!r} not found")


def _frozen(site_ids: Sequence[str] | None) -> frozenset[str] | None:
    return None if site_ids is None else frozenset(site_ids)


def _listed(site_ids: Sequence[str] | None) -> list[str] | None:
    return None if site_ids is None else sorted(set(site_ids))
