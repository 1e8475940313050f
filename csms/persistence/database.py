"""Group commit: many stations' writes share one database transaction and one fsync.

Every write is a small coroutine (`work(uow)`) queued to a single writer task. The writer
takes everything queued, runs it on one connection inside one transaction, commits, and only
then resolves each caller's future: a reply sent after `await db.write(...)` never confirms
anything that is not durable. While one commit is in flight the next batch gathers, so the
batch size follows the load with no added delay at low load.

If any work in a batch fails, the batch is rolled back and each work is re-run in its own
transaction, so one bad message cannot take its neighbours down with it. Works must
therefore have no side effects outside the database; events are published via the unit of
work and delivered only after the commit that made them true.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from csms.domain.events import Event
from csms.persistence.repositories import (
    KeyValueRepo,
    MessageRepo,
    StationEventRepo,
    StationRepo,
    TokenRepo,
    TransactionRepo,
)
from csms.services.ports import EventSink, UnitOfWork

T = TypeVar("T")
log = logging.getLogger(__name__)

Work = Callable[[UnitOfWork], Awaitable[Any]]
_Job = tuple[Work, "asyncio.Future[Any]"]

MAX_BATCH = 500


class SqlUnitOfWork:
    """Repositories bound to one connection, plus the events to publish on commit."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.stations = StationRepo(conn)
        self.tokens = TokenRepo(conn)
        self.transactions = TransactionRepo(conn)
        self.station_events = StationEventRepo(conn)
        self.kv = KeyValueRepo(conn)
        self.messages = MessageRepo(conn)
        self.events: list[Event] = []

    def publish(self, event: Event) -> None:
        self.events.append(event)


class SqlDatabase:
    def __init__(self, engine: AsyncEngine, sink: EventSink | None = None) -> None:
        self.engine = engine
        self._sink = sink
        self._queue: asyncio.Queue[_Job] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self.batches = 0
        self.writes = 0

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="db-writer")

    async def stop(self) -> None:
        """Finish what is queued, then stop the writer."""
        if self._task is None:
            return
        await self._queue.join()
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None

    async def write(self, work: Callable[[UnitOfWork], Awaitable[T]]) -> T:
        if self._task is None:
            raise RuntimeError("database writer is not running")
        fut: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((work, fut))
        return await fut

    async def read(self, work: Callable[[UnitOfWork], Awaitable[T]]) -> T:
        async with self.engine.connect() as conn:
            return await work(SqlUnitOfWork(conn))

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < MAX_BATCH and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                await self._process(batch)
            except asyncio.CancelledError:
                for _, fut in batch:
                    if not fut.done():
                        fut.set_exception(RuntimeError("database writer stopped"))
                raise
            finally:
                for _ in batch:
                    self._queue.task_done()

    async def _process(self, batch: list[_Job]) -> None:
        """Commit the batch; a failing work gets its exception and the rest are re-run."""
        batch = [job for job in batch if not job[1].done()]
        while batch:
            try:
                await self._commit_together(batch)
                return
            except _WorkFailed as failed:
                _, fut = batch.pop(failed.index)
                if not fut.done():
                    fut.set_exception(failed.exc)
            except Exception as exc:
                log.exception("commit of %d writes failed", len(batch))
                for _, fut in batch:
                    if not fut.done():
                        fut.set_exception(exc)
                return

    async def _commit_together(self, batch: list[_Job]) -> None:
        results: list[tuple[asyncio.Future[Any], Any, list[Event]]] = []
        async with self.engine.begin() as conn:
            for index, (work, fut) in enumerate(batch):
                uow = SqlUnitOfWork(conn)
                try:
                    result = await work(uow)
                except Exception as exc:
                    raise _WorkFailed(index, exc) from exc
                results.append((fut, result, uow.events))
        self.batches += 1
        self.writes += len(batch)
        for fut, result, events in results:
            if not fut.done():
                fut.set_result(result)
            if self._sink is not None:
                for event in events:
                    self._sink.publish(event)


class _WorkFailed(Exception):
    """One work of a batch raised: the batch is rolled back and re-run without it."""

    def __init__(self, index: int, exc: Exception) -> None:
        super().__init__(str(exc))
        self.index = index
        self.exc = exc
