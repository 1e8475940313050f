"""Green production a site can expect, slot by slot: what the planner and the plan route use.

Each source's clear-sky output (pvlib, csms.planning.solar) is scaled by a seasonal clear-sky
index while nothing is measured; today's measured readings correct it (measured over clear-sky
output, fading back to the seasonal guess over hours). A source that has not reported for a
while when the sun is up is flagged stale and falls back to the seasonal guess: an inverter
that went silent says nothing about the clouds. Results are cached per site for a minute, and
a new reading (a later `last_reading_at`) or a changed site invalidates them.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import NDArray

from csms.clock import Clock
from csms.domain.errors import InvalidInput, NotFound
from csms.domain.model import GreenSource, Reading, Site, SourceForecast
from csms.planning import forecast as fc
from csms.planning import solar
from csms.services.ports import Database, UnitOfWork
from csms.services.sites import clear_sky as clear_sky_
from csms.services.sites import forecast_feed as feed_

FloatArray = NDArray[np.float64]
STALE_AFTER = timedelta(minutes=30)
CACHE_TTL_S = 60.0
CACHE_SIZE = 256
MAX_HORIZON = timedelta(hours=72)


@dataclass(frozen=True)
class SiteForecast:
    """Expected green output per slot from `start`, and what it rests on.

    `on_site_kw` / `off_site_kw`: expected output (corrected where measured) of the sources
    behind the site's meter and elsewhere; `clear_sky_kw`: the sunny-day upper bound;
    `spread`: relative uncertainty per slot (see planning.forecast.spread).
    `firm_kw`: on-site output the coming slots are all but sure to reach
    (planning.forecast.firm), zero where nothing recent was measured; `room_kw`: what the plan
    may count on above the grid limit (planning.forecast.bounds: sure now, likely later).
    `measured_kw`: today's measured average per slot from `measured_start` (site's local
    midnight) up to the current slot, None where nothing was measured. `latest_kw`: the
    sources' latest readings together, each no older than a slot (what the correction takes as
    the slot in progress), None when none is that recent. `correction`: measured
    over clear-sky output of the recent slots (None: not corrected). `stale`: the sun is up and
    a source has not reported for `STALE_AFTER`; `notes` say so in words. `given`: the
    sources' weather-based forecasts the expected output rests on (forecast_feed).
    """

    site_id: str
    start: datetime
    slot_minutes: int
    on_site_kw: tuple[float, ...]
    off_site_kw: tuple[float, ...]
    clear_sky_kw: tuple[float, ...]
    spread: tuple[float, ...]
    firm_kw: tuple[float, ...]
    room_kw: tuple[float, ...]
    measured_start: datetime
    measured_kw: tuple[float | None, ...]
    latest_kw: float | None
    correction: float | None
    seasonal_factor: float
    last_reading_at: datetime | None
    stale: bool
    notes: tuple[str, ...]
    computed_at: datetime
    given: tuple[SourceForecast, ...] = ()

    @property
    def expected_kw(self) -> tuple[float, ...]:
        return tuple(a + b for a, b in zip(self.on_site_kw, self.off_site_kw, strict=True))

    def slot_start(self, index: int) -> datetime:
        return self.start + timedelta(minutes=self.slot_minutes * index)

    @property
    def green_on_site(self) -> bool:
        """False when some green is expected from off-site sources: the planner must then
        keep the load itself within the grid limit (the safe reading of a mixed site)."""
        return not any(self.off_site_kw)

    @property
    def source(self) -> str:
        """"measured" (corrected by readings), "forecast" (a weather-based forecast given for
        a source, nothing measured yet), "clear-sky" (seasonal guess) or "none"."""
        if self.correction is not None:
            return "measured"
        if self.given:  # corrected against the forecast itself, whatever the clear sky says
            read = self.latest_kw is not None or any(v is not None for v in self.measured_kw)
            return "measured" if read and not self.stale else "forecast"
        return "clear-sky" if any(self.clear_sky_kw) else "none"

    @property
    def note(self) -> str | None:
        return "; ".join(self.notes) or None


_Key = tuple[str, datetime, int, int]
_Print = tuple[Site, tuple[GreenSource, ...], datetime | None, tuple[SourceForecast, ...]]


class ForecastService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock
        self._cache: dict[_Key, tuple[float, _Print, SiteForecast]] = {}

    async def site_forecast(
        self, site_id: str, start: datetime, slots: int, slot_minutes: int = 15
    ) -> SiteForecast:
        """The site's expected green output for `slots` slots from `start` (aware)."""
        check_window(start, slots, slot_minutes)
        print_ = await self._db.read(lambda uow: _fingerprint(uow, site_id))
        if print_ is None:
            raise NotFound(f"site {site_id!r} not found")
        key = (site_id, start, slots, slot_minutes)
        hit = self._cache.get(key)
        if hit is not None and hit[1] == print_ and time.monotonic() - hit[0] < CACHE_TTL_S:
            return hit[2]
        site, sources, last, given = print_
        now = self._clock.now()
        day_start = local_midnight(now, site.timezone)
        readings = await self._db.read(lambda uow: uow.sites.readings(site_id, day_start, now))
        result = await asyncio.to_thread(
            compute, site, list(sources), readings, last, start, slots, slot_minutes, now, given)
        self._remember(key, print_, result)
        return result

    def invalidate(self, site_id: str) -> None:
        """Forget the site's cached forecasts (new readings, a changed source)."""
        for key in [k for k in self._cache if k[0] == site_id]:
            del self._cache[key]

    def _remember(self, key: _Key, print_: _Print, result: SiteForecast) -> None:
        now = time.monotonic()
        if len(self._cache) >= CACHE_SIZE:
            for k in [k for k, v in self._cache.items() if now - v[0] >= CACHE_TTL_S]:
                del self._cache[k]
            if len(self._cache) >= CACHE_SIZE:
                self._cache.clear()
        self._cache[key] = (now, print_, result)


def _fingerprint(uow: UnitOfWork, site_id: str) -> _Print | None:
    site = uow.sites.get(site_id)
    if site is None:
        return None
    return (site, tuple(uow.sites.sources(site_id)), uow.sites.last_reading_at(site_id),
            tuple(uow.sites.forecasts(site_id)))


def check_window(start: datetime, slots: int, slot_minutes: int) -> None:
    if start.tzinfo is None:
        raise InvalidInput("start needs a time zone")
    if not 1 <= slot_minutes <= 60:
        raise InvalidInput("slot_minutes must be between 1 and 60")
    if not 1 <= slots <= MAX_HORIZON / timedelta(minutes=slot_minutes):
        raise InvalidInput(f"slots must be between 1 and {MAX_HORIZON} worth of slots")


def local_midnight(now: datetime, zone: str | None) -> datetime:
    """Start of `now`'s day in the site's time zone (UTC when it has none), as UTC."""
    tz: tzinfo = ZoneInfo(zone) if zone else UTC
    local = now.astimezone(tz)
    midnight = datetime(local.year, local.month, local.day, tzinfo=tz)
    return midnight.astimezone(UTC)


def arrays_of(sources: Sequence[GreenSource]) -> list[solar.PvArray]:
    return [solar.PvArray(s.peak_kw, s.tilt_deg, s.azimuth_deg, s.on_site) for s in sources]


def baseline_by_source(
    site: Site, sources: Sequence[GreenSource], start: datetime, slots: int, slot_minutes: int
) -> dict[str, tuple[float, ...]]:
    clear = solar.clear_sky_kw(site.latitude, site.longitude, arrays_of(sources), start, slots,
                               slot_minutes)
    season = _seasonal(site, start, slots, slot_minutes)
    return {s.id: tuple(float(v) for v in np.asarray(kw) * season)
            for s, kw in zip(sources, clear.per_array_kw, strict=True)}


def slot_means(
    readings: Sequence[Reading], origin: datetime, slot: timedelta, slots: int
) -> list[float | None]:
    """Mean of the readings within each slot from `origin`; None for slots without any."""
    sums = [0.0] * slots
    counts = [0] * slots
    for r in readings:
        i = math.floor((r.timestamp - origin) / slot)
        if 0 <= i < slots:
            sums[i] += r.power_kw
            counts[i] += 1
    return [s / n if n else None for s, n in zip(sums, counts, strict=True)]


def latest(readings: Sequence[Reading], now: datetime, within: timedelta) -> float | None:
    """The last reading (they come in time order) if it is no older than `within`."""
    if readings and now - readings[-1].timestamp <= within:
        return readings[-1].power_kw
    return None


def compute(
    site: Site, sources: list[GreenSource], readings: list[tuple[str, Reading]],
    last_reading_at: datetime | None, start: datetime, slots: int, slot_minutes: int,
    now: datetime, forecasts: Sequence[SourceForecast] = (),
) -> SiteForecast:
    """The forecast from what was read; pure apart from pvlib's arithmetic. A source with a
    weather-based forecast (`forecasts`) is planned on it where it reaches (forecast_feed)."""
    slot = timedelta(minutes=slot_minutes)
    arrays = arrays_of(sources)
    day_start = local_midnight(now, site.timezone)
    past = math.floor((now - day_start) / slot)  # complete slots of today
    now_slot = day_start + past * slot
    clear_past = solar.clear_sky_kw(site.latitude, site.longitude, arrays, day_start, past,
                                    slot_minutes)
    clear_win = solar.clear_sky_kw(site.latitude, site.longitude, arrays, start, slots,
                                   slot_minutes)
    by_src = {s.id: [r for sid, r in readings if sid == s.id] for s in sources}
    measured = {sid: slot_means(rs, day_start, slot, past) for sid, rs in by_src.items()}
    sun_up = solar.sun_is_up(site.latitude, site.longitude, now)
    stale_ids = [s.id for s in sources
                 if sun_up and (not by_src[s.id] or now - by_src[s.id][-1].timestamp > STALE_AFTER)]
    fresh = [k for k, s in enumerate(sources) if s.id not in stale_ids]
    # the slot in progress counts as the latest measurement: readings come every few minutes,
    # and what the sun does now says most about the rest of this slot. Its value is the latest
    # reading (of this slot or the last one), not the slot's mean so far: a cloud that came in
    # the last minutes is what the next minutes bring (bench.planner --server measured it)
    clear_now = solar.clear_sky_kw(site.latitude, site.longitude, arrays, now_slot, 1,
                                   slot_minutes)
    ref = {s.id: [*clear_past.per_array_kw[k], clear_now.per_array_kw[k][0]]
           for k, s in enumerate(sources)}
    seen_now = {sid: [*measured[sid], latest(rs, now, slot)] for sid, rs in by_src.items()}
    site_ratio = solar.measured_ratio(
        _sum([ref[sources[k].id] for k in fresh], past + 1),
        _sum_opt([seen_now[sources[k].id] for k in fresh], past + 1), slot_minutes)
    season = _seasonal(site, start, slots, slot_minutes)
    season_now = solar.seasonal_factor(site.latitude, now)
    lead_h = [(start + i * slot - now_slot) / timedelta(hours=1) for i in range(slots)]
    on = np.zeros(slots)
    off = np.zeros(slots)
    covered: list[str] = []
    misfit: list[str] = []  # forecasts given whose sun is not the site's
    feed = {f.source_id: f for f in forecasts}
    fed: list[SourceForecast] = []
    spread_ref = [list(v) for v in clear_past.per_array_kw]
    # the course the firm bound follows down (sunset), per source from the day's start: the
    # forecast given where there is one, as the replay's bounds follow the scenario's forecast
    course = [[*clear_past.per_array_kw[k], *clear_win.per_array_kw[k]]
              for k in range(len(sources))]
    if feed:
        # the whole day at least: the correction reads the forecast's day (its peak, its
        # sunrise and sunset for a lag), not the window's part of it
        day_n = max(past + 1, math.ceil((start + slots * slot - day_start) / slot),
                    round(timedelta(days=1) / slot))
        clear_day = solar.clear_sky_kw(site.latitude, site.longitude, arrays, day_start, day_n,
                                       slot_minutes)
        season_day = _seasonal(site, day_start, day_n, slot_minutes)
    for k, s in enumerate(sources):
        clear = clear_win.per_array_kw[k]
        base = [c * f for c, f in zip(clear, season, strict=True)]
        on_day = None if s.id not in feed else feed_.filled(
            feed[s.id], day_start, slot_minutes, np.asarray(clear_day.per_array_kw[k]) * season_day)
        if on_day is not None:
            day_kw, reach = on_day
            dark = None if site.latitude is None or site.longitude is None else feed_.sun_down(
                day_kw, reach, clear_day.per_array_kw[k], s.peak_kw, slot_minutes)
            if dark is not None:
                misfit.append(f"source {s.id!r}: its forecast gives {day_kw[dark]:.1f} kW at "
                              f"{(day_start + dark * slot).isoformat()}, when the sun is down at "
                              "the site (local times sent as UTC?)")
            ahead = feed_.corrected(day_kw, measured[s.id], past, seen_now[s.id][-1],
                                    slot_minutes, s.id in stale_ids, reach)
            kw = feed_.for_window(feed[s.id], ahead, past, day_start, start, slots,
                                  slot_minutes, base)
            spread_ref[k] = [float(v) for v in day_kw[:past]]
            course[k] = [float(v) for v in day_kw[:past + slots]]
            fed.append(feed[s.id])
        else:
            ratio = site_ratio
            if s.id not in stale_ids:
                own = solar.measured_ratio(ref[s.id], seen_now[s.id], slot_minutes)
                ratio = site_ratio if own is None else own
            now_r = None if ratio is None or s.id in stale_ids else clear_sky_.latest_ratio(
                ref[s.id], seen_now[s.id], slot_minutes)
            kw, is_covered = clear_sky_.from_clear_sky(clear, base, ratio, now_r, season_now,
                                                       lead_h)
            if is_covered:
                covered.append(s.id)
        seen = slot_means(by_src[s.id], start, slot, slots)
        kw = np.array([m if m is not None and lead_h[i] < 0 else kw[i]
                       for i, m in enumerate(seen)], dtype=float)
        if s.on_site:
            on += kw
        else:
            off += kw
    total_measured = _sum_opt(list(measured.values()), past)
    actual = np.array([np.nan if v is None else v for v in total_measured], dtype=float)
    if stale_ids:
        actual[:] = np.nan
    leads = [max(0, round(h * 60 / slot_minutes)) for h in lead_h]
    spread = fc.spread(_sum(spread_ref, past), actual, past,
                       max(leads) + 1, slot_minutes=slot_minutes)
    firm, room = np.zeros(slots), np.zeros(slots)
    if start == now_slot and all(s.on_site for s in sources):
        firm, room = fc.bounds(_sum(course, past + slots), actual, past, on,
                               prior=fc.drop_prior(site.guard_trusted))
    return SiteForecast(
        site_id=site.id, start=start, slot_minutes=slot_minutes,
        on_site_kw=_rounded(on), off_site_kw=_rounded(off),
        clear_sky_kw=_rounded(clear_win.total_kw), spread=_rounded([spread[i] for i in leads]),
        firm_kw=_rounded(np.minimum(firm, on)), room_kw=_rounded(np.minimum(room, on)),
        measured_start=day_start, measured_kw=tuple(
            None if v is None else round(v, 3) for v in total_measured),
        latest_kw=_latest_total(list(seen_now.values())),
        correction=None if site_ratio is None else round(site_ratio, 3),
        seasonal_factor=solar.seasonal_factor(site.latitude, now),
        last_reading_at=last_reading_at, stale=bool(stale_ids),
        given=tuple(fed),
        notes=(*_notes(site, sources, stale_ids, by_src,
                       site_ratio if len(fed) < len(sources) else None, now),
               *(f"source {f.source_id!r}: planned on its forecast issued "
                 f"{f.issued_at.isoformat()} (to {f.end.isoformat()}), corrected by its "
                 "readings" for f in fed),
               *misfit,
               *(f"source {sid!r}: output far below any cloud's (snow or fog?), expected to "
                 f"recover: the shortfall fades over {fc.COVERED_PERSISTENCE_H:g} h"
                 for sid in covered)),
        computed_at=now,
    )


def _notes(
    site: Site, sources: list[GreenSource], stale_ids: list[str],
    by_src: dict[str, list[Reading]], ratio: float | None, now: datetime,
) -> tuple[str, ...]:
    notes = []
    if not sources:
        notes.append("the site has no green sources: no green production expected")
    elif site.latitude is None or site.longitude is None:
        notes.append(solar.NO_COORDINATES)
    factor = solar.seasonal_factor(site.latitude, now)
    for sid in stale_ids:
        last = by_src[sid][-1].timestamp if by_src[sid] else None
        since = f"since {last.isoformat()}" if last else "today"
        notes.append(f"source {sid!r}: no reading {since} while the sun is up; "
                     f"falling back to clear sky x seasonal factor {factor:.2f}")
    if ratio is not None:
        notes.append(f"corrected by measured output: {ratio:.0%} of clear sky, "
                     f"fading over {solar.PERSISTENCE_H:g} h to the seasonal factor {factor:.2f}")
    return tuple(notes)


def _seasonal(site: Site, start: datetime, slots: int, slot_minutes: int) -> FloatArray:
    step = timedelta(minutes=slot_minutes)
    return np.array([solar.seasonal_factor(site.latitude, start + i * step)
                     for i in range(slots)], dtype=float)


def _sum(series: Sequence[Sequence[float]], n: int) -> list[float]:
    return [float(sum(s[i] for s in series)) for i in range(n)]


def _sum_opt(series: list[list[float | None]], n: int) -> list[float | None]:
    """Per-slot sum of the values present; None where no series has one."""
    out: list[float | None] = []
    for i in range(n):
        present = [s[i] for s in series if s[i] is not None]
        out.append(sum(v for v in present if v is not None) if present else None)
    return out


def _latest_total(seen_now: list[list[float | None]]) -> float | None:
    """The sources' latest readings together (each series ends with its source's latest
    reading, or None when none is recent)."""
    total = _sum_opt([s[-1:] for s in seen_now], 1)
    return None if not total or total[0] is None else round(total[0], 3)


def _rounded(values: Sequence[float] | FloatArray) -> tuple[float, ...]:
    return tuple(round(float(v), 3) for v in values)
