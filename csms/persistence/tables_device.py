"""Device model tables: what csms knows of each station's variables,
monitors, events, report requests and display messages. Migration 0007 creates them.

Optional parts of a component/variable key (instance, EVSE, connector) are stored as '' or 0
rather than NULL, so that the primary key identifies a variable on every database.
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Index, Integer, String, Table, Text

from csms.persistence.tables import BigPk, metadata
from csms.persistence.types import UTCDateTime


def _key_columns() -> list[Column[object]]:
    return [
        Column("component", String(50), primary_key=True),
        Column("component_instance", String(50), primary_key=True),
        Column("evse_id", Integer, primary_key=True),
        Column("connector_id", Integer, primary_key=True),
        Column("variable", String(50), primary_key=True),
        Column("variable_instance", String(50), primary_key=True),
    ]


device_variables = Table(
    "device_variables",
    metadata,
    Column("station_id", String(48), primary_key=True),
    *_key_columns(),
    # [{type, value, mutability, persistent, constant}], as the station reported them
    Column("attributes", JSON, nullable=False),
    Column("unit", String(16)),
    Column("data_type", String(32)),
    Column("min_limit", Text),
    Column("max_limit", Text),
    Column("values_list", Text),
    Column("supports_monitoring", Boolean),
    Column("source", String(16), nullable=False),  # report | configuration | variables
    Column("request_id", Integer),
    Column("updated_at", UTCDateTime(), nullable=False),
)

device_requests = Table(
    "device_requests",
    metadata,
    Column("station_id", String(48), primary_key=True),
    Column("request_id", Integer, primary_key=True),
    # FullInventory | ConfigurationInventory | SummaryInventory | Custom | Monitoring |
    # DisplayMessages | Unsolicited
    Column("kind", String(32), nullable=False),
    Column("full", Boolean, nullable=False),  # a complete answer replaces what was stored
    Column("status", String(32), nullable=False),  # Requested | Accepted | ... | Complete
    Column("parts", Integer, nullable=False),
    Column("requested_at", UTCDateTime(), nullable=False),
    Column("completed_at", UTCDateTime()),
)

device_monitors = Table(
    "device_monitors",
    metadata,
    Column("station_id", String(48), primary_key=True),
    Column("monitor_id", Integer, primary_key=True),
    Column("component", String(50), nullable=False),
    Column("component_instance", String(50), nullable=False),
    Column("evse_id", Integer, nullable=False),
    Column("connector_id", Integer, nullable=False),
    Column("variable", String(50), nullable=False),
    Column("variable_instance", String(50), nullable=False),
    Column("type", String(32), nullable=False),
    Column("value", Text, nullable=False),
    Column("severity", Integer, nullable=False),
    Column("transaction", Boolean, nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

device_events = Table(
    "device_events",
    metadata,
    Column("id", BigPk, primary_key=True, autoincrement=True),
    Column("station_id", String(48), nullable=False),
    Column("event_id", Integer, nullable=False),
    Column("timestamp", UTCDateTime(), nullable=False),
    Column("trigger", String(16), nullable=False),
    Column("cause", Integer),
    Column("actual_value", Text, nullable=False),
    Column("tech_code", String(50)),
    Column("tech_info", Text),
    Column("cleared", Boolean),
    Column("transaction_id", String(36)),
    Column("variable_monitoring_id", Integer),
    Column("notification_type", String(32), nullable=False),
    Column("component", String(50), nullable=False),
    Column("component_instance", String(50), nullable=False),
    Column("evse_id", Integer, nullable=False),
    Column("connector_id", Integer, nullable=False),
    Column("variable", String(50), nullable=False),
    Column("variable_instance", String(50), nullable=False),
    Column("received_at", UTCDateTime(), nullable=False),
    Index("ix_device_events_station", "station_id", "id"),
)

display_messages = Table(
    "display_messages",
    metadata,
    Column("station_id", String(48), primary_key=True),
    Column("message_id", Integer, primary_key=True),
    Column("priority", String(16), nullable=False),
    Column("state", String(16)),
    Column("start_at", UTCDateTime()),
    Column("end_at", UTCDateTime()),
    Column("transaction_id", String(36)),
    Column("evse_id", Integer),
    Column("content", Text, nullable=False),
    Column("format", String(8), nullable=False),
    Column("language", String(8)),
    Column("source", String(16), nullable=False),  # set (by csms) | reported (by the station)
    Column("updated_at", UTCDateTime(), nullable=False),
)
