"""Reservations, per-station local authorization lists, requested availability.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reservations",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("station_id", sa.String(48), nullable=False),
        sa.Column("evse_id", sa.Integer(), nullable=False),
        sa.Column("id_token", sa.String(36), nullable=False),
        sa.Column("group_id", sa.String(36)),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("transaction_id", sa.String(64)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("history", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_reservations"),
    )
    op.create_index("ix_reservations_station_status", "reservations", ["station_id", "status"])
    op.create_table(
        "local_lists",
        sa.Column("station_id", sa.String(48), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("entries", sa.JSON(), nullable=False),
        sa.Column("needs_full", sa.Boolean(), nullable=False),
        sa.Column("last_status", sa.String(32)),
        sa.Column("last_update", sa.String(16)),
        sa.Column("last_error", sa.Text()),
        sa.Column("synced_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("station_id", name="pk_local_lists"),
    )
    op.create_table(
        "availability_requests",
        sa.Column("station_id", sa.String(48), nullable=False),
        sa.Column("evse_id", sa.Integer(), nullable=False),
        sa.Column("connector_id", sa.Integer(), nullable=False),
        sa.Column("operative", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("station_id", "evse_id", "connector_id",
                                name="pk_availability_requests"),
    )


def downgrade() -> None:
    op.drop_table("availability_requests")
    op.drop_table("local_lists")
    op.drop_index("ix_reservations_station_status", table_name="reservations")
    op.drop_table("reservations")
