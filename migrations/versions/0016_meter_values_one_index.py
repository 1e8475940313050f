"""Meter values keep one index, by transaction: no query reads them by station

Every meter value row paid for a second B-tree insert at a random place (station, time) that
no query used: the busiest table of the hot path is written with one index less.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 00:10:00
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('meter_values', schema=None) as batch_op:
        batch_op.drop_index('ix_meter_values_station_ts')


def downgrade() -> None:
    with op.batch_alter_table('meter_values', schema=None) as batch_op:
        batch_op.create_index('ix_meter_values_station_ts', ['station_id', 'timestamp'],
                              unique=False)
