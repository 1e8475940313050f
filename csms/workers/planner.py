"""The smart-charging loop: re-plan a site when something changes, and every 15 minutes.

Committed events (plug-in, plug-out, preferences, a charger reconnecting, new readings) mark
their site dirty; dirty sites are re-planned after a short debounce, so a burst of events costs
one cycle. Every `interval` seconds all sites with sessions are re-planned anyway, as the sun
and the clock move on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from csms.domain import events as ev
from csms.services.eventbus import EventBus
from csms.services.ports import Database, PlanningLease, UnitOfWork
from csms.services.smart.smart_charging import SmartChargingService
from csms.services.stations.live import StationState

log = logging.getLogger(__name__)

_TRIGGERS: frozenset[type[ev.Event]] = frozenset({
    ev.TransactionStarted, ev.TransactionStopped, ev.StationConnected, ev.StationBooted,
    ev.PreferencesChanged, ev.ReadingsAdded, ev.CapabilitiesProbed, ev.ChargingDefaultsChanged,
    ev.SiteChanged, ev.ForecastPosted})


class PlannerWorker:
    def __init__(self, service: SmartChargingService, db: Database, bus: EventBus,
                 interval_s: float = 900.0, debounce_s: float = 0.5,
                 lease: PlanningLease | None = None,
                 held: Callable[[str], StationState | None] = lambda _: None) -> None:
        self._service = service
        self._held = held  # a station's state in memory, which knows its site
        self._lease = lease  # cluster mode: plan only the sites this node holds
        if lease is not None:
            lease.when_gained(self.replan_soon)
        self._db = db
        self._bus = bus
        self._interval = interval_s
        self._debounce = debounce_s
        self._dirty: set[str] = set()
        self._wake = asyncio.Event()

    def replan_soon(self, site_id: str) -> None:
        self._dirty.add(site_id)
        self._wake.set()

    async def run(self) -> None:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(self._listen())
            tg.create_task(self._loop())

    async def _listen(self) -> None:
        async with self._bus.subscribe(_TRIGGERS) as queue:
            while True:
                event = await queue.get()
                try:
                    await self._on_event(event)
                except asyncio.CancelledError:
                    raise
                except Exception:  # a database hiccup must not end re-planning for good
                    log.exception("could not handle %s", event.type,
                                  extra={"station_id": event.station_id})

    async def _on_event(self, event: ev.Event) -> None:
        """Tell the service what happened, and mark the event's site for re-planning."""
        site_id: str | None
        match event:
            case ev.ChargingDefaultsChanged():  # a token group may charge anywhere
                self._dirty |= set(await self._db.read(_sites_with_stations))
                self._wake.set()
                return
            case ev.StationConnected(site_id=site_id):
                self._service.station_connected(event.station_id)
            case ev.StationBooted(site_id=site_id):
                self._service.station_booted(event.station_id)
            case (ev.SiteChanged(site_id=site_id) | ev.ReadingsAdded(site_id=site_id)
                  | ev.ForecastPosted(site_id=site_id)):
                pass
            case ev.PreferencesChanged():
                self._service.wishes_changed(event.station_id, event.id)
                site_id = await self._site_of(event.station_id)
            case ev.TransactionStopped():
                self._service.forget(event.station_id, event.transaction_id)
                site_id = await self._site_of(event.station_id)
            case _:  # the event says which station, not which site
                site_id = await self._site_of(event.station_id)
        if site_id:
            self._dirty.add(site_id)
            self._wake.set()

    async def _site_of(self, station_id: str) -> str | None:
        state = self._held(station_id)
        if state is not None:  # a station of this process: no read
            return state.site_id
        station = await self._db.read(lambda uow: uow.stations.get(station_id))
        return station.site_id if station else None

    async def _loop(self) -> None:
        loop = asyncio.get_running_loop()
        next_full = loop.time()
        while True:
            timeout = max(0.0, next_full - loop.time())
            # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancellation that
            # lands as the event is set, and stopping the server then waits for ever
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout):
                    await self._wake.wait()
            await asyncio.sleep(self._debounce)
            self._wake.clear()
            sites, self._dirty = self._dirty, set()
            if loop.time() >= next_full:
                next_full = loop.time() + self._interval
                try:
                    sites |= set(await self._db.read(_sites_with_stations))
                except Exception:  # the database is back for the next round
                    log.exception("could not list the sites to re-plan")
            for site_id in sorted(sites):
                if self._lease is not None and not await self._lease.hold(site_id):
                    continue  # another node plans it
                try:
                    await self._service.replan(site_id)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("re-planning site %s failed", site_id)


def _sites_with_stations(uow: UnitOfWork) -> list[str]:
    return sorted({s.site_id for s in uow.stations.all() if s.site_id})
