"""People who use the API and the console: roles, who is asking, users, credentials, audit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Role(StrEnum):
    """Each role may do what the ones before it may: viewer < operator < admin."""

    VIEWER = "viewer"
    OPERATOR = "operator"
    ADMIN = "admin"

    def allows(self, needed: Role) -> bool:
        return _RANK[self] >= _RANK[needed]


_RANK = {Role.VIEWER: 0, Role.OPERATOR: 1, Role.ADMIN: 2}


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a request acts for. `site_ids` None: every site; else only these sites, their
    stations and transactions."""

    actor: str
    role: Role
    site_ids: frozenset[str] | None = None

    def sees_site(self, site_id: str | None) -> bool:
        return self.site_ids is None or (site_id is not None and site_id in self.site_ids)


@dataclass(frozen=True, slots=True)
class User:
    id: int
    username: str
    password_hash: str
    role: Role
    site_ids: tuple[str, ...] | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Credential:
    """A bearer token's record (never the token). kind "session": sign-in, role and sites come
    from the user; kind "api": a named API token with its own role and sites."""

    id: str
    kind: str
    name: str
    user_id: int | None
    role: Role | None
    site_ids: tuple[str, ...] | None
    created_by: str
    created_at: datetime
    expires_at: datetime | None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    role: str | None
    action: str
    method: str | None
    path: str | None
    station_id: str | None
    site_id: str | None
    status_code: int
    outcome: str | None
    client: str | None
