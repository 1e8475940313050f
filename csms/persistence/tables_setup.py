"""Tables of station set-up on boot: each site's metering policy, each station's answers."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table, Text

from csms.persistence.tables import metadata
from csms.persistence.types import UTCDateTime

site_metering_policies = Table(
    "site_metering_policies",
    metadata,
    Column("site_id", String(64), ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True),
    Column("enabled", Boolean, nullable=False),
    Column("sampled_measurands", Text, nullable=False),
    Column("sample_interval_s", Integer, nullable=False),
    Column("aligned_measurands", Text, nullable=False),
    Column("aligned_interval_s", Integer, nullable=False),
    Column("ended_measurands", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

station_applied_settings = Table(
    "station_applied_settings",
    metadata,
    Column("station_id", String(48), ForeignKey("stations.id", ondelete="CASCADE"),
           primary_key=True),
    Column("setting", String(32), primary_key=True),
    Column("requested", Text, nullable=False),
    Column("value", Text, nullable=False),
    Column("status", String(32), nullable=False),
    Column("key", String(128), nullable=False),
    Column("policy_site_id", String(64)),
    Column("policy_version", Integer, nullable=False),
    Column("firmware_version", String(64)),
    Column("asked_at", UTCDateTime(), nullable=False),
    Column("note", Text),
)
