"""Tariffs and the tariff each transaction is priced with; charging state per station:
installed profiles, ReportChargingProfiles parts, external charging limits.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_TZ = sa.DateTime(timezone=True)
_PRICES = ("price_per_kwh", "green_price_per_kwh", "price_per_minute", "session_fee")


def _prices() -> list[sa.Column]:  # type: ignore[type-arg]
    return [sa.Column(name, sa.String(32), nullable=False) for name in _PRICES]


def upgrade() -> None:
    op.create_table(
        "tariffs",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(255)),
        sa.Column("currency", sa.String(3), nullable=False),
        *_prices(),
        sa.Column("site_id", sa.String(64)),
        sa.Column("group_id", sa.String(64)),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("updated_at", _TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_tariffs"),
        sa.UniqueConstraint("site_id", name="uq_tariffs_site_id"),
        sa.UniqueConstraint("group_id", name="uq_tariffs_group_id"),
    )
    op.create_table(
        "transaction_tariffs",
        sa.Column("transaction_pk", sa.BigInteger(), nullable=False),
        sa.Column("tariff_id", sa.String(64), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        *_prices(),
        sa.Column("bound_at", _TZ, nullable=False),
        sa.ForeignKeyConstraint(["transaction_pk"], ["transactions.pk"], ondelete="CASCADE",
                                name="fk_transaction_tariffs_transaction_pk_transactions"),
        sa.PrimaryKeyConstraint("transaction_pk", name="pk_transaction_tariffs"),
    )
    op.create_table(
        "installed_profiles",
        sa.Column("station_id", sa.String(48), nullable=False),
        sa.Column("profile_id", sa.Integer(), nullable=False),
        sa.Column("evse_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("stack_level", sa.Integer(), nullable=False),
        sa.Column("transaction_id", sa.String(64)),
        sa.Column("profile", sa.JSON(), nullable=False),
        sa.Column("set_at", _TZ, nullable=False),
        sa.ForeignKeyConstraint(["station_id"], ["stations.id"], ondelete="CASCADE",
                                name="fk_installed_profiles_station_id_stations"),
        sa.PrimaryKeyConstraint("station_id", "profile_id", name="pk_installed_profiles"),
    )
    op.create_index("ix_installed_profiles_tx", "installed_profiles",
                    ["station_id", "transaction_id"])
    op.create_table(
        "charging_profile_reports",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False,
                  autoincrement=True),
        sa.Column("station_id", sa.String(48), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("evse_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("profiles", sa.JSON(), nullable=False),
        sa.Column("tbc", sa.Boolean(), nullable=False),
        sa.Column("received_at", _TZ, nullable=False),
        sa.ForeignKeyConstraint(["station_id"], ["stations.id"], ondelete="CASCADE",
                                name="fk_charging_profile_reports_station_id_stations"),
        sa.PrimaryKeyConstraint("id", name="pk_charging_profile_reports"),
    )
    op.create_index("ix_charging_profile_reports_station", "charging_profile_reports",
                    ["station_id", "request_id"])
    op.create_table(
        "charging_limits",
        sa.Column("station_id", sa.String(48), nullable=False),
        sa.Column("evse_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("grid_critical", sa.Boolean()),
        sa.Column("schedules", sa.JSON(), nullable=False),
        sa.Column("received_at", _TZ, nullable=False),
        sa.ForeignKeyConstraint(["station_id"], ["stations.id"], ondelete="CASCADE",
                                name="fk_charging_limits_station_id_stations"),
        sa.PrimaryKeyConstraint("station_id", "evse_id", "source", name="pk_charging_limits"),
    )


def downgrade() -> None:
    op.drop_table("charging_limits")
    op.drop_index("ix_charging_profile_reports_station", table_name="charging_profile_reports")
    op.drop_table("charging_profile_reports")
    op.drop_index("ix_installed_profiles_tx", table_name="installed_profiles")
    op.drop_table("installed_profiles")
    op.drop_table("transaction_tariffs")
    op.drop_table("tariffs")
