"""When a site declared its local guard, and when csms measured the guard not acting

A guard lets plans count on green above the site's limit; csms now checks it against the
import it measures (the chargers' registers less the on-site readings) and stops counting on
it once the import stayed above the limit, until the site declares it again. Sites guarded
before this have no declaration time: they are judged from their creation.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-08 04:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0023'
down_revision: str | None = '0022'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('sites') as batch:
        batch.add_column(sa.Column('guard_since', sa.DateTime(timezone=True)))
        batch.add_column(sa.Column('guard_failed_at', sa.DateTime(timezone=True)))
        batch.add_column(sa.Column('guard_failed_kw', sa.Float()))


def downgrade() -> None:
    with op.batch_alter_table('sites') as batch:
        batch.drop_column('guard_failed_kw')
        batch.drop_column('guard_failed_at')
        batch.drop_column('guard_since')
