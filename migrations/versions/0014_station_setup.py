"""Station set-up on boot: each site's metering policy, each station's answers

Revision ID: 0014
Revises: 0011
Create Date: 2026-12-06 20:50:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

_TZ = sa.DateTime(timezone=True)

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'site_metering_policies',
        sa.Column('site_id', sa.String(length=64), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('sampled_measurands', sa.Text(), nullable=False),
        sa.Column('sample_interval_s', sa.Integer(), nullable=False),
        sa.Column('aligned_measurands', sa.Text(), nullable=False),
        sa.Column('aligned_interval_s', sa.Integer(), nullable=False),
        sa.Column('ended_measurands', sa.Text(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('updated_at', _TZ, nullable=False),
        sa.ForeignKeyConstraint(['site_id'], ['sites.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('site_id'),
    )
    op.create_table(
        'station_applied_settings',
        sa.Column('station_id', sa.String(length=48), nullable=False),
        sa.Column('setting', sa.String(length=32), nullable=False),
        sa.Column('requested', sa.Text(), nullable=False),
        sa.Column('value', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=32), nullable=False),
        sa.Column('key', sa.String(length=128), nullable=False),
        sa.Column('policy_site_id', sa.String(length=64), nullable=True),
        sa.Column('policy_version', sa.Integer(), nullable=False),
        sa.Column('firmware_version', sa.String(length=64), nullable=True),
        sa.Column('asked_at', _TZ, nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['station_id'], ['stations.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('station_id', 'setting'),
    )


def downgrade() -> None:
    op.drop_table('station_applied_settings')
    op.drop_table('site_metering_policies')
