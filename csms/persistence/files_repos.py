"""Repositories for station jobs (firmware, logs) with their history, and upload slots."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, CursorResult, Row, delete, insert, select, update

from csms.domain.jobs import Job, JobStep, UploadedFile, UploadSlot
from csms.persistence.tables_files import station_job_steps, station_jobs, upload_slots

_j = station_jobs.c
_s = station_job_steps.c
_u = upload_slots.c


def _new_id(result: CursorResult[Any]) -> int:
    pk = result.inserted_primary_key
    assert pk is not None
    return int(pk[0])


class JobRepo:
    def __init__(self, conn: Connection) -> None:
        self._c = conn

    def add(self, station_id: str, kind: str, status: str, location: str,
            params: dict[str, Any], at: datetime) -> int:
        """Insert a job and its first step; its id is also the requestId sent for it."""
        job_id = _new_id(self._c.execute(insert(station_jobs).values(
            station_id=station_id, kind=kind, status=status, location=location, params=params,
            created_at=at, updated_at=at)))
        self._c.execute(update(station_jobs).where(_j.id == job_id).values(request_id=job_id))
        self._c.execute(insert(station_job_steps).values(job_id=job_id, status=status, at=at))
        return job_id

    def get(self, job_id: int) -> Job | None:
        row = self._c.execute(select(station_jobs).where(_j.id == job_id)).first()
        return self._with_steps([row])[0] if row else None

    def by_request(self, station_id: str, kind: str, request_id: int) -> Job | None:
        q = select(station_jobs).where(
            (_j.station_id == station_id) & (_j.kind == kind) & (_j.request_id == request_id))
        row = self._c.execute(q).first()
        return self._with_steps([row])[0] if row else None

    def latest_open(self, station_id: str, kind: str) -> Job | None:
        q = (select(station_jobs)
             .where((_j.station_id == station_id) & (_j.kind == kind) & _j.closed_at.is_(None))
             .order_by(_j.id.desc()).limit(1))
        row = self._c.execute(q).first()
        return self._with_steps([row])[0] if row else None

    def step(self, job_id: int, status: str, at: datetime, close: bool,
             params: dict[str, Any] | None = None, current: bool = True) -> None:
        """Append a status to the history and (if `current`) make it the job's status."""
        values: dict[str, Any] = {"updated_at": at}
        if current:
            values["status"] = status
        if close:
            values["closed_at"] = at
        if params is not None:
            values["params"] = params
        self._c.execute(update(station_jobs).where(_j.id == job_id).values(**values))
        self._c.execute(insert(station_job_steps).values(job_id=job_id, status=status, at=at))

    def open_ids(self, station_id: str, kind: str) -> list[int]:
        q = select(_j.id).where(
            (_j.station_id == station_id) & (_j.kind == kind) & _j.closed_at.is_(None))
        return [int(r[0]) for r in self._c.execute(q)]

    def delete(self, job_id: int) -> None:
        self._c.execute(delete(station_job_steps).where(_s.job_id == job_id))
        self._c.execute(delete(station_jobs).where(_j.id == job_id))

    def of_station(self, station_id: str, kind: str, limit: int = 100) -> list[Job]:
        q = (select(station_jobs).where((_j.station_id == station_id) & (_j.kind == kind))
             .order_by(_j.id.desc()).limit(limit))
        return self._with_steps(list(self._c.execute(q)))

    def _with_steps(self, rows: Sequence[Row[Any]]) -> list[Job]:
        ids = [r._mapping["id"] for r in rows]
        steps: dict[int, list[JobStep]] = {i: [] for i in ids}
        if ids:
            q = select(station_job_steps).where(_s.job_id.in_(ids)).order_by(_s.id)
            for s in self._c.execute(q):
                steps[s.job_id].append(JobStep(s.status, s.at))
        return [_job(r, tuple(steps[r._mapping["id"]])) for r in rows]


def _job(r: Row[Any], steps: tuple[JobStep, ...]) -> Job:
    m = r._mapping
    return Job(id=m["id"], station_id=m["station_id"], kind=m["kind"],
               request_id=m["request_id"], status=m["status"], location=m["location"],
               created_at=m["created_at"], updated_at=m["updated_at"],
               closed_at=m["closed_at"], params=dict(m["params"] or {}), history=steps)


class UploadRepo:
    def __init__(self, conn: Connection) -> None:
        self._c = conn

    def add_slot(self, station_id: str, token_hash: str, at: datetime,
                 expires_at: datetime) -> int:
        result = self._c.execute(insert(upload_slots).values(
            token_hash=token_hash, station_id=station_id, created_at=at, expires_at=expires_at))
        return _new_id(result)

    def link(self, slot_id: int, job_id: int) -> None:
        self._c.execute(update(upload_slots).where(_u.id == slot_id).values(job_id=job_id))

    def delete_slot(self, slot_id: int) -> None:
        self._c.execute(delete(upload_slots).where(_u.id == slot_id))

    def slot(self, token_hash: str) -> UploadSlot | None:
        r = self._c.execute(select(upload_slots).where(_u.token_hash == token_hash)).first()
        if r is None:
            return None
        return UploadSlot(id=r.id, station_id=r.station_id, job_id=r.job_id,
                          created_at=r.created_at, expires_at=r.expires_at, used_at=r.used_at)

    def fill(self, slot_id: int, at: datetime, file_name: str, content_type: str | None,
             size: int, sha256: str, stored_as: str) -> bool:
        """Use the slot once: False when it was used or expired meanwhile."""
        q = (update(upload_slots)
             .where((_u.id == slot_id) & _u.used_at.is_(None) & (_u.expires_at > at))
             .values(used_at=at, file_name=file_name, content_type=content_type, size=size,
                     sha256=sha256, stored_as=stored_as))
        return bool(self._c.execute(q).rowcount)

    def files(self, station_id: str, limit: int = 100) -> list[UploadedFile]:
        q = (select(upload_slots)
             .where((_u.station_id == station_id) & _u.used_at.is_not(None))
             .order_by(_u.id.desc()).limit(limit))
        return [_file(r) for r in self._c.execute(q)]

    def file(self, station_id: str, file_id: int) -> UploadedFile | None:
        q = select(upload_slots).where(
            (_u.station_id == station_id) & (_u.id == file_id) & _u.used_at.is_not(None))
        r = self._c.execute(q).first()
        return _file(r) if r else None


def _file(r: Row[Any]) -> UploadedFile:
    m = r._mapping
    return UploadedFile(id=m["id"], station_id=m["station_id"], job_id=m["job_id"],
                        file_name=m["file_name"], content_type=m["content_type"],
                        size=m["size"], sha256=m["sha256"], stored_as=m["stored_as"],
                        uploaded_at=m["used_at"])
