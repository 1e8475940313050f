"""station charging control

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 11:44:23.152772
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op




revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('stations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('charging_control', sa.String(length=16), server_default='managed', nullable=False))
        batch_op.add_column(sa.Column('charging_control_reason', sa.Text(), nullable=True))
        batch_op.create_index('ix_stations_site', ['site_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('stations', schema=None) as batch_op:
        batch_op.drop_index('ix_stations_site')
        batch_op.drop_column('charging_control_reason')
        batch_op.drop_column('charging_control')

