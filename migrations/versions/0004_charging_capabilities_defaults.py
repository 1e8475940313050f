"""Charging capabilities per station, defaults per site and per token group.

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "station_charging_capabilities",
        sa.Column("station_id", sa.String(48), nullable=False),
        sa.Column("smart_charging", sa.Boolean(), nullable=True),
        sa.Column("rate_units", sa.String(8), nullable=True),
        sa.Column("max_periods", sa.Integer(), nullable=True),
        sa.Column("max_stack_level", sa.Integer(), nullable=True),
        sa.Column("max_profiles", sa.Integer(), nullable=True),
        sa.Column("limit_change_significance", sa.Float(), nullable=True),
        sa.Column("evse_max_kw", sa.JSON(), nullable=True),
        sa.Column("probed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["station_id"], ["stations.id"], ondelete="CASCADE",
            name="fk_station_charging_capabilities_station_id_stations"),
        sa.PrimaryKeyConstraint("station_id", name="pk_station_charging_capabilities"),
    )
    op.create_table(
        "token_group_defaults",
        sa.Column("group_id", sa.String(64), nullable=False),
        sa.Column("dwell_h", sa.Float(), nullable=True),
        sa.Column("energy_kwh", sa.Float(), nullable=True),
        sa.Column("mode", sa.String(8), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("group_id", name="pk_token_group_defaults"),
    )
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.add_column(sa.Column("default_dwell_h", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("default_energy_kwh", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("default_mode", sa.String(8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.drop_column("default_mode")
        batch_op.drop_column("default_energy_kwh")
        batch_op.drop_column("default_dwell_h")
    op.drop_table("token_group_defaults")
    op.drop_table("station_charging_capabilities")
