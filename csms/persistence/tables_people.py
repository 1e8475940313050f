"""Tables of the people who use the API and console: users, their sign-in sessions and named
API tokens (one table, `credentials`), and the audit log. Created by migration 0010.

Secrets are never stored: a credential keeps only the SHA-256 of its random token, a user
only the argon2 hash of the password.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, String, Table, Text

from csms.persistence.tables import BigPk, metadata
from csms.persistence.types import UTCDateTime

users = Table(
    "users",
    metadata,
    Column("id", BigPk, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("role", String(16), nullable=False),
    Column("site_ids", JSON),  # null: every site
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

# kind "session": issued by sign-in, takes role and sites from its user at every use;
# kind "api": a named token with its own role and sites.
credentials = Table(
    "credentials",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("kind", String(8), nullable=False),
    Column("name", String(128), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("user_id", BigPk, ForeignKey("users.id", ondelete="CASCADE")),
    Column("role", String(16)),
    Column("site_ids", JSON),
    Column("created_by", String(128), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime()),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigPk, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime(), nullable=False),
    Column("actor", String(160), nullable=False),
    Column("role", String(16)),
    Column("action", String(255), nullable=False),
    Column("method", String(8)),
    Column("path", Text),
    Column("station_id", String(48)),
    Column("site_id", String(64)),
    Column("status_code", Integer, nullable=False),
    Column("outcome", Text),
    Column("client", String(64)),
)
Index("ix_audit_log_at", audit_log.c.at)
Index("ix_audit_log_actor_at", audit_log.c.actor, audit_log.c.at)
Index("ix_audit_log_station_at", audit_log.c.station_id, audit_log.c.at)
