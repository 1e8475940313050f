"""A source's weather-based forecast given through the API: stored, validated, and what the
forecast service plans on (corrected by the readings as plan-day corrects its forecast)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import numpy as np
import pytest

from csms.app import CsmsServer
from csms.domain.model import SourceForecast
from csms.planning import solar
from csms.services.sites.forecast import ForecastService
from csms.services.sites.forecast_feed import on_grid
from tests.green.test_forecast import JUNE, NOW, SOFIA, SOUTH, FixedClock, make_site, post_readings

URL = "/sites/sofia/sources/roof/forecast"
DAY_START = JUNE - timedelta(hours=3)  # midnight in Sofia, UTC


def given(power_kw: list[float], start: datetime = JUNE, slot_minutes: int = 15
          ) -> SourceForecast:
    return SourceForecast("s", "pv", start, slot_minutes, tuple(power_kw), start, start)


def test_a_forecast_is_averaged_onto_the_slot_grid() -> None:
    half_hours = given([10.0, 20.0, 30.0], slot_minutes=30)
    assert on_grid(half_hours, JUNE, 15, 6).tolist() == [10, 10, 20, 20, 30, 30]
    fives = given([3.0, 6.0, 9.0, 12.0, 15.0, 18.0], slot_minutes=5)
    assert on_grid(fives, JUNE, 15, 2).tolist() == [6.0, 15.0]
    # a slot the forecast does not cover whole is not guessed at
    shifted = on_grid(half_hours, JUNE - timedelta(minutes=10), 15, 8)
    assert np.isnan(shifted[0]) and shifted[1] == pytest.approx(10.0)
    # slot 2 is 00:20-00:35: 10 minutes at 10 kW, 5 at 20 kW
    assert shifted[2] == pytest.approx((10 * 10 + 5 * 20) / 15)
    assert shifted[4] == pytest.approx((10 * 20 + 5 * 30) / 15)
    assert shifted[5] == pytest.approx(30.0) and np.isnan(shifted[6:]).all()


def clear_day(factor: float, dip: tuple[int, int] | None = None) -> list[float]:
    """`factor` times the roof's clear sky for Sofia's whole day from its midnight, in 15-minute
    slots, with the slots `dip` (from, to) forecast dark (a front passing)."""
    clear = solar.clear_sky_kw(*SOFIA, [SOUTH], DAY_START, 96).on_site_kw
    kw = [round(factor * c, 3) for c in clear]
    if dip:
        kw[dip[0]:dip[1]] = [0.1 * v for v in kw[dip[0]:dip[1]]]
    return kw


def body(power_kw: list[float], **extra: object) -> dict[str, object]:
    return {"start": DAY_START.isoformat(), "slot_minutes": 15, "power_kw": power_kw, **extra}


def index(at: datetime) -> int:
    return int((at - DAY_START) / timedelta(minutes=15))


async def test_without_readings_the_plan_rests_on_the_forecast_given(
        server: CsmsServer, api: httpx.AsyncClient) -> None:
    """A front forecast from 14:00 to 16:00 Sofia time: the clear sky's seasonal guess cannot
    know it; a forecast given can."""
    await make_site(api)
    dip = (index(JUNE.replace(hour=11)), index(JUNE.replace(hour=13)))
    kw = clear_day(0.9, dip)
    r = await api.put(URL, json=body(kw, issued_at=(NOW - timedelta(hours=12)).isoformat()))
    assert r.status_code == 200, r.text
    svc = ForecastService(server.db, FixedClock(NOW))
    f = await svc.site_forecast("sofia", NOW, 32)
    ahead = kw[index(NOW):index(NOW) + 32]
    assert f.on_site_kw == pytest.approx(ahead, abs=2e-3)
    assert f.on_site_kw[9] < 0.15 * f.clear_sky_kw[9]  # 11:15 UTC: the front
    assert (f.source, [g.source_id for g in f.given]) == ("forecast", ["roof"])
    assert any("planned on its forecast issued" in n for n in f.notes), f.notes
    # withdrawn: the seasonal guess again
    assert (await api.delete(URL)).status_code == 204
    f = await svc.site_forecast("sofia", NOW, 32)
    seasonal = solar.seasonal_factor(SOFIA[0], NOW)
    assert f.on_site_kw == pytest.approx([seasonal * c for c in f.clear_sky_kw], rel=1e-3)
    assert (f.source, f.given) == ("clear-sky", ())


async def test_readings_correct_the_forecast_given(
        server: CsmsServer, api: httpx.AsyncClient) -> None:
    """Forecast at half the clear sky, measured at 0.8 of it all morning: the next slots follow
    the readings, and hours ahead the correction has faded back to the forecast given, not to
    the seasonal guess."""
    await make_site(api)
    kw = clear_day(0.5)
    assert (await api.put(URL, json=body(kw))).status_code == 200
    await post_readings(api, JUNE.replace(hour=5), NOW, 0.8)
    f = await ForecastService(server.db, FixedClock(NOW)).site_forecast("sofia", NOW, 40)
    i = index(NOW)
    assert f.on_site_kw[0] == pytest.approx(0.8 / 0.5 * kw[i], rel=0.05)
    # six hours ahead (15:00 UTC) the measured bias has mostly faded into the forecast given
    # (the clear sky's guess would be 0.72 / 0.5 of it)
    assert 1.1 * kw[i + 24] < f.on_site_kw[24] < 1.3 * kw[i + 24]
    assert f.source == "measured"


async def test_a_reading_corrects_a_forecast_where_the_clear_sky_has_no_sun(
        server: CsmsServer, api: httpx.AsyncClient) -> None:
    """The forecast's own course is the reference, not the clear sky: a reading where pvlib
    has the sun down (a forecast for lights, a wrong time zone) still corrects it."""
    await make_site(api)
    night = JUNE.replace(hour=22)
    r = await api.put(URL, json={"start": night.isoformat(), "slot_minutes": 15,
                                 "power_kw": [20.0] * 8})
    assert r.status_code == 200, r.text
    body = [{"timestamp": (night + timedelta(minutes=m)).isoformat(), "power_kw": 30.0}
            for m in (1, 6)]
    assert (await api.post("/sites/sofia/sources/roof/readings", json=body)).status_code == 201
    at = night + timedelta(minutes=8)
    f = await ForecastService(server.db, FixedClock(at)).site_forecast("sofia", night, 8)
    assert f.correction is None  # no clear sky to hold the reading to
    assert f.on_site_kw[0] == pytest.approx(30.0, abs=0.5)  # the latest reading
    assert f.on_site_kw[4] > 25.0  # the day's bias (1.5) holds for hours
    assert f.source == "measured"
    assert ("source 'roof': its forecast gives 20.0 kW at 2026-06-21T22:00:00+00:00, when the "
            "sun is down at the site (local times sent as UTC?)") in f.notes


@pytest.mark.parametrize(("hours", "misfit"), [(0, False), (1, False), (-1, False), (-3, True),
                                               (3, True)])
async def test_a_forecast_whose_sun_is_not_the_sites_is_named_in_the_plans_notes(
        server: CsmsServer, api: httpx.AsyncClient, hours: int, misfit: bool) -> None:
    """Sofia's clear day sent with its local times written as UTC is 3 hours late; an hour
    either way is a daylight-saving slip, which the correction moves (`forecast.lag`)."""
    await make_site(api)
    kw = clear_day(0.9)
    moved = ([0.0] * (4 * hours) + kw)[:96] if hours >= 0 else (kw + [0.0] * (-4 * hours))[-96:]
    assert (await api.put(URL, json=body(moved))).status_code == 200
    f = await ForecastService(server.db, FixedClock(NOW)).site_forecast("sofia", NOW, 8)
    named = [n for n in f.notes if "when the sun is down at the site" in n]
    assert bool(named) == misfit, f.notes


async def test_beyond_its_end_the_clear_sky_guess_takes_over(
        server: CsmsServer, api: httpx.AsyncClient) -> None:
    await make_site(api)
    kw = clear_day(0.3)[:index(NOW) + 8]  # ends two hours from now
    assert (await api.put(URL, json=body(kw))).status_code == 200
    f = await ForecastService(server.db, FixedClock(NOW)).site_forecast("sofia", NOW, 16)
    seasonal = solar.seasonal_factor(SOFIA[0], NOW)
    assert f.on_site_kw[:8] == pytest.approx(kw[-8:], abs=2e-3)
    assert f.on_site_kw[8:] == pytest.approx([seasonal * c for c in f.clear_sky_kw[8:]],
                                             rel=1e-3)


async def test_a_forecast_replaces_the_last_and_re_computes(
        server: CsmsServer, api: httpx.AsyncClient) -> None:
    await make_site(api)
    svc = ForecastService(server.db, FixedClock(NOW))
    assert (await api.put(URL, json=body(clear_day(0.3)))).status_code == 200
    first = await svc.site_forecast("sofia", NOW, 8)
    assert await svc.site_forecast("sofia", NOW, 8) is first  # cached
    r = await api.put(URL, json={"start": NOW.isoformat(), "slot_minutes": 60,
                                 "power_kw": [20.0, 21.0]})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["end"] == (NOW + timedelta(hours=2)).isoformat().replace("+00:00", "Z")
    assert out["power_kw"] == [20.0, 21.0] and out["source_id"] == "roof"
    second = await svc.site_forecast("sofia", NOW, 8)
    assert second.on_site_kw[:8] == pytest.approx([20.0] * 4 + [21.0] * 4)
    got = (await api.get(URL)).json()
    assert (got["slot_minutes"], got["power_kw"]) == (60, [20.0, 21.0])
    assert datetime.fromisoformat(got["issued_at"]) <= datetime.now(UTC)


async def test_a_silent_source_is_planned_on_its_forecast_as_given(
        server: CsmsServer, api: httpx.AsyncClient) -> None:
    """Readings stopped an hour ago (stale): they say nothing about the clouds, so the forecast
    given is used uncorrected."""
    await make_site(api)
    kw = clear_day(0.6)
    assert (await api.put(URL, json=body(kw))).status_code == 200
    await post_readings(api, JUNE.replace(hour=5), JUNE.replace(hour=8), 0.2)
    f = await ForecastService(server.db, FixedClock(NOW)).site_forecast("sofia", NOW, 8)
    assert f.stale
    assert f.on_site_kw == pytest.approx(kw[index(NOW):index(NOW) + 8], abs=2e-3)
    assert f.source == "forecast"  # as given: the stale readings corrected nothing


async def test_the_plan_route_names_the_forecasts_it_rests_on(
        server: CsmsServer, api: httpx.AsyncClient) -> None:
    await make_site(api)
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    r = await api.put(URL, json={"start": start.isoformat(), "slot_minutes": 30,
                                 "power_kw": [5.0] * 12})
    assert r.status_code == 200, r.text
    plan = (await api.get("/sites/sofia/plan", params={"refresh": True})).json()
    given = plan["forecast"]["source_forecasts"]
    assert [g["source_id"] for g in given] == ["roof"]
    assert given[0]["end"] == r.json()["end"]


@pytest.mark.parametrize("bad", [
    {"start": "2026-06-21T00:00:00", "power_kw": [1.0]},  # no time zone
    {"start": "2026-06-21T00:00:00Z", "power_kw": []},
    {"start": "2026-06-21T00:00:00Z", "power_kw": [-1.0]},
    {"start": "2026-06-21T00:00:00Z", "power_kw": ["sunny"]},
    {"start": "2026-06-21T00:00:00Z", "power_kw": [1.0], "slot_minutes": 7},
    {"start": "2026-06-21T00:00:00Z", "power_kw": [1.0], "slot_minutes": 0},
    {"start": "2026-06-21T00:00:00Z", "power_kw": [1.0], "slot_minutes": 120},
    {"start": "2026-06-21T00:00:00Z", "power_kw": [1.0] * 700, "slot_minutes": 15},  # > 7 d
    {"start": "2026-06-21T00:00:00Z", "power_kw": [1.0], "issued_at": "2026-06-20T18:00"},
    {"start": "2026-06-21T00:00:00Z", "power_kw": [1.0], "unit": "W"},
    {"power_kw": [1.0]},
])
async def test_bad_forecasts_are_422_and_keep_the_last(
        api: httpx.AsyncClient, bad: dict[str, object]) -> None:
    await make_site(api)
    assert (await api.put(URL, json=body([7.0]))).status_code == 200
    r = await api.put(URL, json=bad)
    assert r.status_code == 422, r.text
    assert (await api.get(URL)).json()["power_kw"] == [7.0]


async def test_forecasts_the_server_would_misread_are_refused_in_words(
        api: httpx.AsyncClient) -> None:
    await make_site(api)  # a 40 kW roof
    watts = await api.put(URL, json=body([0.0, 25_000.0]))
    assert watts.status_code == 422
    assert "watts given as kW?" in watts.text and "power_kw[1]" in watts.text
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    ahead = await api.put(URL, json=body([1.0], issued_at=future))
    assert ahead.status_code == 422 and "in the future" in ahead.text
    nan = await api.put(URL, content=b'{"start": "2026-06-21T00:00:00Z", "power_kw": [NaN]}',
                        headers={"content-type": "application/json"})
    assert nan.status_code == 422
    assert (await api.get(URL)).status_code == 404  # nothing was stored


async def test_unknown_targets_are_404(api: httpx.AsyncClient) -> None:
    await make_site(api)
    ok = body([1.0])
    assert (await api.put("/sites/nope/sources/roof/forecast", json=ok)).status_code == 404
    assert (await api.put("/sites/sofia/sources/nope/forecast", json=ok)).status_code == 404
    assert (await api.get(URL)).status_code == 404  # none given yet
    assert (await api.delete(URL)).status_code == 404
    assert (await api.put(URL, json=ok)).status_code == 200
    # a deleted source takes its forecast with it
    assert (await api.delete("/sites/sofia/sources/roof")).status_code == 204
    again = await api.post("/sites/sofia/sources", json={"id": "roof", "peak_kw": 40})
    assert again.status_code == 201
    assert (await api.get(URL)).status_code == 404


async def test_a_forecast_from_now_is_not_pulled_by_the_clear_sky_guess_before_it(
        server: CsmsServer, api: httpx.AsyncClient) -> None:
    """A provider's forecast usually starts now; the slots before it are the clear sky's
    seasonal guess (in December about half of a sunny forecast). The nowcast's course must not
    average across that seam, or a reading just above the forecast reads as a sun far above
    it (before: up to 29.2 kW expected within the hour on a forecast of 24 with 25.2 read)."""
    await make_site(api)
    noon = datetime(2026, 12, 1, 10, tzinfo=UTC)
    hourly = [24.0, 22.0, 16.0, 16.0]
    r = await api.put(URL, json={"start": noon.isoformat(), "slot_minutes": 60,
                                 "power_kw": hourly})
    assert r.status_code == 200, r.text
    read = [{"timestamp": (noon + timedelta(minutes=6)).isoformat(), "power_kw": 25.2}]
    assert (await api.post("/sites/sofia/sources/roof/readings", json=read)).status_code == 201
    at = noon + timedelta(minutes=7)
    f = await ForecastService(server.db, FixedClock(at)).site_forecast("sofia", noon, 8)
    assert f.clear_sky_kw[0] * f.seasonal_factor < 0.6 * hourly[0]  # the seam is there
    assert f.on_site_kw[0] == pytest.approx(25.2, abs=0.5)
    # the reading's 5 % above the forecast carries into the next slots, no more
    assert f.on_site_kw[1:4] == pytest.approx([25.2] * 3, rel=0.03)
    assert f.on_site_kw[4:8] == pytest.approx([hourly[1] * 1.05] * 4, rel=0.05)
