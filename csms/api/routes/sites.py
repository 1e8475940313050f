"""Sites, their green sources and measured production."""

from __future__ import annotations

from fastapi import APIRouter, Response

from csms.api.access import Who
from csms.api.deps import Sites
from csms.api.site_schemas import (
    ForecastFetchOut,
    ForecastIn,
    ForecastOut,
    GuardFailureOut,
    ReadingIn,
    ReadingsAccepted,
    SiteIn,
    SiteOut,
    SitePatch,
    SourceIn,
    SourceOut,
)
from csms.domain.errors import NotFound
from csms.domain.model import ForecastFetch, GreenSource, Reading, Site, SourceForecast

router = APIRouter(tags=["sites"])
# PATCH fields whose null means "remove" (smart charging: the site's defaults)
_NULLABLE = ("latitude", "longitude", "timezone", "default_dwell_h", "default_energy_kwh",
             "default_mode")


def site_out(s: Site) -> SiteOut:
    return SiteOut(id=s.id, name=s.name, grid_limit_kw=s.grid_limit_kw, latitude=s.latitude,
                   longitude=s.longitude, timezone=s.timezone, created_at=s.created_at,
                   default_dwell_h=s.default_dwell_h, default_energy_kwh=s.default_energy_kwh,
                   default_mode=s.default_mode, local_guard=s.local_guard,
                   guard_since=s.guard_since,
                   guard_failure=None if s.guard_failure is None else GuardFailureOut(
                       at=s.guard_failure.at, import_kw=s.guard_failure.import_kw))


def source_out(s: GreenSource, fetch: ForecastFetch | None = None) -> SourceOut:
    return SourceOut(site_id=s.site_id, id=s.id, kind="solar", name=s.name, peak_kw=s.peak_kw,
                     tilt_deg=s.tilt_deg, azimuth_deg=s.azimuth_deg, on_site=s.on_site,
                     forecast_fetch=fetch_out(fetch) if fetch is not None else None)


def fetch_out(f: ForecastFetch) -> ForecastFetchOut:
    return ForecastFetchOut(provider=f.provider, checked_at=f.checked_at, ok=f.error is None,
                            error=f.error, failing_since=f.failing_since, ok_at=f.ok_at)


@router.post("/sites", status_code=201)
async def add_site(body: SiteIn, sites: Sites) -> SiteOut:
    return site_out(await sites.add(Site(**body.model_dump())))


@router.get("/sites")
async def list_sites(sites: Sites, who: Who) -> list[SiteOut]:
    return [site_out(s) for s in await sites.all() if who.sees_site(s.id)]


@router.get("/sites/{site_id}")
async def get_site(site_id: str, sites: Sites) -> SiteOut:
    return site_out(await sites.get(site_id))


@router.patch("/sites/{site_id}")
async def patch_site(site_id: str, body: SitePatch, sites: Sites) -> SiteOut:
    changes = {k: v for k, v in body.model_dump(exclude_unset=True).items()
               if v is not None or k in _NULLABLE}
    if not changes:  # nothing to change: the site as it is
        return site_out(await sites.get(site_id))
    return site_out(await sites.update(site_id, changes))


@router.post("/sites/{site_id}/sources", status_code=201)
async def add_source(site_id: str, body: SourceIn, sites: Sites) -> SourceOut:
    source = GreenSource(site_id=site_id, **body.model_dump())
    return source_out(await sites.add_source(source))


@router.get("/sites/{site_id}/sources")
async def list_sources(site_id: str, sites: Sites) -> list[SourceOut]:
    fetches = {f.source_id: f for f in await sites.fetches(site_id)}
    return [source_out(s, fetches.get(s.id)) for s in await sites.sources(site_id)]


@router.delete("/sites/{site_id}/sources/{source_id}", status_code=204)
async def delete_source(site_id: str, source_id: str, sites: Sites) -> Response:
    await sites.delete_source(site_id, source_id)
    return Response(status_code=204)


@router.post("/sites/{site_id}/sources/{source_id}/readings", status_code=201)
async def add_readings(
    site_id: str, source_id: str, body: list[ReadingIn], sites: Sites
) -> ReadingsAccepted:
    """Measured production `[{timestamp, power_kw}]`; a repeated timestamp replaces the value."""
    if not body:  # nothing to store, but the source must exist
        if not any(s.id == source_id for s in await sites.sources(site_id)):
            raise NotFound(f"source {source_id!r} not found on site {site_id!r}")
        return ReadingsAccepted(stored=0)
    readings = [Reading(r.timestamp, r.power_kw) for r in body]
    return ReadingsAccepted(stored=await sites.add_readings(site_id, source_id, readings))


def forecast_out(f: SourceForecast) -> ForecastOut:
    return ForecastOut(site_id=f.site_id, source_id=f.source_id, start=f.start, end=f.end,
                       slot_minutes=f.slot_minutes, power_kw=list(f.power_kw),
                       issued_at=f.issued_at, received_at=f.received_at, origin=f.origin)


@router.put("/sites/{site_id}/sources/{source_id}/forecast")
async def put_forecast(
    site_id: str, source_id: str, body: ForecastIn, sites: Sites
) -> ForecastOut:
    """The source's weather-based forecast; it replaces the last one. The planner corrects it
    with the source's readings; outside it (and without one) it plans on the clear sky."""
    return forecast_out(await sites.put_forecast(
        site_id, source_id, body.start, body.slot_minutes, body.power_kw, body.issued_at))


@router.get("/sites/{site_id}/sources/{source_id}/forecast")
async def get_forecast(site_id: str, source_id: str, sites: Sites) -> ForecastOut:
    return forecast_out(await sites.forecast(site_id, source_id))


@router.delete("/sites/{site_id}/sources/{source_id}/forecast", status_code=204)
async def delete_forecast(site_id: str, source_id: str, sites: Sites) -> Response:
    """Withdraw the source's forecast: the planner goes back to the clear sky."""
    await sites.delete_forecast(site_id, source_id)
    return Response(status_code=204)
