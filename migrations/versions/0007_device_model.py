"""Device model: variables, report requests, monitors, events, display messages.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_TZ = sa.DateTime(timezone=True)


def _key() -> list[sa.Column[object]]:
    return [
        sa.Column("component", sa.String(50), nullable=False),
        sa.Column("component_instance", sa.String(50), nullable=False),
        sa.Column("evse_id", sa.Integer(), nullable=False),
        sa.Column("connector_id", sa.Integer(), nullable=False),
        sa.Column("variable", sa.String(50), nullable=False),
        sa.Column("variable_instance", sa.String(50), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "device_variables",
        sa.Column("station_id", sa.String(48), nullable=False),
        *_key(),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("unit", sa.String(16)),
        sa.Column("data_type", sa.String(32)),
        sa.Column("min_limit", sa.Text()),
        sa.Column("max_limit", sa.Text()),
        sa.Column("values_list", sa.Text()),
        sa.Column("supports_monitoring", sa.Boolean()),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("request_id", sa.Integer()),
        sa.Column("updated_at", _TZ, nullable=False),
        sa.PrimaryKeyConstraint(
            "station_id", "component", "component_instance", "evse_id", "connector_id",
            "variable", "variable_instance", name=op.f("pk_device_variables")),
    )
    op.create_table(
        "device_requests",
        sa.Column("station_id", sa.String(48), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("full", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("parts", sa.Integer(), nullable=False),
        sa.Column("requested_at", _TZ, nullable=False),
        sa.Column("completed_at", _TZ),
        sa.PrimaryKeyConstraint("station_id", "request_id", name=op.f("pk_device_requests")),
    )
    op.create_table(
        "device_monitors",
        sa.Column("station_id", sa.String(48), nullable=False),
        sa.Column("monitor_id", sa.Integer(), nullable=False),
        *_key(),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("severity", sa.Integer(), nullable=False),
        sa.Column("transaction", sa.Boolean(), nullable=False),
        sa.Column("updated_at", _TZ, nullable=False),
        sa.PrimaryKeyConstraint("station_id", "monitor_id", name=op.f("pk_device_monitors")),
    )
    op.create_table(
        "device_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                  autoincrement=True, nullable=False),
        sa.Column("station_id", sa.String(48), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("timestamp", _TZ, nullable=False),
        sa.Column("trigger", sa.String(16), nullable=False),
        sa.Column("cause", sa.Integer()),
        sa.Column("actual_value", sa.Text(), nullable=False),
        sa.Column("tech_code", sa.String(50)),
        sa.Column("tech_info", sa.Text()),
        sa.Column("cleared", sa.Boolean()),
        sa.Column("transaction_id", sa.String(36)),
        sa.Column("variable_monitoring_id", sa.Integer()),
        sa.Column("notification_type", sa.String(32), nullable=False),
        *_key(),
        sa.Column("received_at", _TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device_events")),
    )
    op.create_index("ix_device_events_station", "device_events", ["station_id", "id"])
    op.create_table(
        "display_messages",
        sa.Column("station_id", sa.String(48), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("priority", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16)),
        sa.Column("start_at", _TZ),
        sa.Column("end_at", _TZ),
        sa.Column("transaction_id", sa.String(36)),
        sa.Column("evse_id", sa.Integer()),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("format", sa.String(8), nullable=False),
        sa.Column("language", sa.String(8)),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("updated_at", _TZ, nullable=False),
        sa.PrimaryKeyConstraint("station_id", "message_id", name=op.f("pk_display_messages")),
    )


def downgrade() -> None:
    op.drop_table("display_messages")
    op.drop_index("ix_device_events_station", table_name="device_events")
    op.drop_table("device_events")
    op.drop_table("device_monitors")
    op.drop_table("device_requests")
    op.drop_table("device_variables")
