"""Fetch every solar source's forecast from a weather provider, and keep it fresh.

With CSMS_FORECAST_PROVIDER set, csms asks the provider for each source of each site with
coordinates every `interval` (weather models are re-run every few hours; an hour catches each
run soon enough), and at once for a site whose sources changed. What it fetches is offered to
the sites service: a forecast given through the API takes precedence until it ends. A failure
is logged with its reason and tried again sooner; the planner meanwhile keeps the last
forecast, or the clear sky's seasonal guess. In cluster mode only the node that plans a site
fetches for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import httpx

from csms.domain import events as ev
from csms.domain.errors import DomainError
from csms.domain.model import GreenSource, Site
from csms.planning import solar
from csms.services.eventbus import EventBus
from csms.services.ports import PlanningLease
from csms.services.sites.sites import SiteService
from csms.weather import open_meteo

log = logging.getLogger(__name__)

RETRY_S = 300.0  # after a failure: a provider's hiccup should not cost an hour of forecast


class ForecastFetcher:
    def __init__(self, sites: SiteService, bus: EventBus, url: str, interval_s: float,
                 key: str | None = None, lease: PlanningLease | None = None,
                 client: httpx.AsyncClient | None = None) -> None:
        self._sites = sites
        self._bus = bus
        self._url = url
        self._key = key
        self._interval = interval_s
        self._lease = lease
        self._client = client
        self._due: set[str] = set()
        self._wake = asyncio.Event()
        # what the log last said, so that an outage is one warning, not one a round
        self._failing: dict[tuple[str, str], str] = {}
        self._unreachable: str | None = None

    async def run(self) -> None:
        async with contextlib.AsyncExitStack() as stack:
            if self._client is None:
                self._client = await stack.enter_async_context(httpx.AsyncClient(
                    headers={"User-Agent": "csms (charging-station management)"}))
            async with asyncio.TaskGroup() as tg:
                tg.create_task(self._listen())
                tg.create_task(self._loop())

    async def _listen(self) -> None:
        async with self._bus.subscribe({ev.SiteChanged}) as queue:
            while True:
                event = await queue.get()
                if isinstance(event, ev.SiteChanged):
                    self._due.add(event.site_id)
                    self._wake.set()

    async def _loop(self) -> None:
        loop = asyncio.get_running_loop()
        next_full = loop.time()  # the first round at start
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(max(0.0, next_full - loop.time())):
                    await self._wake.wait()
            self._wake.clear()
            due, self._due = self._due, set()
            full = loop.time() >= next_full
            try:
                ok = await self.fetch_all(None if full else due)
            except asyncio.CancelledError:
                raise
            except Exception:  # the database is back for the next round
                log.exception("could not fetch the sites' forecasts")
                ok = False
            if full:
                next_full = loop.time() + self._interval
            if not ok:
                next_full = min(next_full, loop.time() + RETRY_S)

    async def fetch_all(self, only: set[str] | None = None) -> bool:
        """Fetch for every site (or those in `only`); False when any fetch failed. Sources of
        one plane (a row of carports, a site's twin arrays) are asked for once a round. How
        each went is recorded for the API and the console; the log says when it changes."""
        ok = True
        answers: dict[open_meteo.Plane, open_meteo.Irradiance] = {}
        down: str | None = None  # why the provider could not be reached this round
        reached = False
        for site in await self._sites.all():
            if only is not None and site.id not in only:
                continue
            if site.latitude is None or site.longitude is None:
                continue
            if self._lease is not None and not await self._lease.hold(site.id):
                continue  # the node that plans it fetches for it
            for source in await self._sites.sources(site.id):
                if down is None:
                    try:
                        error = await self._fetch(site, source, answers)
                        reached = True
                    except open_meteo.Unreachable as e:  # the rest would wait as long in vain
                        down = str(e)
                        self._note_unreachable(down)
                if down is not None:
                    error = down
                ok = ok and error is None
                await self._record(site, source, error)
        if reached:
            self._note_unreachable(None)
        return ok

    def _note_unreachable(self, why: str | None) -> None:
        """Log the provider's reach when it changes, not every round of an outage."""
        if why is not None and self._unreachable is None:
            log.warning("no forecasts from %s until it can be reached again (tried every %d "
                        "min): %s", open_meteo.NAME, RETRY_S // 60, why)
        elif why is None and self._unreachable is not None:
            log.info("%s can be reached again", open_meteo.NAME)
        self._unreachable = why

    async def _record(self, site: Site, source: GreenSource, error: str | None) -> None:
        """Store how the fetch went; log a source's new failure (or a new reason) once, and
        its recovery."""
        key = (site.id, source.id)
        before = self._failing.get(key)
        await self._sites.record_fetch(site.id, source.id, open_meteo.NAME, error)
        if error is None:
            self._failing.pop(key, None)
            if before is not None and before != self._unreachable:  # (else: one line for all)
                log.info("source %r of site %r has its forecast from %s again", source.id,
                         site.id, open_meteo.NAME)
            return
        self._failing[key] = error
        if error != before and error != self._unreachable:
            log.warning("no forecast for source %r of site %r from %s: %s", source.id,
                        site.id, open_meteo.NAME, error)

    async def _fetch(self, site: Site, source: GreenSource,
                     answers: dict[open_meteo.Plane, open_meteo.Irradiance]) -> str | None:
        """Fetch (unless this round's `answers` have its plane) and offer one source's
        forecast; why the provider's answer was no forecast, or None. Unreachable when there
        was no answer at all."""
        assert site.latitude is not None and site.longitude is not None
        assert self._client is not None
        array = solar.PvArray(source.peak_kw, source.tilt_deg, source.azimuth_deg)
        plane = open_meteo.Plane(site.latitude, site.longitude, source.tilt_deg,
                                 source.azimuth_deg)
        try:
            got = answers.get(plane)
            if got is None:
                got = answers[plane] = await open_meteo.fetch(self._client, self._url, plane,
                                                              self._key)
            stored = await self._sites.offer_forecast(
                site.id, source.id, got.start, got.slot_minutes, got.kw(array),
                open_meteo.NAME)
        except open_meteo.Unreachable:
            raise
        except (open_meteo.ProviderError, DomainError) as e:
            return str(e)
        if stored is None:
            log.debug("source %r of site %r keeps the forecast given through the API",
                      source.id, site.id)
        return None
