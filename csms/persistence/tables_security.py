"""Tables of the security area: the CA and what it issued.

The built-in CA lives in the database rather than in a file: every `csms serve` process of a
cluster shares one PostgreSQL, so they all sign with the same CA, and a database backup keeps
the key that station certificates chain to. A CA key that must not sit in the database is
configured as files instead (CSMS_CA_CERT / CSMS_CA_KEY).
"""

from __future__ import annotations

from sqlalchemy import Column, Index, String, Table, Text

from csms.persistence.tables import BigPk, metadata
from csms.persistence.types import UTCDateTime

certificate_authorities = Table(
    "certificate_authorities",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("cert_pem", Text, nullable=False),
    Column("key_pem", Text, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
)

issued_certificates = Table(
    "issued_certificates",
    metadata,
    Column("id", BigPk, primary_key=True, autoincrement=True),
    Column("serial", String(48), nullable=False, unique=True),
    Column("station_id", String(48), nullable=False),
    Column("certificate_type", String(32), nullable=False),
    Column("common_name", String(64), nullable=False),
    Column("not_before", UTCDateTime(), nullable=False),
    Column("not_after", UTCDateTime(), nullable=False),
    Column("pem", Text, nullable=False),
    Column("issued_at", UTCDateTime(), nullable=False),
    Column("delivery", String(16), nullable=False, server_default="pending"),
    Column("revoked_at", UTCDateTime()),
    Index("ix_issued_certificates_station", "station_id", "id"),
)
