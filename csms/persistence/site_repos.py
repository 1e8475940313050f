"""Repositories for sites, their green sources and measured readings, and session preferences."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from csms.domain.model import ForecastFetch, GreenSource, Preferences, Reading, Site, SourceForecast
from csms.persistence import rows
from csms.persistence import tables as t


class SiteRepo:
    def __init__(self, conn: Connection) -> None:
        self._c = conn

    def get(self, site_id: str) -> Site | None:
        r = self._c.execute(select(t.sites).where(t.sites.c.id == site_id)).first()
        return rows.site(r) if r else None

    def all(self) -> list[Site]:
        return [rows.site(r) for r in self._c.execute(select(t.sites).order_by(t.sites.c.id))]

    def add(self, site: Site) -> None:
        self._c.execute(insert(t.sites).values(
            id=site.id, name=site.name, grid_limit_kw=site.grid_limit_kw,
            latitude=site.latitude, longitude=site.longitude, timezone=site.timezone,
            created_at=site.created_at, default_dwell_h=site.default_dwell_h,
            default_energy_kwh=site.default_energy_kwh, default_mode=site.default_mode,
            local_guard=site.local_guard, guard_since=site.guard_since))

    def update(self, site_id: str, **fields: Any) -> bool:
        q = update(t.sites).where(t.sites.c.id == site_id).values(**fields)
        return bool(self._c.execute(q).rowcount)

    def sources(self, site_id: str) -> list[GreenSource]:
        c = t.green_sources.c
        q = select(t.green_sources).where(c.site_id == site_id).order_by(c.id)
        return [rows.green_source(r) for r in self._c.execute(q)]

    def add_source(self, source: GreenSource) -> None:
        self._c.execute(insert(t.green_sources).values(
            site_id=source.site_id, id=source.id, kind=source.kind, name=source.name,
            peak_kw=source.peak_kw, tilt_deg=source.tilt_deg, azimuth_deg=source.azimuth_deg,
            on_site=source.on_site))

    def delete_source(self, site_id: str, source_id: str) -> bool:
        c = t.green_sources.c
        q = delete(t.green_sources).where((c.site_id == site_id) & (c.id == source_id))
        self.delete_forecast(site_id, source_id)
        self._delete_fetch(site_id, source_id)
        return bool(self._c.execute(q).rowcount)

    def put_forecast(self, f: SourceForecast) -> None:
        """The source's forecast; it replaces the one given before."""
        self.delete_forecast(f.site_id, f.source_id)
        self._c.execute(insert(t.source_forecasts).values(
            site_id=f.site_id, source_id=f.source_id, start=f.start,
            slot_minutes=f.slot_minutes, power_kw=list(f.power_kw), issued_at=f.issued_at,
            received_at=f.received_at, origin=f.origin))

    def forecasts(self, site_id: str) -> list[SourceForecast]:
        c = t.source_forecasts.c
        q = select(t.source_forecasts).where(c.site_id == site_id).order_by(c.source_id)
        return [rows.source_forecast(r) for r in self._c.execute(q)]

    def delete_forecast(self, site_id: str, source_id: str) -> bool:
        c = t.source_forecasts.c
        q = delete(t.source_forecasts).where((c.site_id == site_id) & (c.source_id == source_id))
        return bool(self._c.execute(q).rowcount)

    def put_fetch(self, f: ForecastFetch) -> None:
        """How the last fetch of the source's forecast went; it replaces the one before."""
        self._delete_fetch(f.site_id, f.source_id)
        self._c.execute(insert(t.forecast_fetches).values(
            site_id=f.site_id, source_id=f.source_id, provider=f.provider,
            checked_at=f.checked_at, error=f.error, failing_since=f.failing_since,
            ok_at=f.ok_at))

    def _delete_fetch(self, site_id: str, source_id: str) -> None:
        c = t.forecast_fetches.c
        self._c.execute(delete(t.forecast_fetches).where(
            (c.site_id == site_id) & (c.source_id == source_id)))

    def fetches(self, site_id: str) -> list[ForecastFetch]:
        c = t.forecast_fetches.c
        q = select(t.forecast_fetches).where(c.site_id == site_id).order_by(c.source_id)
        return [rows.forecast_fetch(r) for r in self._c.execute(q)]

    def add_readings(self, site_id: str, source_id: str, readings: list[Reading]) -> int:
        """Insert readings; a repeated timestamp replaces the earlier value (re-sent data)."""
        c = t.source_readings.c
        stamps = [r.timestamp for r in readings]
        self._c.execute(delete(t.source_readings).where(
            (c.site_id == site_id) & (c.source_id == source_id) & c.timestamp.in_(stamps)))
        self._c.execute(insert(t.source_readings), [
            {"site_id": site_id, "source_id": source_id, "timestamp": r.timestamp,
             "power_kw": r.power_kw} for r in readings])
        return len(readings)

    def readings(
        self, site_id: str, start: datetime, end: datetime, source_id: str | None = None
    ) -> list[tuple[str, Reading]]:
        c = t.source_readings.c
        q = select(c.source_id, c.timestamp, c.power_kw).where(
            (c.site_id == site_id) & (c.timestamp >= start) & (c.timestamp < end))
        if source_id is not None:
            q = q.where(c.source_id == source_id)
        q = q.order_by(c.timestamp)
        return [(r.source_id, Reading(r.timestamp, r.power_kw)) for r in self._c.execute(q)]

    def last_reading_at(self, site_id: str) -> datetime | None:
        c = t.source_readings.c
        q = select(c.timestamp).where(c.site_id == site_id).order_by(c.timestamp.desc()).limit(1)
        r = self._c.execute(q).first()
        return r.timestamp if r else None


class PreferenceRepo:
    def __init__(self, conn: Connection) -> None:
        self._c = conn

    def get(self, transaction_pk: int) -> Preferences | None:
        c = t.transaction_preferences.c
        r = self._c.execute(
            select(t.transaction_preferences).where(c.transaction_pk == transaction_pk)).first()
        if r is None:
            return None
        return Preferences(departure_at=r.departure_at, energy_wh=r.energy_wh, mode=r.mode,
                           defaulted=r.defaulted)

    def get_many(self, transaction_pks: list[int]) -> dict[int, Preferences]:
        c = t.transaction_preferences.c
        q = select(t.transaction_preferences).where(c.transaction_pk.in_(transaction_pks))
        return {
            r.transaction_pk: Preferences(departure_at=r.departure_at, energy_wh=r.energy_wh,
                                          mode=r.mode, defaulted=r.defaulted)
            for r in self._c.execute(q)
        }

    def put(self, transaction_pk: int, prefs: Preferences, at: datetime) -> None:
        c = t.transaction_preferences.c
        self._c.execute(delete(t.transaction_preferences).where(c.transaction_pk == transaction_pk))
        self._c.execute(insert(t.transaction_preferences).values(
            transaction_pk=transaction_pk, departure_at=prefs.departure_at,
            energy_wh=prefs.energy_wh, mode=prefs.mode, defaulted=prefs.defaulted,
            updated_at=at))
