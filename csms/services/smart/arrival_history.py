"""Capacity to hold back for cars likely to arrive, learned from the site's own history.

The planner's `ArrivalModel.from_history` expects, per slot ahead, the cars that arrived on the
same weekday and at the same time of day over the last weeks (the site's time zone). The
history is read once an hour per site: the pattern of weeks does not change by the minute, and
the planner runs every few seconds under load.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from csms.clock import Clock
from csms.domain.model import Site
from csms.planning.arrivals import ArrivalModel
from csms.services.ports import Database

HISTORY_DAYS = 28
REFRESH = timedelta(hours=1)
Past = list[tuple[datetime, datetime, float, float]]


class ArrivalHistory:
    def __init__(self, db: Database, clock: Clock, car_max_kw: float,
                 days: int = HISTORY_DAYS) -> None:
        self._db = db
        self._clock = clock
        self._car_max_kw = car_max_kw
        self._days = days
        self._cache: dict[str, tuple[datetime, Past]] = {}

    async def reserve_kw(self, site: Site, start: datetime, slots: int,
                         slot_minutes: int) -> list[float]:
        """kW per slot from `start` to keep free for cars not plugged in yet (slot 0: none)."""
        now = self._clock.now()
        past = await self._past(site.id, now)
        model = ArrivalModel.from_history(past, start, days=self._days, tz=_zone(site),
                                          slot_minutes=slot_minutes, horizon_slots=slots)
        return [round(x, 3) for x in model.reserve_kw(slots, slot_minutes).tolist()]

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
