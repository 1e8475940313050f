"""Capacity to hold back for cars likely to arrive, learned from the site's own history.

The planner's `ArrivalModel.from_history` expects, per slot ahead, the cars that arrived on the
same weekday and at the same time of day over the last weeks (the site's time zone): capacity
held back for them, and the energy they will want (the planner hedges the current slot's green
less when they would take the later green, `planning.hedge`). The
history is read once an hour per site: the pattern of weeks does not change by the minute, and
the planner runs every few seconds under load.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from csms.clock import Clock
from csms.domain.model import Site
from csms.planning.arrivals import ArrivalModel
from csms.services.ports import Database

HISTORY_DAYS = 28
REFRESH = timedelta(hours=1)
Past = list[tuple[datetime, datetime, float, float]]


@dataclass(frozen=True)
class Expected:
    """Per slot from the plan's start (slot 0: none): kW to keep free for cars not plugged in
    yet, and the energy (kWh) the cars arriving in that slot will want."""

    reserve_kw: list[float]
    arriving_kwh: list[float]


class ArrivalHistory:
    def __init__(self, db: Database, clock: Clock, car_max_kw: float,
                 days: int = HISTORY_DAYS) -> None:
        self._db = db
        self._clock = clock
        self._car_max_kw = car_max_kw
        self._days = days
        self._cache: dict[str, tuple[datetime, Past]] = {}

    async def expect(self, site: Site, start: datetime, slots: int,
                     slot_minutes: int) -> Expected:
        """What the site's history says of the cars to come, per slot from `start`."""
        now = self._clock.now()
        past = await self._past(site.id, now)
        model = ArrivalModel.from_history(past, start, days=self._days, tz=_zone(site),
                                          slot_minutes=slot_minutes, horizon_slots=slots)
        return Expected(
            [round(x, 3) for x in model.reserve_kw(slots, slot_minutes).tolist()],
            [round(x, 3) for x in model.arriving_kwh(slots).tolist()])

    async def _past(self, site_id: str, now: datetime) -> Past:
        hit = self._cache.get(site_id)
        if hit is not None and now - hit[0] < REFRESH:
            return hit[1]
        since = now - timedelta(days=self._days)
        txs = await self._db.read(
            lambda uow: uow.accounting.site_transactions(site_id, since, now))
        past = [(t.started_at, t.stopped_at, t.energy_wh / 1000, self._car_max_kw)
                for t in txs if t.stopped_at is not None and t.started_at >= since]
        self._cache[site_id] = (now, past)
        return past


def _zone(site: Site) -> tzinfo:
    try:
        return ZoneInfo(site.timezone) if site.timezone else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC
