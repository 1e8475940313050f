"""The green power a site can expect, as the smart-charging cycle asks for it: per plan slot,
with its spread and the measurements it was corrected by, whatever the forecast's source."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from csms.domain.model import SourceForecast
from csms.services.sites.forecast import ForecastService


@dataclass(frozen=True)
class GreenOutlook:
    """Expected green power per slot from the plan's start, and how much to trust it."""

    green_kw: list[float]
    spread: list[float] | None = None
    on_site: bool = True
    stale: bool = False
    source: str = "none"
    note: str | None = None
    measured_kw: list[float | None] = field(default_factory=list)
    firm_kw: list[float] = field(default_factory=list)
    room_kw: list[float] = field(default_factory=list)
    latest_kw: float | None = None  # the latest readings together, no older than a slot
    given: tuple[SourceForecast, ...] = ()  # the sources' weather-based forecasts it rests on


ForecastFn = Callable[[str, datetime, int], Awaitable[GreenOutlook]]


async def no_forecast(site_id: str, start: datetime, slots: int) -> GreenOutlook:
    return GreenOutlook([0.0] * slots, note="no forecast service")


def outlook(forecasts: ForecastService, slot_minutes: int) -> ForecastFn:
    """The forecast service as the planner loop sees it, in slots of `slot_minutes`."""

    async def fn(site_id: str, start: datetime, slots: int) -> GreenOutlook:
        f = await forecasts.site_forecast(site_id, start, slots, slot_minutes)
        return GreenOutlook(list(f.expected_kw), list(f.spread), f.green_on_site, f.stale,
                            f.source, f.note, list(f.measured_kw), list(f.firm_kw),
                            list(f.room_kw), f.latest_kw, f.given)

    return fn
