"""The admin bearer token: configured, or generated once and kept only as a hash."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from csms.services.ports import Database, UnitOfWork

_KEY = "admin_token_sha256"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class AdminToken:
    def __init__(self, token_hash: str) -> None:
        self._hash = token_hash

    def check(self, presented: str) -> bool:
        return hmac.compare_digest(digest(presented), self._hash)


async def ensure_admin_token(
    db: Database, configured: str | None, rotate: bool = False
) -> tuple[AdminToken, str | None]:
    """The token checker, and the plain token when it was generated now (print it once)."""
    if configured:
        return AdminToken(digest(configured)), None

    def work(uow: UnitOfWork) -> tuple[str, str | None]:
        stored = uow.kv.get(_KEY)
        if stored is not None and not rotate:
            return stored, None
        plain = secrets.token_urlsafe(32)
        uow.kv.put(_KEY, digest(plain))
        return digest(plain), plain

    token_hash, plain = await db.write(work)
    return AdminToken(token_hash), plain
