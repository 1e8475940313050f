"""The security profile each station must connect with; existing stations keep what their
password meant: required (profile 1) when they have one, nothing (profile 0) otherwise

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 20:50:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('stations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('security_profile', sa.Integer(), server_default='0',
                                      nullable=False))
    op.execute("UPDATE stations SET security_profile = 1 WHERE password_hash IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table('stations', schema=None) as batch_op:
        batch_op.drop_column('security_profile')
