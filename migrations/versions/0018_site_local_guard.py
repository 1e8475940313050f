"""A site says whether it has a local guard at its connection point

A controller that curtails the chargers within seconds when the import exceeds the limit (an
inverter trip) is what lets csms count on a firm share of on-site green above the limit
(docs/planner.md, "Firm green and the inverter trip"). Existing sites have none: they keep
the strict rule, the load within the limit whatever the green does.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 03:20:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0018'
# 0017 (the message log's packs) is on main; this branch was cut before it landed
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.add_column(sa.Column('local_guard', sa.Boolean(), server_default='0',
                                      nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.drop_column('local_guard')
