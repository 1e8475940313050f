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

When the database itself fails (disk full, read-only file, connection lost or refused) no
write is to blame: the whole batch fails at once with `StorageUnavailable`, so each station
gets InternalError (or no reply) and retries, and nothing unconfirmed is ever confirmed. The
writer keeps running; the fault is logged once per interval and shown by `/health` until a
commit succeeds again, which a small probe write tries every second while nothing else does.
PostgreSQL connections are pre-pinged, so a restarted server costs at most the batch that was
in flight.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from csms.domain.errors import StorageUnavailable
from csms.domain.events import Event
from csms.domain.records import Record
from csms.persistence.engine import IMMEDIATE, create_async, create_sync, is_sqlite
from csms.persistence.faults import FaultLog, describe, is_fault
from csms.persistence.records import write_records
from csms.persistence.unit_of_work import SqlUnitOfWork
from csms.services.ports import EventSink, UnitOfWork
from csms.services.storage_health import StorageHealth

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
# Under load the writer waits this long before taking a batch, so that more writes share the
# commit: the pages a commit writes (a running transaction's row, its place in the meter values
# index) are shared by the messages of the batch, and each commit is an fsync. At a fixed 2,000
# OCPP 1.6 messages/s the server's CPU per message fell from 316-398 to 240-254 us and the bytes
# it wrote from 14-15 KB to 9-12 KB (2 ms: 276-328 us; 10 ms: 260-263 us). A writer that took
# a batch of fewer than GATHER_AFTER writes last time does not wait: at low load a reply is
# not delayed. Nor does one that finds GATHER_ENOUGH writes queued already: near saturation the
# event loop's timers run late, a 5 ms wait became tens, and the batches it gathered (up to
# MAX_BATCH) held replies back in bursts (capacity step at 5,000/s: p99 681 ms against 294).
GATHER_S = 0.005
GATHER_AFTER = 4
GATHER_ENOUGH = 32
READ_THREADS = 4
PROBE_INTERVAL_S = 1.0  # while writes fail and none are queued, try a probe write this often
_PROBE_KEY = "storage.probe"


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
        self.health = StorageHealth()
        self._faults = FaultLog(self.health)
        self._in_flight = 0
        self._last_batch = 0  # writes in the batch taken last: the load the writer sees

    @property
    def in_flight(self) -> int:
        """Writes taken by the writer and not yet answered (tests hold a commit and watch)."""
        return self._in_flight

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="db-writer")
        self._task.add_done_callback(self._writer_ended)

    def _writer_ended(self, task: asyncio.Task[None]) -> None:
        """The writer must never end on its own; if it does, nobody may wait for it."""
        if task.cancelled():
            return
        exc = task.exception()
        log.critical("database writer stopped: %r; writes fail until csms restarts", exc,
                     exc_info=exc)
        self.health.failed(f"database writer stopped: {exc!r}", self._queue.qsize())
        while not self._queue.empty():
            job = self._queue.get_nowait()
            _fail([job], StorageUnavailable("database writer stopped"))
            self._queue.task_done()

    def _check_running(self) -> None:
        if self._task is None:
            raise RuntimeError("database writer is not running")
        if self._task.done():
            raise StorageUnavailable("database writer stopped")

    async def stop(self) -> None:
        """Finish what is queued, stop the writer, close connections."""
        if self._task is not None:
            drained = asyncio.ensure_future(self._queue.join())
            await asyncio.wait([drained, self._task], return_when=asyncio.FIRST_COMPLETED)
            drained.cancel()
            self._task.cancel()
            await asyncio.gather(drained, self._task, return_exceptions=True)
            self._task = None
        if self._sync is not None:
            self._writer_thread.shutdown()
            self._readers.shutdown()
            self._sync.dispose()
        if self._async is not None:
            await self._async.dispose()

    async def write(self, work: Callable[[UnitOfWork], T]) -> T:
        self._check_running()
        fut: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Job((), work, [], fut))
        return await fut

    async def append(self, records: Sequence[Record], events: Sequence[Event] = (),
                     work: Work | None = None) -> None:
        """Store `records` (and run `work`, if any) in the next group commit; return after it.
        `events` are published once the commit made them true."""
        self._check_running()
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Job(records, work, list(events), fut))
        await fut

    async def read(self, work: Callable[[UnitOfWork], T]) -> T:
        try:
            return await self._read(work)
        except DBAPIError as exc:
            if is_fault(exc):
                raise StorageUnavailable(describe(exc)) from exc
            raise

    async def _read(self, work: Callable[[UnitOfWork], T]) -> T:
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
            if self.health.ok:
                first = await self._queue.get()
            else:
                try:
                    async with asyncio.timeout(PROBE_INTERVAL_S):
                        first = await self._queue.get()
                except TimeoutError:
                    await self._probe()
                    continue
            if self._last_batch >= GATHER_AFTER and self._queue.qsize() < GATHER_ENOUGH:
                await asyncio.sleep(GATHER_S)
            batch = [first]
            while len(batch) < MAX_BATCH and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            self._in_flight = self._last_batch = len(batch)
            try:
                await self._process(batch)
            except Exception as exc:
                # A bug here must not stop the writer: every later write would wait forever.
                log.exception("database writer: a batch of %d writes failed", len(batch))
                _fail(batch, exc)
            finally:
                self._in_flight = 0
                for _ in batch:
                    self._queue.task_done()

    async def _probe(self) -> None:
        """A tiny real write, so that health returns to ok when nothing else writes."""
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        stamp = str(self.health.fault.since if self.health.fault else "")
        await self._process([_Job((), lambda uow: uow.kv.put(_PROBE_KEY, stamp), [], fut)],
                            probe=True)
        if fut.done() and not fut.cancelled():
            fut.exception()  # retrieved: nobody awaits a probe

    async def _process(self, batch: list[_Job], probe: bool = False) -> None:
        """Commit the batch; a failing work gets its exception and the rest are re-run."""
        batch = [job for job in batch if not job.fut.done()]
        while batch:
            try:
                done, wrote = await self._commit(batch)
            except _WorkFailed as failed:
                job = batch.pop(failed.index)
                if not job.fut.done():
                    job.fut.set_exception(failed.exc)
                continue
            except Exception as exc:
                self._faults.failed(exc, 0 if probe else len(batch))
                _fail(batch, StorageUnavailable(describe(exc)), exc)
                return
            if wrote:
                # Only a commit that changed something shows that writes succeed: one that
                # changed nothing (a deletion of nothing, an expiry with none due) commits on
                # a full disk too.
                self._faults.recovered()
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

    async def _commit(self, jobs: list[_Job]) -> tuple[list[_Outcome], bool]:
        try:
            return await self._transaction(jobs, False)
        except _RecordsFailed:
            self.split_batches += 1
            return await self._transaction(jobs, True)

    async def _transaction(self, jobs: list[_Job], job_by_job: bool
                           ) -> tuple[list[_Outcome], bool]:
        """The outcomes, and whether the commit changed anything."""
        if self._sync is not None:
            engine = self._sync

            def run() -> tuple[list[_Outcome], bool]:
                with engine.connect() as conn:
                    driver = conn.connection.dbapi_connection
                    before = driver.total_changes  # type: ignore[union-attr]
                    with conn.execution_options(**IMMEDIATE).begin():
                        done = _run_jobs(conn, jobs, job_by_job)
                    return done, driver.total_changes > before  # type: ignore[union-attr]

            return await asyncio.get_running_loop().run_in_executor(self._writer_thread, run)
        assert self._async is not None
        async with self._async.begin() as conn:
            done = await conn.run_sync(_run_jobs, jobs, job_by_job)
        # asyncpg counts no changes per connection: a batch with rows to store wrote some
        return done, any(job.records for job in jobs) or any(
            job.work is not None for job in jobs)


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
            if is_fault(exc):
                raise  # the database failed, not these rows: retrying them alone cannot help
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
                if is_fault(exc):
                    raise
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
            if is_fault(exc):
                raise
            raise _WorkFailed(index, exc) from exc
        done[index] = (result, job.events + uow.events)
    return [outcome for outcome in done if outcome is not None]


def _fail(batch: list[_Job], exc: Exception, cause: Exception | None = None) -> None:
    if cause is not None:
        exc.__cause__ = cause
    for job in batch:
        if not job.fut.done():
            job.fut.set_exception(exc)


class _RecordsFailed(Exception):
    """The batch's records failed together: run the batch again, job by job."""


class _WorkFailed(Exception):
    """One work of a batch raised: the batch is rolled back and re-run without it."""

    def __init__(self, index: int, exc: Exception) -> None:
        super().__init__(str(exc))
        self.index = index
        self.exc = exc
