"""Tables of firmware/log jobs, their status history, and one-time upload slots with the
files stations uploaded through them (migration 0005)."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Index, String, Table, Text

from csms.persistence.tables import BigPk, metadata
from csms.persistence.types import UTCDateTime

station_jobs = Table(
    "station_jobs",
    metadata,
    Column("id", BigPk, primary_key=True, autoincrement=True),
    Column("station_id", String(48), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("request_id", BigInteger),
    Column("status", String(32), nullable=False),
    Column("location", Text, nullable=False),
    Column("params", JSON, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("closed_at", UTCDateTime()),
    Index("ix_station_jobs_station_kind", "station_id", "kind", "id"),
    sqlite_autoincrement=True,  # ids are requestIds: never reuse one of a dropped job
)

station_job_steps = Table(
    "station_job_steps",
    metadata,
    Column("id", BigPk, primary_key=True, autoincrement=True),
    Column("job_id", BigInteger, ForeignKey("station_jobs.id", ondelete="CASCADE"),
           nullable=False),
    Column("status", String(32), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    Index("ix_station_job_steps_job", "job_id", "id"),
)

upload_slots = Table(
    "upload_slots",
    metadata,
    Column("id", BigPk, primary_key=True, autoincrement=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("station_id", String(48), nullable=False),
    Column("job_id", BigInteger),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("used_at", UTCDateTime()),
    # the file, once uploaded
    Column("file_name", String(255)),
    Column("content_type", String(255)),
    Column("size", BigInteger),
    Column("sha256", String(64)),
    Column("stored_as", String(255)),
    Index("ix_upload_slots_station", "station_id", "id"),
)

__all__ = ["station_job_steps", "station_jobs", "upload_slots"]
