"""Tables of the smart-charging integration: charger capabilities, token-group defaults."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Float, ForeignKey, Integer, String, Table, Text

from csms.persistence.tables import metadata
from csms.persistence.types import UTCDateTime

station_charging_capabilities = Table(
    "station_charging_capabilities",
    metadata,
    Column("station_id", String(48), ForeignKey("stations.id", ondelete="CASCADE"),
           primary_key=True),
    Column("smart_charging", Boolean),
    Column("rate_units", String(8)),
    Column("max_periods", Integer),
    Column("max_stack_level", Integer),
    Column("max_profiles", Integer),
    Column("limit_change_significance", Float),
    Column("evse_max_kw", JSON),
    Column("probed_at", UTCDateTime(), nullable=False),
    Column("note", Text),
)

token_group_defaults = Table(
    "token_group_defaults",
    metadata,
    Column("group_id", String(64), primary_key=True),
    Column("dwell_h", Float),
    Column("energy_kwh", Float),
    Column("mode", String(8)),
    Column("updated_at", UTCDateTime(), nullable=False),
)
