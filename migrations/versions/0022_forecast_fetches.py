"""How csms's last fetch of each source's forecast from the weather provider went

The fetch runs on the node that plans a site, its failures went to that node's log only: an
operator looking at the console or the API on any node could not tell a site planning on an
hours-old forecast because the provider refuses it from one planning on a fresh one.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-08 03:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0022'
down_revision: str | None = '0021'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'forecast_fetches',
        sa.Column('site_id', sa.String(length=64), nullable=False),
        sa.Column('source_id', sa.String(length=64), nullable=False),
        sa.Column('provider', sa.String(length=32), nullable=False),
        sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('error', sa.String(length=500)),
        sa.Column('failing_since', sa.DateTime(timezone=True)),
        sa.Column('ok_at', sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint('site_id', 'source_id', name=op.f('pk_forecast_fetches')),
    )


def downgrade() -> None:
    op.drop_table('forecast_fetches')
