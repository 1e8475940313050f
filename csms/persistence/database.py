"""Group commit: many stations' writes share one database transaction and one fsync.

Every write is a small synchronous function `work(uow)` queued to a single writer. The writer
takes everything queued, runs it in one transaction on one connection, commits, and only then
resolves each caller's future: a reply sent after `await db.write(...)` never confirms anything
that is not durable. While one commit is in flight the next batch gathers, so the batch size
follows the load with no added delay at low load.

Works are synchronous so that a whole batch costs one hop off the event loop: on SQLite the
batch runs in the writer thread with the stdlib driver (an async driver would hop threads for
every statement, which the load benchmark showed to dominate); on PostgreSQL it runs through
`run_sync` on the asyncpg connection. If a work raises, the batch is rolled back and re-run
without it, so one bad message cannot take its neighbours down. Works have no side effects
outside the database; events are published only after the commit that made them true.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.ext.asyncio import AsyncEngine

from csms.domain.events import Event
from csms.domain.records import Record
from csms.persistence.accounting_repos import AccountingRepo
from csms.persistence.auth_repos import (  # reservations, local lists, availability
    AvailabilityRepo,
    LocalListRepo,
    ReservationRepo,
)
from csms.persistence.billing_repos import BillingRepo, ChargingStateRepo  # tariffs, profiles
from csms.persistence.device_repos import DeviceRepo
from csms.persistence.engine import create_async, create_sync, is_sqlite
from csms.persistence.files_repos import JobRepo, UploadRepo  # firmware, log jobs
from csms.persistence.records import write_records
from csms.persistence.repositories import (
    KeyValueRepo,
    MessageRepo,
    StationEventRepo,
    StationRepo,
    TokenRepo,
    TransactionRepo,
)
from csms.persistence.security_repos import SecurityRepo  # CA, issued certificates
from csms.persistence.setup_repos import StationSetupRepo  # metering set on boot
from csms.persistence.site_repos import PreferenceRepo, SiteRepo
from csms.persistence.smart_repos import CapabilityRepo, GroupDefaultsRepo
from csms.services.ports import EventSink, UnitOfWork

T = TypeVar("T")
log = logging.getLogger(__name__)

Work = Callable[[UnitOfWork], Any]


@dataclass(slots=True)
class _Job:
    """One caller's write: typed records and/or a work, and the events its commit makes true."""

    records: Sequence[Record]
    work: Work | None
    events: list[Event]
    fut: asyncio.Future[Any]


@dataclass(frozen=True, slots=True)
class _Failed:
    exc: Exception


_Outcome = tuple[Any, list[Event]] | _Failed

MAX_BATCH = 500
READ_THREADS = 4


class SqlUnitOfWork:
    """Repositories bound to one connection, plus the events to publish on commit."""

    def __init__(self, conn: Connection) -> None:
        self.connection = conn  # for other persistence modules' repositories (back office)
        self.stations = StationRepo(conn)
        self.tokens = TokenRepo(conn)
        self.transactions = TransactionRepo(conn)
        self.station_events = StationEventRepo(conn)
        self.kv = KeyValueRepo(conn)
        self.messages = MessageRepo(conn)
        self.sites = SiteRepo(conn)
        self.preferences = PreferenceRepo(conn)
        self.accounting = AccountingRepo(conn)
        # reservations, local lists, availability (issue 4 items 3, 4, 7)
        self.reservations = ReservationRepo(conn)
        self.local_lists = LocalListRepo(conn)
        self.availability = AvailabilityRepo(conn)
        self.device = DeviceRepo(conn)  # device model
        # smart charging
        self.charging_capabilities = CapabilityRepo(conn)
        self.group_defaults = GroupDefaultsRepo(conn)
        # tariffs and costs, charging state (issue 4 items 10, 12)
        self.billing = BillingRepo(conn)
        self.charging_state = ChargingStateRepo(conn)
        # firmware and log jobs, uploads (issue 4 items 1, 2)
        self.jobs = JobRepo(conn)
        self.uploads = UploadRepo(conn)
        self.security = SecurityRepo(conn)  # CA and issued certificates (issue 4 item 8)
        self.station_setup = StationSetupRepo(conn)  # metering set on boot
        self.events: list[Event] = []

    def publish(self, event: Event) -> None:
        self.events.append(event)


class SqlDatabase:
    def __init__(self, url: str, sink: EventSink | None = None) -> None:
        self.url = url
        self._sink = sink
        self._sync: Engine | None = None
        self._async: AsyncEngine | None = None
        if is_sqlite(url):
            self._sync = create_sync(url)
            self._writer_thread = ThreadPoolExecutor(1, thread_name_prefix="db-writer")
            self._readers = ThreadPoolExecutor(READ_THREADS, thread_name_prefix="db-reader")
        else:
            self._async = create_async(url)
        self._queue: asyncio.Queue[_Job] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self.batches = 0
        self.writes = 0
        self.split_batches = 0  # batches whose records had to be retried job by job

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="db-writer")

    async def stop(self) -> None:
        """Finish what is queued, stop the writer, close connections."""
        if self._task is not None:
            await self._queue.join()
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        if self._sync is not None:
            self._writer_thread.shutdown()
            self._readers.shutdown()
            self._sync.dispose()
        if self._async is not None:
            await self._async.dispose()

    async def write(self, work: Callable[[UnitOfWork], T]) -> T:
        if self._task is None:
            raise RuntimeError("database writer is not running")
        fut: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Job((), work, [], fut))
        return await fut

    async def append(self, records: Sequence[Record], events: Sequence[Event] = (),
                     work: Work | None = None) -> None:
        """Store `records` (and run `work`, if any) in the next group commit; return after it.
        `events` are published once the commit made them true."""
        if self._task is None:
            raise RuntimeError("database writer is not running")
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Job(records, work, list(events), fut))
        await fut

    async def read(self, work: Callable[[UnitOfWork], T]) -> T:
        if self._sync is not None:
            engine = self._sync

            def run() -> T:
                with engine.connect() as conn:
                    return work(SqlUnitOfWork(conn))

            return await asyncio.get_running_loop().run_in_executor(self._readers, run)
        assert self._async is not None
        async with self._async.connect() as conn:
            return await conn.run_sync(lambda c: work(SqlUnitOfWork(c)))

    # --- the writer ---------------------------------------------------------------------

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < MAX_BATCH and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                await self._process(batch)
            finally:
                for _ in batch:
                    self._queue.task_done()

    async def _process(self, batch: list[_Job]) -> None:
        """Commit the batch; a failing work gets its exception and the rest are re-run."""
        batch = [job for job in batch if not job.fut.done()]
        while batch:
            try:
                done = await self._commit(batch)
            except _WorkFailed as failed:
                job = batch.pop(failed.index)
                if not job.fut.done():
                    job.fut.set_exception(failed.exc)
                continue
            except Exception as exc:
                log.exception("commit of %d writes failed", len(batch))
                for job in batch:
                    if not job.fut.done():
                        job.fut.set_exception(exc)
                return
            self.batches += 1
            self.writes += len(batch)
            for job, outcome in zip(batch, done, strict=True):
                if isinstance(outcome, _Failed):
                    if not job.fut.done():
                        job.fut.set_exception(outcome.exc)
                    continue
                result, events = outcome
                if not job.fut.done():
                    job.fut.set_result(result)
                if self._sink is not None:
                    for event in events:
                        self._sink.publish(event)
            return

    async def _commit(self, jobs: list[_Job]) -> list[_Outcome]:
        try:
            return await self._transaction(jobs, False)
        except _RecordsFailed:
            self.split_batches += 1
            return await self._transaction(jobs, True)

    async def _transaction(self, jobs: list[_Job], job_by_job: bool) -> list[_Outcome]:
        if self._sync is not None:
            engine = self._sync

            def run() -> list[_Outcome]:
                with engine.begin() as conn:
                    return _run_jobs(conn, jobs, job_by_job)

            return await asyncio.get_running_loop().run_in_executor(self._writer_thread, run)
        assert self._async is not None
        async with self._async.begin() as conn:
            return await conn.run_sync(_run_jobs, jobs, job_by_job)


def _run_jobs(conn: Connection, jobs: list[_Job], job_by_job: bool = False
              ) -> list[_Outcome]:
    """Records of the whole batch first, kind by kind; then the works, in order.

    When the batch's records fail together, each job's records are retried alone under a
    savepoint, so only the job whose rows the database refuses fails, in the same commit.
    (The first attempt takes no savepoint of its own: `_RecordsFailed` rolls the whole
    transaction back and the writer runs the batch again `job_by_job`.)"""
    done: list[_Outcome | None] = [None] * len(jobs)
    records = [r for job in jobs for r in job.records]
    if records and not job_by_job:
        try:
            write_records(conn, records)
        except Exception as exc:
            raise _RecordsFailed from exc
    elif records:
        log.warning("a batch of %d records failed; writing them job by job", len(records))
        for index, job in enumerate(jobs):
            if not job.records:
                continue
            try:
                with conn.begin_nested():
                    write_records(conn, job.records)
            except Exception as exc:
                done[index] = _Failed(exc)
    for index, job in enumerate(jobs):
        if done[index] is not None:
            continue
        if job.work is None:
            done[index] = (None, job.events)
            continue
        uow = SqlUnitOfWork(conn)
        try:
            result = job.work(uow)
        except Exception as exc:
            raise _WorkFailed(index, exc) from exc
        done[index] = (result, job.events + uow.events)
    return [outcome for outcome in done if outcome is not None]


class _RecordsFailed(Exception):
    """The batch's records failed together: run the batch again, job by job."""


class _WorkFailed(Exception):
    """One work of a batch raised: the batch is rolled back and re-run without it."""

    def __init__(self, index: int, exc: Exception) -> None:
        super().__init__(str(exc))
        self.index = index
        self.exc = exc
