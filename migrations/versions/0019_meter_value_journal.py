"""Meter values arrive in a journal without an index and are filed by transaction later

Each meter value written straight into `meter_values` put an entry into its index by
transaction, a page at a random place inside the commit a station's reply waits for. The
journal is appended to instead (its rows share the batch's pages) and filed into
`meter_values` in bulk off the reply path (csms/persistence/samples.py).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 08:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0019'
down_revision: str | None = '0018'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = ('station_id', 'transaction_pk', 'evse_id', 'connector_id', 'timestamp',
            'measurand', 'value', 'unit', 'si_value', 'phase', 'location', 'context')


def upgrade() -> None:
    op.create_table(
        'meter_value_journal',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'),
                  autoincrement=True, nullable=False),
        sa.Column('station_id', sa.String(length=48), nullable=False),
        sa.Column('transaction_pk', sa.BigInteger(), nullable=True),
        sa.Column('evse_id', sa.Integer(), nullable=False),
        sa.Column('connector_id', sa.Integer(), nullable=True),
        sa.Column('timestamp', sa.DateTime(timezone=True), nullable=False),
        sa.Column('measurand', sa.String(length=64), nullable=False),
        sa.Column('value', sa.Float(), nullable=False),
        sa.Column('unit', sa.String(length=16), nullable=True),
        sa.Column('si_value', sa.Float(), nullable=True),
        sa.Column('phase', sa.String(length=8), nullable=True),
        sa.Column('location', sa.String(length=16), nullable=True),
        sa.Column('context', sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ['transaction_pk'], ['transactions.pk'],
            name=op.f('fk_meter_value_journal_transaction_pk_transactions'),
            ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_meter_value_journal')),
    )


def downgrade() -> None:
    # what was not filed yet is filed first: a downgrade loses no meter value
    cols = ', '.join(_COLUMNS)
    op.execute(f'INSERT INTO meter_values ({cols}) SELECT {cols} FROM meter_value_journal '
               'ORDER BY id')
    op.drop_table('meter_value_journal')
