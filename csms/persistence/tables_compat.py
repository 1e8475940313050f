"""Tables of the compatibility profiles (per station, per vendor and model) and of the
schema violations stations sent."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String, Table

from csms.persistence.tables import metadata
from csms.persistence.types import UTCDateTime


def _profile_columns() -> list[Column[object]]:
    return [
        Column("lenient_validation", Boolean, nullable=False),
        Column("timezone", String(64)),
        Column("id_token_pattern", String(200)),
        Column("meter_register", String(16), nullable=False),
        Column("ping", Boolean, nullable=False),
        Column("updated_at", UTCDateTime(), nullable=False),
    ]


station_compatibility = Table(
    "station_compatibility",
    metadata,
    Column("station_id", String(48), ForeignKey("stations.id", ondelete="CASCADE"),
           primary_key=True),
    *_profile_columns(),
)

model_compatibility = Table(
    "model_compatibility",
    metadata,
    # compared without case: the keys; as entered: vendor and model
    Column("vendor_key", String(64), primary_key=True),
    Column("model_key", String(64), primary_key=True),
    Column("vendor", String(64), nullable=False),
    Column("model", String(64), nullable=False),
    *_profile_columns(),
)

station_violations = Table(
    "station_violations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("station_id", String(48), ForeignKey("stations.id", ondelete="CASCADE"),
           nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    Column("action", String(64), nullable=False),
    Column("path", String(255), nullable=False),
    Column("message", String(500), nullable=False),
    Column("outcome", String(16), nullable=False),
    Index("ix_station_violations_station", "station_id", "id"),
)
