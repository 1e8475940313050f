"""Tables of tariffs and costs, and of the charging state csms believes each station has.
Created by migration 0009.

Prices are decimal strings: exact on every database, with no float rounding on the way.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
)

from csms.persistence.tables import BigPk, metadata
from csms.persistence.types import UTCDateTime

Price = String(32)

tariffs = Table(
    "tariffs",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(255)),
    Column("currency", String(3), nullable=False),
    Column("price_per_kwh", Price, nullable=False),
    Column("green_price_per_kwh", Price, nullable=False),
    Column("price_per_minute", Price, nullable=False),
    Column("session_fee", Price, nullable=False),
    Column("site_id", String(64), unique=True),
    Column("group_id", String(64), unique=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

# The tariff a transaction is priced with, copied when it is first priced: later changes to
# the tariff apply to later sessions only.
transaction_tariffs = Table(
    "transaction_tariffs",
    metadata,
    Column("transaction_pk", BigInteger, ForeignKey("transactions.pk", ondelete="CASCADE"),
           primary_key=True),
    Column("tariff_id", String(64), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("price_per_kwh", Price, nullable=False),
    Column("green_price_per_kwh", Price, nullable=False),
    Column("price_per_minute", Price, nullable=False),
    Column("session_fee", Price, nullable=False),
    Column("bound_at", UTCDateTime(), nullable=False),
)

installed_profiles = Table(
    "installed_profiles",
    metadata,
    Column("station_id", String(48), ForeignKey("stations.id", ondelete="CASCADE"),
           primary_key=True),
    Column("profile_id", Integer, primary_key=True),
    Column("evse_id", Integer, nullable=False),
    Column("purpose", String(16), nullable=False),
    Column("stack_level", Integer, nullable=False),
    Column("transaction_id", String(64)),
    Column("profile", JSON, nullable=False),
    Column("set_at", UTCDateTime(), nullable=False),
    Index("ix_installed_profiles_tx", "station_id", "transaction_id"),
)

charging_profile_reports = Table(
    "charging_profile_reports",
    metadata,
    Column("id", BigPk, primary_key=True, autoincrement=True),
    Column("station_id", String(48), ForeignKey("stations.id", ondelete="CASCADE"),
           nullable=False),
    Column("request_id", Integer, nullable=False),
    Column("seq", Integer, nullable=False),
    Column("evse_id", Integer, nullable=False),
    Column("source", String(8), nullable=False),
    Column("profiles", JSON, nullable=False),
    Column("tbc", Boolean, nullable=False),
    Column("received_at", UTCDateTime(), nullable=False),
    Index("ix_charging_profile_reports_station", "station_id", "request_id"),
)

charging_limits = Table(
    "charging_limits",
    metadata,
    Column("station_id", String(48), ForeignKey("stations.id", ondelete="CASCADE"),
           primary_key=True),
    Column("evse_id", Integer, primary_key=True),
    Column("source", String(8), primary_key=True),
    Column("grid_critical", Boolean),
    # the domain's LimitSchedules as JSON (billing_repos); `as_sent`: the station's own
    Column("schedules", JSON, nullable=False),
    Column("received_at", UTCDateTime(), nullable=False),
    Column("as_sent", JSON, nullable=False),
)
