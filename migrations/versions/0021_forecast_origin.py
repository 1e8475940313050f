"""Who gave a source's forecast: someone through the API, or a provider csms fetched it from

csms can now fetch a forecast itself (CSMS_FORECAST_PROVIDER). A forecast given through the API
takes precedence over a fetched one until it ends, so each stored forecast says where it came
from. Forecasts stored before were all given through the API.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-08 01:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0021'
down_revision: str | None = '0020'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('source_forecasts') as batch:
        batch.add_column(sa.Column('origin', sa.String(length=32), nullable=False,
                                   server_default='api'))


def downgrade() -> None:
    with op.batch_alter_table('source_forecasts') as batch:
        batch.drop_column('origin')
