"""Certificates: the built-in CA and the station certificates it issued.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_TZ = sa.DateTime(timezone=True)
_PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "certificate_authorities",
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("cert_pem", sa.Text(), nullable=False),
        sa.Column("key_pem", sa.Text(), nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_certificate_authorities")),
    )
    op.create_table(
        "issued_certificates",
        sa.Column("id", _PK, autoincrement=True, nullable=False),
        sa.Column("serial", sa.String(48), nullable=False),
        sa.Column("station_id", sa.String(48), nullable=False),
        sa.Column("certificate_type", sa.String(32), nullable=False),
        sa.Column("common_name", sa.String(64), nullable=False),
        sa.Column("not_before", _TZ, nullable=False),
        sa.Column("not_after", _TZ, nullable=False),
        sa.Column("pem", sa.Text(), nullable=False),
        sa.Column("issued_at", _TZ, nullable=False),
        sa.Column("delivery", sa.String(16), server_default="pending", nullable=False),
        sa.Column("revoked_at", _TZ, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issued_certificates")),
        sa.UniqueConstraint("serial", name=op.f("uq_issued_certificates_serial")),
    )
    op.create_index("ix_issued_certificates_station", "issued_certificates",
                    ["station_id", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_issued_certificates_station", table_name="issued_certificates")
    op.drop_table("issued_certificates")
    op.drop_table("certificate_authorities")
