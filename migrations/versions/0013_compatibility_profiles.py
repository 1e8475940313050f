"""Compatibility profiles per station and per vendor/model; the violations stations sent.

Revision ID: 0013
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _profile_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("lenient_validation", sa.Boolean(), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=True),
        sa.Column("id_token_pattern", sa.String(200), nullable=True),
        sa.Column("meter_register", sa.String(16), nullable=False),
        sa.Column("ping", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "station_compatibility",
        sa.Column("station_id", sa.String(48), nullable=False),
        *_profile_columns(),
        sa.ForeignKeyConstraint(["station_id"], ["stations.id"], ondelete="CASCADE",
                                name="fk_station_compatibility_station_id_stations"),
        sa.PrimaryKeyConstraint("station_id", name="pk_station_compatibility"),
    )
    op.create_table(
        "model_compatibility",
        sa.Column("vendor_key", sa.String(64), nullable=False),
        sa.Column("model_key", sa.String(64), nullable=False),
        sa.Column("vendor", sa.String(64), nullable=False),
        sa.Column("model", sa.String(64), nullable=False),
        *_profile_columns(),
        sa.PrimaryKeyConstraint("vendor_key", "model_key", name="pk_model_compatibility"),
    )
    op.create_table(
        "station_violations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("station_id", sa.String(48), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("path", sa.String(255), nullable=False),
        sa.Column("message", sa.String(500), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.ForeignKeyConstraint(["station_id"], ["stations.id"], ondelete="CASCADE",
                                name="fk_station_violations_station_id_stations"),
        sa.PrimaryKeyConstraint("id", name="pk_station_violations"),
    )
    op.create_index("ix_station_violations_station", "station_violations", ["station_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_station_violations_station", table_name="station_violations")
    op.drop_table("station_violations")
    op.drop_table("model_compatibility")
    op.drop_table("station_compatibility")
