"""Set each accepted station's metering after its boot, and again after a policy change.

It listens on this node's own bus: a boot Accepted here, or a change of a site's metering policy
(made through any node: events about no station reach every node's bus), schedules one set-up
per station whose socket this process holds, so in a cluster exactly one node acts. The set-up waits
`delay_s` so that the BootNotification reply leaves first, never delays it, and at most
`concurrency` run at once, so a fleet booting together is configured in a steady trickle. A
trigger while a station's set-up runs makes it run once more afterwards. Every task is owned
here and cancelled and awaited when the worker stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from csms.domain import events as ev
from csms.domain.errors import DomainError
from csms.services.devices.station_setup import StationSetupService
from csms.services.eventbus import EventBus

log = logging.getLogger(__name__)


class StationSetupWorker:
    def __init__(self, service: StationSetupService, bus: EventBus,
                 holds: Callable[[str], bool], delay_s: float = 1.0,
                 concurrency: int = 8) -> None:
        self._service = service
        self._bus = bus
        self._holds = holds  # is the station's socket in this process?
        self._delay = delay_s
        self._limit = asyncio.Semaphore(concurrency)
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._again: set[str] = set()

    async def run(self) -> None:
        try:
            async with self._bus.subscribe({ev.StationBooted, ev.MeteringPolicyChanged}) as q:
                while True:
                    event = await q.get()
                    try:
                        await self._on_event(event)
                    except asyncio.CancelledError:
                        raise
                    except Exception:  # a database hiccup must not end set-ups for good
                        log.exception("could not handle %s", event.type,
                                      extra={"station_id": event.station_id})
        finally:
            tasks = list(self._tasks.values())
            for task in tasks:
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.gather(*tasks, return_exceptions=True)

    async def _on_event(self, event: ev.Event) -> None:
        if isinstance(event, ev.StationBooted):
            if event.status == "Accepted":
                self.schedule(event.station_id)
        elif isinstance(event, ev.MeteringPolicyChanged):
            for station_id in await self._service.stations_of(event.site_id):
                self.schedule(station_id)

    def schedule(self, station_id: str) -> None:
        if not self._holds(station_id):
            return  # another node's, or offline: its next boot brings it
        if station_id in self._tasks:
            self._again.add(station_id)
            return
        task = asyncio.create_task(self._setup(station_id), name=f"station-setup-{station_id}")
        self._tasks[station_id] = task
        task.add_done_callback(lambda _: self._tasks.pop(station_id, None))

    async def _setup(self, station_id: str) -> None:
        await asyncio.sleep(self._delay)
        while True:
            async with self._limit:
                try:
                    await self._service.apply(station_id)
                except asyncio.CancelledError:
                    raise
                except DomainError as e:  # offline, no answer: its next boot tries again
                    log.info("metering not set: %s", e, extra={"station_id": station_id})
                except Exception:
                    log.exception("setting metering failed", extra={"station_id": station_id})
            if station_id not in self._again:
                return
            self._again.discard(station_id)
