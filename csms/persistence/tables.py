"""Table definitions (SQLAlchemy Core). The first migration creates exactly these."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from csms.persistence.types import UTCDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# A BIGINT primary key that SQLite still treats as its auto-incrementing rowid.
BigPk = BigInteger().with_variant(Integer(), "sqlite")

kv = Table(
    "kv",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

stations = Table(
    "stations",
    metadata,
    Column("id", String(48), primary_key=True),
    Column("password_hash", String(255)),
    Column("site_id", String(64)),
    Column("description", Text),
    Column("registration_status", String(16), nullable=False, server_default="Accepted"),
    Column("protocol", String(16)),
    Column("vendor", String(64)),
    Column("model", String(64)),
    Column("serial_number", String(64)),
    Column("firmware_version", String(64)),
    Column("last_seen", UTCDateTime()),
    Column("last_boot_at", UTCDateTime()),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("charging_control", String(16), nullable=False, server_default="managed"),
    Column("charging_control_reason", Text),
    # OCPP security profile 0-3 the station must connect with (docs/adr/0012)
    Column("security_profile", Integer, nullable=False, server_default="0"),
    Index("ix_stations_site", "site_id"),
)

connectors = Table(
    "connectors",
    metadata,
    Column("station_id", String(48), ForeignKey("stations.id", ondelete="CASCADE"),
           primary_key=True),
    Column("evse_id", Integer, primary_key=True),
    Column("connector_id", Integer, primary_key=True),
    Column("status", String(32), nullable=False),
    Column("error_code", String(64)),
    Column("updated_at", UTCDateTime(), nullable=False),
)

boot_history = Table(
    "boot_history",
    metadata,
    Column("id", BigPk, primary_key=True, autoincrement=True),
    Column("station_id", String(48), ForeignKey("stations.id", ondelete="CASCADE"),
           nullable=False, index=True),
    Column("at", UTCDateTime(), nullable=False),
    Column("reason", String(64)),
    Column("vendor", String(64)),
    Column("model", String(64)),
    Column("serial_number", String(64)),
    Column("firmware_version", String(64)),
    Column("status", String(16), nullable=False),
)

status_history = Table(
    "status_history",
    metadata,
    Column("id", BigPk, primary_key=True, autoincrement=True),
    Column("station_id", String(48), ForeignKey("stations.id", ondelete="CASCADE"),
           nullable=False),
    Column("evse_id", Integer, nullable=False),
    Column("connector_id", Integer, nullable=False),
    Column("status", String(32), nullable=False),
    Column("error_code", String(64)),
    Column("at", UTCDateTime(), nullable=False),
    Index("ix_status_history_station_at", "station_id", "at"),
)

id_tokens = Table(
    "id_tokens",
    metadata,
    Column("id_token", String(64), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("expires_at", UTCDateTime()),
    Column("group_id", String(64)),
    Column("member", String(255)),
    Column("created_at", UTCDateTime(), nullable=False),
)

transactions = Table(
    "transactions",
    metadata,
    Column("pk", BigPk, primary_key=True, autoincrement=True),
    Column("station_id", String(48), nullable=False),
    Column("transaction_id", String(64), nullable=False, index=True),
    Column("evse_id", Integer, nullable=False),
    Column("connector_id", Integer, nullable=False),
    Column("id_token", String(64)),
    Column("started_at", UTCDateTime(), nullable=False),
    Column("stopped_at", UTCDateTime()),
    Column("meter_start_wh", Float),
    Column("meter_stop_wh", Float),
    Column("energy_wh", Float, nullable=False, server_default="0"),
    Column("green_energy_wh", Float, nullable=False, server_default="0"),
    Column("stop_reason", String(32)),
    Column("first_register_wh", Float),
    Column("first_register_at", UTCDateTime()),
    Column("last_register_wh", Float),
    Column("last_register_at", UTCDateTime()),
    Column("interval_energy_wh", Float, nullable=False, server_default="0"),
    Column("seq_no", Integer),
    Column("seq_seen", Text),  # 2.0.1 seqNos stored, as ranges: a retransmission is known
    Column("remote_start_id", Integer),
    Column("offline", Boolean, nullable=False, server_default="0"),
    UniqueConstraint("station_id", "transaction_id", name="uq_transactions_station_tx"),
    Index("ix_transactions_station_active", "station_id", "stopped_at"),
)

# One row per reading (a station's samples at one time), the samples packed as JSON:
# `persistence/meter_readings.py` says why and how.
meter_readings = Table(
    "meter_readings",
    metadata,
    Column("id", BigPk, primary_key=True, autoincrement=True),
    Column("station_id", String(48), nullable=False),
    Column("transaction_pk", BigInteger, ForeignKey("transactions.pk", ondelete="CASCADE")),
    Column("evse_id", Integer, nullable=False),
    Column("connector_id", Integer),
    Column("timestamp", UTCDateTime(), nullable=False),
    Column("samples", Text, nullable=False),
    Index("ix_meter_readings_tx", "transaction_pk", "timestamp"),
)

station_events = Table(
    "station_events",
    metadata,
    Column("id", BigPk, primary_key=True, autoincrement=True),
    Column("station_id", String(48), nullable=False),
    Column("kind", String(48), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    Column("data", JSON, nullable=False),
    Index("ix_station_events_station_kind", "station_id", "kind", "at"),
)

# The message log: a station's frames of one flush per row (csms.persistence.message_packs).
ocpp_message_packs = Table(
    "ocpp_message_packs",
    metadata,
    Column("id", BigPk, primary_key=True, autoincrement=True),
    Column("station_id", String(48), nullable=False),
    Column("first_at", UTCDateTime(), nullable=False),
    Column("last_at", UTCDateTime(), nullable=False),
    Column("frames", Integer, nullable=False),
    Column("data", LargeBinary, nullable=False),
    Index("ix_ocpp_message_packs_station", "station_id", "id"),
)

sites = Table(
    "sites",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(255), nullable=False),
    Column("grid_limit_kw", Float, nullable=False),
    Column("latitude", Float),
    Column("longitude", Float),
    Column("timezone", String(64)),
    Column("created_at", UTCDateTime(), nullable=False),
    # smart charging: defaults for sessions without preferences (migration 0004)
    Column("default_dwell_h", Float),
    Column("default_energy_kwh", Float),
    Column("default_mode", String(8)),
    # a local guard at the connection: firm green counts above the limit (migration 0018)
    Column("local_guard", Boolean, nullable=False, server_default="0"),
    # when the guard was declared, and when csms measured it not acting (migration 0023)
    Column("guard_since", UTCDateTime()),
    Column("guard_failed_at", UTCDateTime()),
    Column("guard_failed_kw", Float),
)

green_sources = Table(
    "green_sources",
    metadata,
    Column("site_id", String(64), ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True),
    Column("id", String(64), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("name", String(255)),
    Column("peak_kw", Float, nullable=False),
    Column("tilt_deg", Float, nullable=False),
    Column("azimuth_deg", Float, nullable=False),
    Column("on_site", Boolean, nullable=False),
)

source_readings = Table(
    "source_readings",
    metadata,
    Column("site_id", String(64), primary_key=True),
    Column("source_id", String(64), primary_key=True),
    Column("timestamp", UTCDateTime(), primary_key=True),
    Column("power_kw", Float, nullable=False),
)

# a source's weather-based forecast, the latest given replacing the last (migration 0020)
source_forecasts = Table(
    "source_forecasts",
    metadata,
    Column("site_id", String(64), primary_key=True),
    Column("source_id", String(64), primary_key=True),
    Column("start", UTCDateTime(), nullable=False),
    Column("slot_minutes", Integer, nullable=False),
    Column("power_kw", JSON, nullable=False),  # a list of kW
    Column("issued_at", UTCDateTime(), nullable=False),
    Column("received_at", UTCDateTime(), nullable=False),
    # "api", or the provider csms fetched it from (migration 0021)
    Column("origin", String(32), nullable=False, server_default="api"),
)

# how csms's last fetch of a source's forecast from the weather provider went (migration 0022):
# shared, so that every node of a cluster shows what the node that fetches saw
forecast_fetches = Table(
    "forecast_fetches",
    metadata,
    Column("site_id", String(64), primary_key=True),
    Column("source_id", String(64), primary_key=True),
    Column("provider", String(32), nullable=False),
    Column("checked_at", UTCDateTime(), nullable=False),
    Column("error", String(500)),
    Column("failing_since", UTCDateTime()),
    Column("ok_at", UTCDateTime()),
)

transaction_preferences = Table(
    "transaction_preferences",
    metadata,
    Column("transaction_pk", BigInteger, ForeignKey("transactions.pk", ondelete="CASCADE"),
           primary_key=True),
    Column("departure_at", UTCDateTime()),
    Column("energy_wh", Float),
    Column("mode", String(8), nullable=False),
    Column("defaulted", Boolean, nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)
