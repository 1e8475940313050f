"""Firmware updates as per-station jobs, and the job bookkeeping shared with log uploads.

A job is created *before* the request goes out (status "Requested"), because a station may
send its first status notification before csms has read its reply; it is kept when the
station accepts the request and removed when it refuses it or the call fails, so only
accepted requests remain. Its id is the requestId sent to the station, which 2.0.1 and the
1.6 security extension echo in their notifications; plain 1.6 notifications carry none and
go to the station's newest open job of that kind.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any, TypeVar, cast

from csms.clock import Clock
from csms.domain import jobs
from csms.domain.commands import Command, Result
from csms.domain.commands.files import FirmwareResult, LogResult, UpdateFirmware
from csms.domain.errors import NotFound
from csms.domain.jobs import Job
from csms.services.ports import Database, StationGateway, UnitOfWork

log = logging.getLogger("csms.jobs")

R = TypeVar("R", bound=Result)


def plain(value: Any) -> Any:
    """A command argument as JSON for a job's params (times as ISO 8601)."""
    return value.isoformat() if isinstance(value, datetime) else value


class JobTracker:
    """Create, settle and advance the jobs of one kind."""

    def __init__(self, db: Database, clock: Clock, kind: str) -> None:
        self._db = db
        self._clock = clock
        self.kind = kind

    async def begin(self, station_id: str, location: str, params: dict[str, Any]) -> int:
        at = self._clock.now()
        return await self._db.write(lambda uow: uow.jobs.add(
            station_id, self.kind, jobs.REQUESTED, location, params, at))

    def settle(self, uow: UnitOfWork, job_id: int, reply: str, at: datetime,
               params: dict[str, Any] | None) -> None:
        """The station accepted: record its reply, and close what this request replaces
        (1.6 runs one update at a time; 2.0.1 says AcceptedCanceled when it cancelled one).
        `at` is taken before the write is queued, like a notification's: the history's
        order (the queue's) and its timestamps then agree."""
        job = uow.jobs.get(job_id)
        if job is None:
            return
        for other in uow.jobs.open_ids(job.station_id, self.kind):
            if other < job_id:
                uow.jobs.step(other, jobs.SUPERSEDED, at, close=True)
        # A notification may have overtaken the reply: then its status stays the current one.
        uow.jobs.step(job_id, reply, at, close=False, params={**job.params, **(params or {})},
                      current=job.status == jobs.REQUESTED)

    async def drop(self, job_id: int) -> None:
        await self._db.write(lambda uow: uow.jobs.delete(job_id))

    def advance(self, uow: UnitOfWork, station_id: str, status: str,
                request_id: int | None, at: datetime) -> Job | None:
        """Apply a status notification to the job it is about, if any."""
        if status in jobs.NOT_A_STEP:
            return None
        if request_id is not None:
            job = uow.jobs.by_request(station_id, self.kind, request_id)
        else:
            job = uow.jobs.latest_open(station_id, self.kind)
        if job is None:
            return None
        uow.jobs.step(job.id, status, at, close=jobs.is_final(self.kind, status))
        return job

    async def notified(self, station_id: str, action: str, payload: dict[str, Any],
                       status: str, request_id: int | None) -> None:
        """Store the notification as a report and advance its job, in one transaction."""
        at = self._clock.now()

        def work(uow: UnitOfWork) -> None:
            uow.station_events.add(station_id, action, at, payload)
            job = self.advance(uow, station_id, status, request_id, at)
            if job is None and status not in jobs.NOT_A_STEP:
                log.info("%s %s matches no open %s job", action, status, self.kind,
                         extra={"station_id": station_id})

        await self._db.write(work)

    async def list(self, station_id: str, limit: int = 100) -> list[Job]:
        def work(uow: UnitOfWork) -> list[Job]:
            if uow.stations.get(station_id) is None:
                raise NotFound(f"station {station_id!r} not found")
            return uow.jobs.of_station(station_id, self.kind, limit)

        return await self._db.read(work)

    async def run(self, station_id: str, command: Command[R], gateway: StationGateway,
                  location: str, params: dict[str, Any],
                  on_accept: Callable[[UnitOfWork, int], None] | None = None) -> R:
        """Send a command that starts a job (its request_id is the job's id): keep the job
        only if the station accepts it; the result then names it (job_id)."""
        job_id = await self.begin(station_id, location, params)
        sent: Command[R] = replace(cast(Any, command), request_id=job_id)
        try:
            result = await gateway.send(station_id, sent)
        except BaseException:
            await self.drop(job_id)
            raise
        if result.status not in jobs.ACCEPTED:
            await self.drop(job_id)
            return result
        file_name = result.file_name if isinstance(result, LogResult) else None
        extra = {"file_name": file_name} if file_name else None
        at = self._clock.now()

        def accept(uow: UnitOfWork) -> None:
            self.settle(uow, job_id, result.status, at, extra)
            if on_accept is not None:
                on_accept(uow, job_id)

        await self._db.write(accept)
        return cast(R, replace(cast(Any, result), job_id=job_id))


class FirmwareService:
    """update-firmware as a job; Firmware/SignedFirmwareStatusNotification advance it."""

    def __init__(self, db: Database, clock: Clock, gateway: StationGateway) -> None:
        self._db = db
        self._gateway = gateway
        self.jobs = JobTracker(db, clock, jobs.FIRMWARE)

    async def update(self, station_id: str, command: UpdateFirmware) -> FirmwareResult:
        """Send update-firmware as a job (kept only if the station accepts)."""
        params = {"retrieve_at": plain(command.retrieve_at), "signed": command.signed,
                  "retries": command.retries, "retry_interval_s": command.retry_interval_s}
        return await self.jobs.run(station_id, command, self._gateway, command.location, params)

    async def status(self, station_id: str, action: str, payload: dict[str, Any],
                     status: str, request_id: int | None) -> None:
        await self.jobs.notified(station_id, action, payload, status, request_id)

    async def list(self, station_id: str) -> list[Job]:
        return await self.jobs.list(station_id)

    async def job(self, station_id: str, job_id: int) -> Job:
        found = await self._db.read(lambda uow: uow.jobs.get(job_id))
        if found is None or found.station_id != station_id or found.kind != jobs.FIRMWARE:
            raise NotFound(f"no firmware job {job_id} on station {station_id!r}")
        return found
