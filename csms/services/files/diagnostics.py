"""Diagnostics and log uploads: jobs like firmware, plus csms's own upload endpoint.

When the caller of get-diagnostics gives no location, csms hands the station a one-time URL
`{public_api_url}/api/v1/uploads/{token}/`. Only the token's SHA-256 is stored; the URL
expires, is used up by the first complete upload, and is removed when the station refuses
the request. Files are stored under names csms chooses; the station's name is metadata.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any, Protocol

from csms.clock import Clock
from csms.domain import jobs
from csms.domain.commands.files import GetDiagnostics, LogResult
from csms.domain.errors import InvalidInput, NotFound
from csms.domain.jobs import Job, UploadedFile, UploadSlot, safe_file_name
from csms.services.files.firmware import JobTracker, plain
from csms.services.ports import Database, StationGateway, UnitOfWork

log = logging.getLogger("csms.uploads")

UPLOAD_PATH = "/api/v1/uploads"


class FileStore(Protocol):
    def put(self, key: str, data: bytes) -> None: ...
    def delete(self, key: str) -> None: ...
    def exists(self, key: str) -> bool: ...
    def path(self, key: str) -> str: ...


@dataclass(frozen=True)
class UploadConfig:
    max_bytes: int
    token_ttl_s: float
    base_url: Callable[[], str]  # the public API base, known once the API port is bound


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


class DiagnosticsService:
    def __init__(self, db: Database, clock: Clock, store: FileStore,
                 config: UploadConfig, gateway: StationGateway) -> None:
        self._db = db
        self._gateway = gateway
        self._clock = clock
        self._store = store
        self.config = config
        self.jobs = JobTracker(db, clock, jobs.LOG)

    # --- the get-diagnostics command ------------------------------------------------------

    async def request(self, station_id: str, command: GetDiagnostics) -> LogResult:
        """Send get-diagnostics as a job: fill in csms's own upload URL when no location is
        given, and keep the job (and the URL) only if the station accepts."""
        params = {"log_type": command.log_type or "diagnostics",
                  "start": plain(command.start), "stop": plain(command.stop)}
        if command.location is not None:
            return await self.jobs.run(station_id, command, self._gateway, command.location,
                                       params)
        base = self.config.base_url().rstrip("/") + UPLOAD_PATH
        token = secrets.token_urlsafe(32)
        now = self._clock.now()
        expires = now + timedelta(seconds=self.config.token_ttl_s)
        slot_id = await self._db.write(lambda uow: uow.uploads.add_slot(
            station_id, token_hash(token), now, expires))
        params["upload_expires_at"] = expires.isoformat()
        try:
            result = await self.jobs.run(
                station_id, replace(command, location=f"{base}/{token}/"), self._gateway,
                f"{base}/<one-time token>/", params,
                on_accept=lambda uow, job_id: uow.uploads.link(slot_id, job_id))
        except BaseException:
            await self._db.write(lambda uow: uow.uploads.delete_slot(slot_id))
            raise
        if result.job_id is None:
            await self._db.write(lambda uow: uow.uploads.delete_slot(slot_id))
        return result

    async def status(self, station_id: str, action: str, payload: dict[str, Any],
                     status: str, request_id: int | None) -> None:
        await self.jobs.notified(station_id, action, payload, status, request_id)

    # --- the upload endpoint --------------------------------------------------------------

    async def slot(self, token: str) -> UploadSlot:
        """The slot a token opens; checked before the body is read."""
        found = await self._db.read(lambda uow: uow.uploads.slot(token_hash(token)))
        if found is None:
            raise NotFound("unknown upload URL")
        if found.used_at is not None:
            raise NotFound("this upload URL was already used")
        if found.expires_at <= self._clock.now():
            raise NotFound("this upload URL has expired")
        return found

    async def receive(self, slot: UploadSlot, name: str | None, content_type: str | None,
                      data: bytes) -> UploadedFile:
        """Store the file, then use the slot up; if the slot is gone meanwhile (a concurrent
        upload won), the file is removed again: nothing half-written stays."""
        if not data:
            raise InvalidInput("the upload is empty")
        if len(data) > self.config.max_bytes:
            raise InvalidInput(f"the upload exceeds {self.config.max_bytes} bytes")
        file_name = safe_file_name(name, f"upload-{slot.id}.bin")
        key = f"{slot.id}-{secrets.token_hex(8)}"
        digest = hashlib.sha256(data).hexdigest()
        await asyncio.to_thread(self._store.put, key, data)
        at = self._clock.now()
        ctype = (content_type or "")[:255] or None
        try:
            filled = await self._db.write(lambda uow: uow.uploads.fill(
                slot.id, at, file_name, ctype, len(data), digest, key))
        except BaseException:
            await asyncio.to_thread(self._store.delete, key)
            raise
        if not filled:
            await asyncio.to_thread(self._store.delete, key)
            raise NotFound("this upload URL was already used or has expired")
        log.info("received %s (%d bytes)", file_name, len(data),
                 extra={"station_id": slot.station_id})
        return UploadedFile(slot.id, slot.station_id, slot.job_id, file_name, ctype,
                            len(data), digest, key, at)

    # --- reading --------------------------------------------------------------------------

    async def overview(self, station_id: str) -> tuple[list[Job], list[UploadedFile]]:
        def work(uow: UnitOfWork) -> tuple[list[Job], list[UploadedFile]]:
            if uow.stations.get(station_id) is None:
                raise NotFound(f"station {station_id!r} not found")
            return uow.jobs.of_station(station_id, jobs.LOG), uow.uploads.files(station_id)

        return await self._db.read(work)

    async def file(self, station_id: str, file_id: int) -> tuple[UploadedFile, str]:
        """The file's metadata and where it lies on this server's disk."""
        found = await self._db.read(lambda uow: uow.uploads.file(station_id, file_id))
        if found is None:
            raise NotFound(f"no uploaded file {file_id} for station {station_id!r}")
        if not await asyncio.to_thread(self._store.exists, found.stored_as):
            raise NotFound(f"file {file_id} is not in this server's upload directory")
        return found, self._store.path(found.stored_as)
