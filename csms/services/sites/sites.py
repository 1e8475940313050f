"""Sites, their green sources and measured production: what the planner plans around."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from csms.clock import Clock
from csms.domain import events as ev
from csms.domain.errors import Conflict, InvalidInput, NotFound
from csms.domain.model import ForecastFetch, GreenSource, Reading, Site, SourceForecast
from csms.services.ports import Database, UnitOfWork

# A forecast above its source's peak by this much is in the wrong unit (W for kW) or for
# another source; clear-sky output above the peak's nameplate is rare and small.
FORECAST_PEAK_MARGIN = 1.5
ISSUED_SKEW = timedelta(minutes=5)  # a provider's clock may run a little ahead of ours


class SiteService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def add(self, site: Site) -> Site:
        now = self._clock.now()
        site = replace(site, created_at=now, guard_since=now if site.local_guard else None,
                       guard_failure=None)

        def work(uow: UnitOfWork) -> None:
            if uow.sites.get(site.id) is not None:
                raise Conflict(f"site {site.id!r} already exists")
            uow.sites.add(site)

        await self._db.write(work)
        return site

    async def get(self, site_id: str) -> Site:
        site = await self._db.read(lambda uow: uow.sites.get(site_id))
        if site is None:
            raise NotFound(f"site {site_id!r} not found")
        return site

    async def all(self) -> list[Site]:
        return await self._db.read(lambda uow: uow.sites.all())

    async def update(self, site_id: str, changes: dict[str, Any]) -> Site:
        if "local_guard" in changes:
            # declared (again): judged from now on, a failure seen before is forgotten
            changes = changes | {"guard_since": self._clock.now() if changes["local_guard"]
                                 else None, "guard_failed_at": None, "guard_failed_kw": None}

        def work(uow: UnitOfWork) -> None:
            if not uow.sites.update(site_id, **changes):
                raise NotFound(f"site {site_id!r} not found")
            # smart charging: a new limit or new defaults re-plan the site
            uow.publish(ev.SiteChanged("", site_id))

        await self._db.write(work)
        return await self.get(site_id)

    async def add_source(self, source: GreenSource) -> GreenSource:
        def work(uow: UnitOfWork) -> None:
            if uow.sites.get(source.site_id) is None:
                raise NotFound(f"site {source.site_id!r} not found")
            if any(s.id == source.id for s in uow.sites.sources(source.site_id)):
                raise Conflict(f"source {source.id!r} already exists on this site")
            uow.sites.add_source(source)
            uow.publish(ev.SiteChanged("", source.site_id))  # re-plan; a provider's forecast

        await self._db.write(work)
        return source

    async def sources(self, site_id: str) -> list[GreenSource]:
        await self.get(site_id)
        return await self._db.read(lambda uow: uow.sites.sources(site_id))

    async def delete_source(self, site_id: str, source_id: str) -> None:
        def work(uow: UnitOfWork) -> None:
            if not uow.sites.delete_source(site_id, source_id):
                raise NotFound(f"source {source_id!r} not found on site {site_id!r}")

        await self._db.write(work)

    async def add_readings(self, site_id: str, source_id: str, readings: list[Reading]) -> int:
        """Store measured production; readings from the future are refused."""
        now = self._clock.now()
        late = [r for r in readings if r.timestamp > now]
        if late:
            raise InvalidInput(f"reading at {late[0].timestamp.isoformat()} is in the future")
        seen: set[datetime] = set()
        unique = []
        for r in sorted(readings, key=lambda r: r.timestamp, reverse=True):
            if r.timestamp not in seen:  # the last value given for a timestamp wins
                seen.add(r.timestamp)
                unique.append(r)

        def work(uow: UnitOfWork) -> int:
            _source(uow, site_id, source_id)
            uow.publish(ev.ReadingsAdded("", site_id, source_id))
            return uow.sites.add_readings(site_id, source_id, unique)

        return await self._db.write(work)

    async def readings(
        self, site_id: str, start: datetime, end: datetime, source_id: str | None = None
    ) -> list[tuple[str, Reading]]:
        return await self._db.read(lambda uow: uow.sites.readings(site_id, start, end, source_id))

    async def put_forecast(
        self, site_id: str, source_id: str, start: datetime, slot_minutes: int,
        power_kw: Sequence[float], issued_at: datetime | None = None,
    ) -> SourceForecast:
        """Store a source's forecast in place of the last one, and re-plan the site.
        `issued_at`: when it was made (default: now)."""
        now = self._clock.now()
        if issued_at is not None and issued_at > now + ISSUED_SKEW:
            raise InvalidInput(f"issued_at {issued_at.isoformat()} is in the future")
        forecast = SourceForecast(
            site_id=site_id, source_id=source_id, start=start.astimezone(UTC),
            slot_minutes=slot_minutes, power_kw=tuple(float(v) for v in power_kw),
            issued_at=(issued_at or now).astimezone(UTC), received_at=now)
        await self._store(forecast, defer_to_api=False)
        return forecast

    async def offer_forecast(
        self, site_id: str, source_id: str, start: datetime, slot_minutes: int,
        power_kw: Sequence[float], origin: str,
    ) -> SourceForecast | None:
        """Store a forecast csms fetched from the provider `origin`, unless a forecast given
        through the API still reaches ahead: whoever feeds one knows the source better than a
        provider that knows only its size and orientation. None when that one was kept."""
        now = self._clock.now()
        forecast = SourceForecast(
            site_id=site_id, source_id=source_id, start=start.astimezone(UTC),
            slot_minutes=slot_minutes, power_kw=tuple(float(v) for v in power_kw),
            issued_at=now, received_at=now, origin=origin)
        return forecast if await self._store(forecast, defer_to_api=True) else None

    async def _store(self, forecast: SourceForecast, *, defer_to_api: bool) -> bool:
        now = self._clock.now()
        # the largest value, found here: the write below shares its commit with other work
        i, kw = max(enumerate(forecast.power_kw), key=lambda p: p[1])

        def work(uow: UnitOfWork) -> bool:
            source = _source(uow, forecast.site_id, forecast.source_id)
            if kw > FORECAST_PEAK_MARGIN * source.peak_kw:
                raise InvalidInput(
                    f"power_kw[{i}] is {kw:g} kW, above {FORECAST_PEAK_MARGIN:g} x the "
                    f"source's peak of {source.peak_kw:g} kW (watts given as kW?)")
            if defer_to_api and any(
                    f.source_id == forecast.source_id and f.origin == "api" and f.end > now
                    for f in uow.sites.forecasts(forecast.site_id)):
                return False
            uow.sites.put_forecast(forecast)
            uow.publish(ev.ForecastPosted("", forecast.site_id, forecast.source_id))
            return True

        return await self._db.write(work)

    async def forecast(self, site_id: str, source_id: str) -> SourceForecast:
        def work(uow: UnitOfWork) -> SourceForecast | None:
            _source(uow, site_id, source_id)
            return next((f for f in uow.sites.forecasts(site_id) if f.source_id == source_id),
                        None)

        found = await self._db.read(work)
        if found is None:
            raise NotFound(f"source {source_id!r} has no forecast")
        return found

    async def delete_forecast(self, site_id: str, source_id: str) -> None:
        def work(uow: UnitOfWork) -> None:
            _source(uow, site_id, source_id)
            if not uow.sites.delete_forecast(site_id, source_id):
                raise NotFound(f"source {source_id!r} has no forecast")
            uow.publish(ev.ForecastPosted("", site_id, source_id))

        await self._db.write(work)

    async def record_fetch(self, site_id: str, source_id: str, provider: str,
                           error: str | None) -> None:
        """Record how fetching the source's forecast from `provider` went (`error`: why it
        gave none); nothing when the source is gone meanwhile."""
        now = self._clock.now()

        def work(uow: UnitOfWork) -> None:
            if not any(s.id == source_id for s in uow.sites.sources(site_id)):
                return
            before = next((f for f in uow.sites.fetches(site_id) if f.source_id == source_id),
                          None)
            if error is None:
                fetch = ForecastFetch(site_id, source_id, provider, now, ok_at=now)
            else:
                since = before.failing_since if before is not None else None
                fetch = ForecastFetch(site_id, source_id, provider, now, error=error[:500],
                                      failing_since=since or now,
                                      ok_at=before.ok_at if before is not None else None)
            uow.sites.put_fetch(fetch)

        await self._db.write(work)

    async def fetches(self, site_id: str) -> list[ForecastFetch]:
        """How the last fetch of each of the site's sources' forecasts went."""
        await self.get(site_id)
        return await self._db.read(lambda uow: uow.sites.fetches(site_id))


def _source(uow: UnitOfWork, site_id: str, source_id: str) -> GreenSource:
    found = next((s for s in uow.sites.sources(site_id) if s.id == source_id), None)
    if found is None:
        raise NotFound(f"source {source_id!r} not found on site {site_id!r}")
    return found
