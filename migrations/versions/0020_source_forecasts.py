"""A green source's weather-based forecast, given through the API

Until now csms serve knew only the clear sky times a seasonal factor, corrected by readings:
no cloud that a weather forecast sees coming. A source may now carry the latest forecast its
co-operative gets (a provider's, the grid operator's, its own); the planner corrects it with
the readings as plan-day does. One row per source: a new forecast replaces the last.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 22:10:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0020'
down_revision: str | None = '0019'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'source_forecasts',
        sa.Column('site_id', sa.String(length=64), nullable=False),
        sa.Column('source_id', sa.String(length=64), nullable=False),
        sa.Column('start', sa.DateTime(timezone=True), nullable=False),
        sa.Column('slot_minutes', sa.Integer(), nullable=False),
        sa.Column('power_kw', sa.JSON(), nullable=False),
        sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('site_id', 'source_id', name=op.f('pk_source_forecasts')),
    )


def downgrade() -> None:
    op.drop_table('source_forecasts')
