"""sites, green sources, readings, preferences

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 11:29:36.872788
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op




revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('sites',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('grid_limit_kw', sa.Float(), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('timezone', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sites'))
    )
    op.create_table('source_readings',
    sa.Column('site_id', sa.String(length=64), nullable=False),
    sa.Column('source_id', sa.String(length=64), nullable=False),
    sa.Column('timestamp', sa.DateTime(timezone=True), nullable=False),
    sa.Column('power_kw', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('site_id', 'source_id', 'timestamp', name=op.f('pk_source_readings'))
    )
    op.create_table('green_sources',
    sa.Column('site_id', sa.String(length=64), nullable=False),
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('peak_kw', sa.Float(), nullable=False),
    sa.Column('tilt_deg', sa.Float(), nullable=False),
    sa.Column('azimuth_deg', sa.Float(), nullable=False),
    sa.Column('on_site', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_green_sources_site_id_sites'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('site_id', 'id', name=op.f('pk_green_sources'))
    )
    op.create_table('transaction_preferences',
    sa.Column('transaction_pk', sa.BigInteger(), nullable=False),
    sa.Column('departure_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('energy_wh', sa.Float(), nullable=True),
    sa.Column('mode', sa.String(length=8), nullable=False),
    sa.Column('defaulted', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['transaction_pk'], ['transactions.pk'], name=op.f('fk_transaction_preferences_transaction_pk_transactions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('transaction_pk', name=op.f('pk_transaction_preferences'))
    )


def downgrade() -> None:
    op.drop_table('transaction_preferences')
    op.drop_table('green_sources')
    op.drop_table('source_readings')
    op.drop_table('sites')
