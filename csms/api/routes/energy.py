"""Per-site energy reports: energy delivered, of it green, and the green share."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from csms.api.deps import Accounting
from csms.domain.errors import InvalidInput
from csms.services.sites.accounting import EnergyReport

router = APIRouter(tags=["sites"])

# In a query string an unescaped '+' arrives as a space: "…T10:00:00 02:00".
_SPACED_OFFSET = re.compile(r" (\d{2}(:?\d{2})?)$")


class EnergyIntervalOut(BaseModel):
    start: datetime
    end: datetime
    energy_wh: float
    green_available_wh: float = Field(description="green production in the interval")
    green_energy_wh: float = Field(description="of it, used by the site's sessions")
    green_source: Literal["measured", "forecast", "mixed"]


class EnergyOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    site_id: str
    from_: datetime = Field(alias="from")
    to: datetime
    energy_wh: float
    green_energy_wh: float
    green_share: float | None = Field(description="green / energy; null without energy")
    sessions: int = Field(description="transactions at the site's stations in the range")
    green_source: Literal["measured", "forecast", "mixed"] = Field(
        description="whether the green figures rest on measured readings, forecasts, or both")
    intervals: list[EnergyIntervalOut] | None = Field(
        None, description="15-minute breakdown, with detail=true")


def parse_instant(name: str, value: str | None) -> datetime | None:
    """An ISO 8601 timestamp with a zone; anything else is a clear 422."""
    if value is None:
        return None
    text = _SPACED_OFFSET.sub(r"+\1", value.strip())
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{name!r} is not an ISO 8601 timestamp: {value[:64]!r}") from None
    if at.tzinfo is None:
        raise InvalidInput(f"{name!r} needs a time zone (e.g. a trailing Z)")
    return at


def energy_out(r: EnergyReport) -> EnergyOut:
    out = EnergyOut.model_validate({
        "site_id": r.site_id, "from": r.start, "to": r.end, "energy_wh": r.energy_wh,
        "green_energy_wh": r.green_energy_wh, "green_share": r.green_share,
        "sessions": r.sessions, "green_source": r.green_source,
    })
    if r.intervals is not None:
        out.intervals = [EnergyIntervalOut(
            start=i.start, end=i.end, energy_wh=i.energy_wh,
            green_available_wh=i.green_available_wh, green_energy_wh=i.green_energy_wh,
            green_source=i.green_source,  # type: ignore[arg-type]
        ) for i in r.intervals]
    return out


@router.get("/sites/{site_id}/energy", response_model_exclude_unset=True)
async def site_energy(
    site_id: str,
    accounting: Accounting,
    from_: Annotated[str | None, Query(alias="from", max_length=64,
                                       description="ISO 8601 with zone; default: "
                                       "today's start in the site's time zone")] = None,
    to: Annotated[str | None, Query(max_length=64,
                                    description="ISO 8601 with zone; default: end of today")]
    = None,
    detail: bool = False,
) -> EnergyOut:
    """Energy delivered at the site in [from, to), of it green (measured production where
    there are readings, else the forecast), shared among concurrent sessions by energy."""
    report = await accounting.report(
        site_id, parse_instant("from", from_), parse_instant("to", to), detail)
    return energy_out(report)
