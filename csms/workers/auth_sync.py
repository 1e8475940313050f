"""Jobs of reservations and local lists: write down expiries; keep stations' lists in sync.

Token changes are debounced (an import of a thousand cards costs one differential update per
station); a station that connects, or boots Accepted, is checked with GetLocalListVersion a
moment later, once its boot had a chance to complete.
"""

from __future__ import annotations

import asyncio
import logging

from csms.domain import events as ev
from csms.services.authorization.local_lists import LocalListService
from csms.services.authorization.reservations import ReservationService
from csms.services.eventbus import EventBus
from csms.workers.periodic import every

log = logging.getLogger(__name__)

EXPIRY_INTERVAL_S = 10.0


async def expire_reservations(service: ReservationService,
                              interval_s: float = EXPIRY_INTERVAL_S) -> None:
    async def job() -> None:
        expired = await service.expire_due()
        if expired:
            log.info("%d reservations expired", expired)

    await every(interval_s, job, "reservation expiry")


class LocalListWorker:
    def __init__(self, service: LocalListService, bus: EventBus,
                 debounce_s: float = 0.5, connect_delay_s: float = 1.0) -> None:
        self._service = service
        self._bus = bus
        self._debounce = debounce_s
        self._connect_delay = connect_delay_s
        self._tokens_changed = asyncio.Event()
        self._pending: set[str] = set()  # stations whose check waits for its delay
        self._tasks: set[asyncio.Task[None]] = set()

    async def run(self) -> None:
        try:
            async with asyncio.TaskGroup() as tg:
                tg.create_task(self._listen())
                tg.create_task(self._sync_loop())
        finally:
            tasks = list(self._tasks)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _listen(self) -> None:
        async with self._bus.subscribe({ev.IdTokensChanged, ev.StationConnected,
                                        ev.StationBooted}) as queue:
            while True:
                event = await queue.get()
                if isinstance(event, ev.IdTokensChanged):
                    self._tokens_changed.set()
                elif isinstance(event, ev.StationConnected) or (
                        isinstance(event, ev.StationBooted) and event.status == "Accepted"):
                    self._schedule_check(event.station_id)

    def _schedule_check(self, station_id: str) -> None:
        """One check per station for a burst of connect/boot events (a pending one covers
        them: it runs after the delay, never cancelled mid-call)."""
        if station_id not in self._pending:
            self._pending.add(station_id)
            task = asyncio.create_task(self._check(station_id))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _check(self, station_id: str) -> None:
        """Only stations enrolled when they connect; a sync meanwhile makes the check moot."""
        try:
            since = self._service.now()
            if not await self._service.enrolled(station_id):
                return
            await asyncio.sleep(self._connect_delay)
        finally:
            self._pending.discard(station_id)
        try:
            await self._service.check(station_id, since)
        except Exception:
            log.exception("local list check failed", extra={"station_id": station_id})

    async def _sync_loop(self) -> None:
        while True:
            await self._tokens_changed.wait()
            await asyncio.sleep(self._debounce)
            self._tokens_changed.clear()
            try:
                await self._service.sync_connected()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("local list sync failed; next token change retries")
