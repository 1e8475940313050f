"""Users, credentials (sign-in sessions and API tokens) and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, func, insert, select, update

from csms.domain.people import AuditEntry, Credential, Role, User
from csms.persistence import tables_people as p
from csms.services.office.ports import AuditFilter


def _sites(value: Any) -> tuple[str, ...] | None:
    return None if value is None else tuple(value)


def _user(r: Row[Any]) -> User:
    m = r._mapping
    return User(id=m["id"], username=m["username"], password_hash=m["password_hash"],
                role=Role(m["role"]), site_ids=_sites(m["site_ids"]),
                created_at=m["created_at"], updated_at=m["updated_at"])


def _credential(r: Row[Any]) -> Credential:
    m = r._mapping
    return Credential(id=m["id"], kind=m["kind"], name=m["name"], user_id=m["user_id"],
                      role=Role(m["role"]) if m["role"] else None,
                      site_ids=_sites(m["site_ids"]), created_by=m["created_by"],
                      created_at=m["created_at"], expires_at=m["expires_at"])


class PeopleRepo:
    def __init__(self, conn: Connection) -> None:
        self._c = conn

    def user(self, username: str) -> User | None:
        r = self._c.execute(select(p.users).where(p.users.c.username == username)).first()
        return _user(r) if r else None

    def user_by_id(self, user_id: int) -> User | None:
        r = self._c.execute(select(p.users).where(p.users.c.id == user_id)).first()
        return _user(r) if r else None

    def users(self) -> list[User]:
        return [_user(r) for r in self._c.execute(select(p.users).order_by(p.users.c.username))]

    def add_user(self, username: str, password_hash: str, role: str,
                 site_ids: list[str] | None, at: datetime) -> User:
        self._c.execute(insert(p.users).values(
            username=username, password_hash=password_hash, role=role, site_ids=site_ids,
            created_at=at, updated_at=at))
        user = self.user(username)
        assert user is not None
        return user

    def update_user(self, username: str, at: datetime, **fields: Any) -> bool:
        res = self._c.execute(update(p.users).where(p.users.c.username == username)
                              .values(updated_at=at, **fields))
        return bool(res.rowcount)

    def delete_user(self, username: str) -> bool:
        user = self.user(username)
        if user is None:
            return False
        # explicit: SQLite enforces ON DELETE CASCADE only with foreign keys on
        self._c.execute(delete(p.credentials).where(p.credentials.c.user_id == user.id))
        self._c.execute(delete(p.users).where(p.users.c.id == user.id))
        return True

    def add_credential(self, credential: Credential, token_hash: str) -> None:
        c = credential
        self._c.execute(insert(p.credentials).values(
            id=c.id, kind=c.kind, name=c.name, token_hash=token_hash, user_id=c.user_id,
            role=c.role.value if c.role else None,
            site_ids=list(c.site_ids) if c.site_ids is not None else None,
            created_by=c.created_by, created_at=c.created_at, expires_at=c.expires_at))

    def credential(self, token_hash: str) -> Credential | None:
        q = select(p.credentials).where(p.credentials.c.token_hash == token_hash)
        r = self._c.execute(q).first()
        return _credential(r) if r else None

    def credentials(self, kind: str) -> list[Credential]:
        q = (select(p.credentials).where(p.credentials.c.kind == kind)
             .order_by(p.credentials.c.created_at, p.credentials.c.id))
        return [_credential(r) for r in self._c.execute(q)]

    def delete_credential(self, credential_id: str, kind: str) -> bool:
        c = p.credentials.c
        res = self._c.execute(delete(p.credentials).where(c.id == credential_id, c.kind == kind))
        return bool(res.rowcount)

    def delete_expired(self, now: datetime) -> int:
        c = p.credentials.c
        res = self._c.execute(delete(p.credentials).where(c.expires_at.is_not(None),
                                                          c.expires_at <= now))
        return int(res.rowcount or 0)


class AuditRepo:
    def __init__(self, conn: Connection) -> None:
        self._c = conn

    def add(self, at: datetime, actor: str, role: str | None, action: str, method: str | None,
            path: str | None, station_id: str | None, site_id: str | None, status_code: int,
            outcome: str | None, client: str | None) -> None:
        self._c.execute(insert(p.audit_log).values(
            at=at, actor=actor[:160], role=role, action=action[:255], method=method, path=path,
            station_id=station_id[:48] if station_id else None,
            site_id=site_id[:64] if site_id else None, status_code=status_code,
            outcome=outcome, client=client[:64] if client else None))

    def search(self, f: AuditFilter, limit: int, offset: int) -> tuple[list[AuditEntry], int]:
        c = p.audit_log.c
        where = []
        if f.start is not None:
            where.append(c.at >= f.start)
        if f.end is not None:
            where.append(c.at < f.end)
        if f.actor is not None:
            where.append(c.actor == f.actor)
        if f.station_id is not None:
            where.append(c.station_id == f.station_id)
        total = self._c.execute(select(func.count()).select_from(p.audit_log).where(*where))
        q = (select(p.audit_log).where(*where).order_by(c.id.desc())
             .limit(limit).offset(offset))
        entries = [AuditEntry(**dict(r._mapping)) for r in self._c.execute(q)]
        return entries, int(total.scalar_one())
