"""Green-energy accounting of each site: `transactions.green_energy_wh` and energy reports.

The arithmetic is csms.domain.accounting; this module fetches what it needs and stores the
result. A stopped transaction is accounted for as soon as its stop is committed
(csms.workers.subscribers follows `TransactionStopped`), and a periodic refresh recomputes every
transaction of the last 36 hours, active ones included: readings and late meter values keep
arriving, and a recompute from scratch is idempotent. Only stations attached to a site take
part.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from csms.clock import Clock
from csms.domain import accounting as acc
from csms.domain import events as ev
from csms.domain import grid_import
from csms.domain.errors import InvalidInput, NotFound
from csms.domain.model import GreenSource, Reading, Sample, Site, SourceForecast, Transaction
from csms.services.ports import Database, UnitOfWork
from csms.services.sites import forecast_feed as feed
from csms.services.sites.forecast import baseline_by_source, local_midnight

log = logging.getLogger(__name__)

RECENT = timedelta(hours=36)  # transactions stopped this recently are recomputed
MAX_SPAN = timedelta(days=7)  # energy of longer (zombie) sessions before this is not green
MAX_REPORT = timedelta(days=366)
MAX_DETAIL = timedelta(days=31)


@dataclass(frozen=True)
class IntervalReport:
    start: datetime
    end: datetime
    energy_wh: float
    green_available_wh: float
    green_energy_wh: float
    green_source: str


@dataclass(frozen=True)
class EnergyReport:
    """Energy delivered at a site in [start, end), of it green; `green_share` None without
    energy. `green_source`: whether the green figures rest on measured readings, forecasts,
    or both."""

    site_id: str
    start: datetime
    end: datetime
    energy_wh: float
    green_energy_wh: float
    green_share: float | None
    sessions: int
    green_source: str
    intervals: tuple[IntervalReport, ...] | None = None


@dataclass(frozen=True)
class _Inputs:
    site: Site
    sources: list[GreenSource]
    transactions: list[Transaction]
    samples: dict[int, list[Sample]]
    readings: list[tuple[str, Reading]]
    forecasts: list[SourceForecast]


@dataclass(frozen=True)
class _Account:
    green: dict[int, float]  # transaction pk -> green Wh within the span
    intervals: dict[int, acc.IntervalUse]
    kinds: dict[int, str]
    supply: dict[int, float]  # green production (Wh) per interval, charged in or not


class AccountingService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    # --- keeping green_energy_wh up to date ----------------------------------------------

    async def recompute_site(self, site_id: str) -> int:
        """Recompute the site's transactions of the last 36 h; returns how many changed."""
        now = self._clock.now()
        recent = await self._db.read(
            lambda uow: uow.accounting.site_transactions(site_id, now - RECENT, now))
        if not recent:
            return 0
        lo = max(min(t.started_at for t in recent), now - MAX_SPAN)
        inputs = await self._db.read(lambda uow: _inputs(uow, site_id, lo, now))
        if inputs is None:
            return 0
        account = await asyncio.to_thread(_compute, inputs, lo, now, now)
        await self._check_guard(inputs, account, lo, now)
        changed = {
            t.pk: round(account.green.get(t.pk, 0.0), 3) for t in inputs.transactions
            if (t.stopped_at is None or t.stopped_at >= now - RECENT)
            and abs(round(account.green.get(t.pk, 0.0), 3) - t.green_energy_wh) > 0.0005
        }
        if changed:
            await self._db.write(lambda uow: uow.accounting.set_green(changed))
        return len(changed)

    async def _check_guard(self, inputs: _Inputs, account: _Account, lo: datetime,
                           now: datetime) -> None:
        """A site that declares a local guard: whether the import it measured stayed within
        its limit since then (csms.domain.grid_import). If not, its plans stop counting on
        the guard until the site declares it again."""
        site = inputs.site
        if not site.guard_trusted:
            return
        since = max(site.guard_since or site.created_at or lo, lo, now - RECENT)
        first = acc.interval_of(since - timedelta(microseconds=1)) + 1  # whole intervals
        load = {i: u.energy_wh for i, u in account.intervals.items()}
        imports = await asyncio.to_thread(
            grid_import.judged_imports, inputs.sources, inputs.transactions, inputs.samples,
            inputs.readings, load, range(first, acc.interval_of(now)))
        found = grid_import.failure(imports, site.grid_limit_kw)
        if found is None:
            return

        def work(uow: UnitOfWork) -> bool:
            current = uow.sites.get(site.id)
            if current is None or not current.guard_trusted or \
                    current.guard_since != site.guard_since:
                return False  # declared again (or withdrawn) meanwhile
            uow.sites.update(site.id, guard_failed_at=found.at, guard_failed_kw=found.import_kw)
            uow.publish(ev.SiteChanged("", site.id))  # re-planned without the guard
            uow.publish(ev.GuardFailed("", site.id, found.at, found.import_kw,
                                       site.grid_limit_kw))
            return True

        if await self._db.write(work):
            log.warning("site %r: %s; its plans count on no green above the limit until the "
                        "guard is declared again (PATCH local_guard true)", site.id,
                        found.describe(site.grid_limit_kw))

    async def refresh(self) -> None:
        """Every site's recent transactions (the periodic job)."""
        for site in await self._db.read(lambda uow: uow.sites.all()):
            await self.recompute_site(site.id)

    async def recompute_stations(self, station_ids: set[str],
                                 sites: Collection[str] = ()) -> None:
        """The sites of these stations (after their transactions stopped), and `sites`, those
        of stations whose site the caller knew."""
        found = (await self._db.read(lambda uow: _sites_of(uow, station_ids))
                 if station_ids else set())
        for site_id in sorted(found | set(sites)):
            await self.recompute_site(site_id)

    # --- reports -------------------------------------------------------------------------

    async def report(
        self, site_id: str, start: datetime | None, end: datetime | None, detail: bool = False
    ) -> EnergyReport:
        """Energy and green energy at the site in [start, end); default: today, local time."""
        site = await self._db.read(lambda uow: uow.sites.get(site_id))
        if site is None:
            raise NotFound(f"site {site_id!r} not found")
        now = self._clock.now()
        start, end = _range(site, start, end, now)
        if detail and end - start > MAX_DETAIL:
            raise InvalidInput(f"detail=true covers at most {MAX_DETAIL.days} days")
        inputs = await self._db.read(lambda uow: _inputs(uow, site_id, start, end))
        if inputs is None:
            raise NotFound(f"site {site_id!r} not found")
        account = await asyncio.to_thread(_compute, inputs, start, end, now)
        return _report(site_id, start, end, now, inputs, account, detail)


def _range(
    site: Site, start: datetime | None, end: datetime | None, now: datetime
) -> tuple[datetime, datetime]:
    today = local_midnight(now, site.timezone)
    start = start if start is not None else today
    end = end if end is not None else local_midnight(today + timedelta(hours=36), site.timezone)
    for t in (start, end):
        if t.tzinfo is None:
            raise InvalidInput("timestamps need a time zone (e.g. a trailing Z)")
    if start >= end:
        raise InvalidInput("'from' must be before 'to'")
    if end - start > MAX_REPORT:
        raise InvalidInput(f"a report covers at most {MAX_REPORT.days} days")
    return start.astimezone(UTC), end.astimezone(UTC)


def _sites_of(uow: UnitOfWork, station_ids: set[str]) -> set[str]:
    stations = (uow.stations.get(s) for s in station_ids)
    return {st.site_id for st in stations if st is not None and st.site_id}


def _inputs(uow: UnitOfWork, site_id: str, start: datetime, end: datetime) -> _Inputs | None:
    site = uow.sites.get(site_id)
    if site is None:
        return None
    txs = uow.accounting.site_transactions(site_id, start, end)
    lo = acc.interval_start(acc.interval_of(start))
    return _Inputs(site, uow.sites.sources(site_id), txs,
                   uow.accounting.register_samples([t.pk for t in txs]),
                   uow.sites.readings(site_id, lo, end), uow.sites.forecasts(site_id))


def _compute(inputs: _Inputs, start: datetime, end: datetime, now: datetime) -> _Account:
    """Green per transaction and per interval over the intervals overlapping [start, end)."""
    lo, hi = acc.interval_of(start), acc.interval_of(end - timedelta(microseconds=1)) + 1
    profiles = {}
    for t in inputs.transactions:
        prof = acc.transaction_profile(t, inputs.samples.get(t.pk, []), now)
        profiles[t.pk] = {i: wh for i, wh in prof.items() if lo <= i < hi}
    known = range(lo, min(hi, acc.interval_of(now) + 1))
    measured = {s.id: acc.interval_means(
        (r.timestamp, r.power_kw) for sid, r in inputs.readings if sid == s.id)
        for s in inputs.sources}
    baseline = baseline_by_source(inputs.site, inputs.sources, acc.interval_start(lo),
                                  max(len(known), 1), int(acc.INTERVAL_S // 60))
    forecast = {sid: {lo + k: kw for k, kw in enumerate(
        _given_or(series, inputs.forecasts, sid, acc.interval_start(lo)))}
        for sid, series in baseline.items()}
    supply, kinds = acc.green_supply(measured, forecast, known)
    green, used = acc.split_green(profiles, supply)
    return _Account(green, {u.index: u for u in used}, dict(kinds), supply)


def _given_or(
    baseline: Sequence[float], forecasts: list[SourceForecast], source_id: str, origin: datetime
) -> list[float]:
    """A source's expected output per interval from `origin`: its weather-based forecast where
    it reaches, else the clear sky's guess (`baseline`)."""
    given = next((f for f in forecasts if f.source_id == source_id), None)
    on_day = None if given is None else feed.filled(given, origin, int(acc.INTERVAL_S // 60),
                                                    baseline)
    return list(baseline) if on_day is None else [float(v) for v in on_day[0]]


def _report(
    site_id: str, start: datetime, end: datetime, now: datetime, inputs: _Inputs,
    account: _Account, detail: bool,
) -> EnergyReport:
    lo, hi = acc.interval_of(start), acc.interval_of(end - timedelta(microseconds=1)) + 1
    rows: list[IntervalReport] = []
    energy = green = 0.0
    loaded: set[str] = set()
    for i in range(lo, min(hi, acc.interval_of(now) + 1)):
        a, b = max(start, acc.interval_start(i)), min(end, acc.interval_start(i + 1))
        f = (b - a) / acc.INTERVAL
        use = account.intervals.get(i, acc.IntervalUse(i, 0.0, account.supply.get(i, 0.0), 0.0))
        kind = account.kinds.get(i, "forecast")
        energy += use.energy_wh * f
        green += use.green_used_wh * f
        if use.energy_wh > 0:
            loaded.add(kind)
        rows.append(IntervalReport(a, b, round(use.energy_wh * f, 3),
                                   round(use.green_available_wh * f, 3),
                                   round(use.green_used_wh * f, 3), kind))
    kinds = loaded or {r.green_source for r in rows} or {"forecast"}
    sessions = [t for t in inputs.transactions if t.started_at < end
                and (t.stopped_at is None or t.stopped_at >= start)]
    return EnergyReport(
        site_id=site_id, start=start, end=end, energy_wh=round(energy, 3),
        green_energy_wh=round(green, 3),
        green_share=round(green / energy, 4) if energy > 0 else None,
        sessions=len(sessions), green_source=_kind(kinds),
        intervals=tuple(rows) if detail else None,
    )


def _kind(kinds: set[str]) -> str:
    return kinds.pop() if len(kinds) == 1 else "mixed"

