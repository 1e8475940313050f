"""Tables of reservations, per-station local authorization lists and requested availability
(migration 0006)."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Index, Integer, String, Table, Text

from csms.persistence.tables import metadata
from csms.persistence.types import UTCDateTime

# id is the reservationId sent to the station (both versions: a 32-bit integer).
reservations = Table(
    "reservations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("station_id", String(48), nullable=False),
    Column("evse_id", Integer, nullable=False),
    Column("id_token", String(36), nullable=False),
    Column("group_id", String(36)),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("status", String(16), nullable=False),
    Column("transaction_id", String(64)),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("history", JSON, nullable=False),
    Index("ix_reservations_station_status", "station_id", "status"),
)

# What csms last sent each station: its list version and the entries the station holds.
local_lists = Table(
    "local_lists",
    metadata,
    Column("station_id", String(48), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("entries", JSON, nullable=False),
    Column("needs_full", Boolean, nullable=False),
    Column("last_status", String(32)),
    Column("last_update", String(16)),
    Column("last_error", Text),
    Column("synced_at", UTCDateTime()),
)

# The latest availability request per scope: (0, 0) station, (e, 0) EVSE, (e, c) connector.
availability = Table(
    "availability_requests",
    metadata,
    Column("station_id", String(48), primary_key=True),
    Column("evse_id", Integer, primary_key=True),
    Column("connector_id", Integer, primary_key=True),
    Column("operative", Boolean, nullable=False),
    Column("status", String(16), nullable=False),
    Column("requested_at", UTCDateTime(), nullable=False),
)
