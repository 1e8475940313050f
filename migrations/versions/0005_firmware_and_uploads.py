"""Firmware and log jobs with their status history; one-time upload slots and their files.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

BigPk = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "station_jobs",
        sa.Column("id", BigPk, primary_key=True, autoincrement=True),
        sa.Column("station_id", sa.String(48), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("request_id", sa.BigInteger()),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("id", name="pk_station_jobs"),
        sqlite_autoincrement=True,  # ids are requestIds: never reuse one of a dropped job
    )
    op.create_index("ix_station_jobs_station_kind", "station_jobs",
                    ["station_id", "kind", "id"])
    op.create_table(
        "station_job_steps",
        sa.Column("id", BigPk, primary_key=True, autoincrement=True),
        sa.Column("job_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_station_job_steps"),
        sa.ForeignKeyConstraint(["job_id"], ["station_jobs.id"], ondelete="CASCADE",
                                name="fk_station_job_steps_job_id_station_jobs"),
    )
    op.create_index("ix_station_job_steps_job", "station_job_steps", ["job_id", "id"])
    op.create_table(
        "upload_slots",
        sa.Column("id", BigPk, primary_key=True, autoincrement=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("station_id", sa.String(48), nullable=False),
        sa.Column("job_id", sa.BigInteger()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True)),
        sa.Column("file_name", sa.String(255)),
        sa.Column("content_type", sa.String(255)),
        sa.Column("size", sa.BigInteger()),
        sa.Column("sha256", sa.String(64)),
        sa.Column("stored_as", sa.String(255)),
        sa.PrimaryKeyConstraint("id", name="pk_upload_slots"),
        sa.UniqueConstraint("token_hash", name="uq_upload_slots_token_hash"),
    )
    op.create_index("ix_upload_slots_station", "upload_slots", ["station_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_upload_slots_station", table_name="upload_slots")
    op.drop_table("upload_slots")
    op.drop_index("ix_station_job_steps_job", table_name="station_job_steps")
    op.drop_table("station_job_steps")
    op.drop_index("ix_station_jobs_station_kind", table_name="station_jobs")
    op.drop_table("station_jobs")
