"""csms fetching its sources' forecasts from a weather provider (CSMS_FORECAST_PROVIDER): the
real server against a stand-in for Open-Meteo on an ephemeral port (tests/weather_server.py)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from csms.app import CsmsServer
from csms.planning import solar
from csms.workers.forecasts import ForecastFetcher
from tests.conftest import ServerFactory, api_client
from tests.green.test_forecast import SITE, SOFIA
from tests.helpers import eventually
from tests.weather_server import Weather, weather_server

URL = "/sites/sofia/sources/roof/forecast"
ROOF = solar.PvArray(40.0, 30.0, 180.0)


@pytest.fixture
def weather() -> Iterator[Weather]:
    with weather_server() as w:
        yield w


@pytest.fixture
async def fetching(server_factory: ServerFactory, weather: Weather) -> CsmsServer:
    return await server_factory(forecast_provider="open-meteo",
                                forecast_provider_url=weather.url)


@pytest.fixture
async def api(fetching: CsmsServer) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(fetching) as client:
        yield client


async def forecast_of(api: httpx.AsyncClient, origin: str | None = None,
                      url: str = URL) -> dict[str, object]:
    """The source's forecast once there is one (from `origin`, when given)."""
    async def found() -> dict[str, object] | None:
        r = await api.get(url)
        ok = r.status_code == 200 and origin in (None, r.json()["origin"])
        return r.json() if ok else None

    result: dict[str, object] = await eventually(found, f"a forecast from {origin} at {url}")
    return result


async def add_site(api: httpx.AsyncClient) -> None:
    assert (await api.post("/sites", json=SITE)).status_code == 201
    r = await api.post("/sites/sofia/sources", json={"id": "roof", "peak_kw": 40})
    assert r.status_code == 201, r.text


async def test_a_new_source_gets_the_providers_forecast_for_its_plane(
        api: httpx.AsyncClient, weather: Weather) -> None:
    await add_site(api)
    f = await forecast_of(api)
    assert f["origin"] == "open-meteo"
    q = weather.queries[-1]
    assert (q["latitude"], q["longitude"], q["tilt"], q["azimuth"]) == (
        "42.7000", "23.3000", "30", "0")
    # today from its UTC midnight and tomorrow, the quarter hour *before* each value's time:
    # the roof's own clear sky times the provider's 0.6 (a misread azimuth or time convention
    # gives other kW on the morning's and evening's slopes)
    midnight = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    assert datetime.fromisoformat(str(f["start"])) == midnight
    assert f["slot_minutes"] == 15
    clear = solar.clear_sky_kw(*SOFIA, [ROOF], midnight, 192).on_site_kw
    assert f["power_kw"] == pytest.approx([0.6 * c for c in clear], abs=0.01)
    # the site is re-planned on it, and the plan says where it came from
    async def planned_on_it() -> bool:
        return bool((await api.get("/sites/sofia/plan")).json()["forecast"]["source_forecasts"])

    await eventually(planned_on_it, "a plan on the provider's forecast")
    plan = (await api.get("/sites/sofia/plan")).json()
    assert [(g["source_id"], g["origin"]) for g in plan["forecast"]["source_forecasts"]] == [
        ("roof", "open-meteo")]


async def test_a_forecast_given_through_the_api_is_not_overwritten_until_it_ends(
        api: httpx.AsyncClient, weather: Weather) -> None:
    await add_site(api)
    await forecast_of(api, "open-meteo")
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    given = {"start": now.isoformat(), "slot_minutes": 15, "power_kw": [7.0] * 8}
    assert (await api.put(URL, json=given)).status_code == 200
    before = len(weather.queries)
    # the site's sources change: csms asks the provider again, and keeps the one given
    r = await api.post("/sites/sofia/sources", json={"id": "carport", "peak_kw": 10,
                                                      "tilt_deg": 10})
    assert r.status_code == 201
    carport = "/sites/sofia/sources/carport/forecast"
    first = await forecast_of(api, "open-meteo", carport)
    await eventually(lambda: len(weather.queries) >= before + 2, "both sources asked for")
    # sources are fetched one after the other (carport, roof): once the next round has stored
    # the carport's again, this round's offer for the roof has been decided
    assert (await api.patch("/sites/sofia", json={"name": "Sofia"})).status_code == 200

    async def stored_again() -> bool:
        r = await api.get(carport)
        return bool(r.json()["received_at"] != first["received_at"])

    await eventually(stored_again, "the carport's forecast fetched again")
    f = (await api.get(URL)).json()
    assert (f["origin"], f["power_kw"]) == ("api", [7.0] * 8)
    # withdrawn: the provider's comes back at its next fetch
    assert (await api.delete(URL)).status_code == 204
    assert (await api.patch("/sites/sofia", json={"name": "Sofia"})).status_code == 200
    assert (await forecast_of(api, "open-meteo"))["power_kw"] != [7.0] * 8


@pytest.mark.parametrize(("status", "body", "logged"), [
    (500, b'{"error": true, "reason": "Cannot initialize WeatherModel"}',
     "answered HTTP 500: Cannot initialize WeatherModel"),
    (400, b'{"error": true, "reason": "Parameter \'minutely_15\' is invalid"}',
     "answered HTTP 400: Parameter 'minutely_15' is invalid"),
    (200, b"<html>captive portal</html>", "not JSON"),
    (200, b'{"minutely_15": {"time": [900, 1800], "global_tilted_irradiance": [1e9, 1]}}',
     "not a sun's"),
])
async def test_a_provider_that_answers_nonsense_costs_nothing_but_its_forecast(
        api: httpx.AsyncClient, weather: Weather, caplog: pytest.LogCaptureFixture,
        status: int, body: bytes, logged: str) -> None:
    weather.answer = (status, body)
    with caplog.at_level(logging.WARNING, logger="csms.workers.forecasts"):
        await add_site(api)
        await eventually(lambda: any(logged in m for m in caplog.messages), logged)
    assert "no forecast for source 'roof' of site 'sofia' from open-meteo" in caplog.text
    assert (await api.get(URL)).status_code == 404
    plan = (await api.get("/sites/sofia/plan")).json()
    assert plan["forecast"]["source_forecasts"] == []  # the seasonal guess stands in
    # and the source says so to anyone who looks, on any node
    fetch = await fetch_of(api)
    assert (fetch["ok"], fetch["provider"], fetch["ok_at"]) == (False, "open-meteo", None)
    assert logged in fetch["error"]
    assert fetch["failing_since"] == fetch["checked_at"]
    # the provider recovers: the next fetch stores its forecast
    weather.answer = None
    assert (await api.patch("/sites/sofia", json={"name": "Sofia"})).status_code == 200
    assert (await forecast_of(api))["origin"] == "open-meteo"
    fetch = await eventually(lambda: fetch_of(api, ok=True), "the fetch recorded as good")
    assert (fetch["error"], fetch["failing_since"]) == (None, None)
    assert fetch["ok_at"] == fetch["checked_at"]


async def fetch_of(api: httpx.AsyncClient, source: str = "roof",
                   ok: bool | None = None) -> dict[str, Any]:
    """How the last fetch of the source's forecast went, as `GET .../sources` says, once it
    says anything (and once it is `ok`, when given)."""
    async def found() -> dict[str, Any] | None:
        for s in (await api.get("/sites/sofia/sources")).json():
            f = s["forecast_fetch"]
            if s["id"] == source and f is not None and ok in (None, f["ok"]):
                return dict(f)
        return None

    result: dict[str, Any] = await eventually(found, f"a fetch recorded for {source}")
    return result


async def test_a_failing_provider_is_logged_once_and_its_recovery_once(
        server: CsmsServer, weather: Weather, caplog: pytest.LogCaptureFixture) -> None:
    async with api_client(server) as api:
        await add_site(api)
        async with httpx.AsyncClient() as client:
            fetcher = ForecastFetcher(server.services.sites, server.services.events,
                                      weather.url, 3600.0, client=client)
            weather.answer = (500, b'{"error": true, "reason": "Too many requests"}')
            with caplog.at_level(logging.INFO, logger="csms.workers.forecasts"):
                assert await fetcher.fetch_all() is False
                first = await fetch_of(api)
                assert await fetcher.fetch_all() is False
                again = await fetch_of(api)
                assert caplog.text.count("Too many requests") == 1, caplog.text
                # an outage is dated from its first failed attempt
                assert again["failing_since"] == first["checked_at"]
                assert again["checked_at"] > first["checked_at"]
                weather.answer = (500, b'{"error": true, "reason": "Internal error"}')
                assert await fetcher.fetch_all() is False  # a new reason is news
                assert caplog.text.count("Internal error") == 1, caplog.text
                assert (await fetch_of(api))["failing_since"] == first["checked_at"]
                weather.answer = None
                assert await fetcher.fetch_all() is True
                assert await fetcher.fetch_all() is True
        assert caplog.text.count("has its forecast from open-meteo again") == 1, caplog.text
        fetch = await fetch_of(api)
        assert (fetch["ok"], fetch["error"], fetch["failing_since"]) == (True, None, None)


async def test_an_unreachable_provider_is_logged_and_the_server_carries_on(
        server_factory: ServerFactory, caplog: pytest.LogCaptureFixture) -> None:
    with weather_server() as gone:
        url = gone.url
    server = await server_factory(forecast_provider="open-meteo", forecast_provider_url=url)
    async with api_client(server) as api:
        with caplog.at_level(logging.WARNING, logger="csms.workers.forecasts"):
            await add_site(api)
            await eventually(lambda: "could not reach" in caplog.text, "the failure logged")
        assert (await api.get("/sites/sofia/plan")).status_code == 200
        assert (await api.get(URL)).status_code == 404


async def test_without_a_provider_csms_asks_no_one(
        server_factory: ServerFactory, weather: Weather) -> None:
    server = await server_factory(forecast_provider_url=weather.url)
    async with api_client(server) as api:
        await add_site(api)
        await asyncio.sleep(0.5)
        assert (await api.get(URL)).status_code == 404
        assert [s["forecast_fetch"] for s in (await api.get("/sites/sofia/sources")).json()] \
            == [None]
    assert weather.queries == []


async def test_an_unreachable_provider_costs_one_wait_per_round_not_one_per_source(
        server: CsmsServer, caplog: pytest.LogCaptureFixture) -> None:
    async with api_client(server) as api:
        await add_site(api)
        r = await api.post("/sites/sofia/sources", json={"id": "carport", "peak_kw": 10})
        assert r.status_code == 201
    with weather_server() as gone:
        url = gone.url
    async with httpx.AsyncClient() as client:
        fetcher = ForecastFetcher(server.services.sites, server.services.events, url, 3600.0,
                                  client=client)
        with caplog.at_level(logging.WARNING, logger="csms.workers.forecasts"):
            assert await fetcher.fetch_all() is False
            assert await fetcher.fetch_all() is False  # an outage is one warning
    assert caplog.text.count("could not reach") == 1, caplog.text
    assert "no forecasts from open-meteo until it can be reached again" in caplog.text
    # every source the round would have fetched says why it has none
    async with api_client(server) as api:
        for source in ("carport", "roof"):
            fetch = await fetch_of(api, source)
            assert fetch["ok"] is False
            assert "could not reach" in fetch["error"]


class Flaky(httpx.AsyncBaseTransport):
    """A network that is down until told otherwise."""

    def __init__(self) -> None:
        self.down = True
        self._real = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("Name or service not known", request=request)
        return await self._real.handle_async_request(request)


async def test_an_outage_and_its_end_are_one_line_each_not_one_per_source(
        server: CsmsServer, weather: Weather, caplog: pytest.LogCaptureFixture) -> None:
    async with api_client(server) as api:
        await add_site(api)
        r = await api.post("/sites/sofia/sources", json={"id": "carport", "peak_kw": 10,
                                                          "tilt_deg": 10})
        assert r.status_code == 201
        network = Flaky()
        async with httpx.AsyncClient(transport=network) as client:
            fetcher = ForecastFetcher(server.services.sites, server.services.events,
                                      weather.url, 3600.0, client=client)
            with caplog.at_level(logging.INFO, logger="csms.workers.forecasts"):
                assert await fetcher.fetch_all() is False
                network.down = False
                assert await fetcher.fetch_all() is True
        assert caplog.text.count("until it can be reached again") == 1, caplog.text
        assert caplog.text.count("open-meteo can be reached again") == 1, caplog.text
        assert "has its forecast from open-meteo again" not in caplog.text
        assert "no forecast for source" not in caplog.text
        for source in ("carport", "roof"):
            assert (await fetch_of(api, source))["ok"] is True


async def test_sources_of_one_plane_are_asked_for_once(
        server: CsmsServer, weather: Weather) -> None:
    async with api_client(server) as api:
        await add_site(api)
        for body in ({"id": "twin", "peak_kw": 10}, {"id": "east", "peak_kw": 10,
                                                      "azimuth_deg": 90}):
            assert (await api.post("/sites/sofia/sources", json=body)).status_code == 201
        async with httpx.AsyncClient() as client:
            fetcher = ForecastFetcher(server.services.sites, server.services.events,
                                      weather.url, 3600.0, client=client)
            assert await fetcher.fetch_all() is True
        assert sorted(q["azimuth"] for q in weather.queries) == ["-90", "0"]
        kw = {sid: (await api.get(f"/sites/sofia/sources/{sid}/forecast")).json()["power_kw"]
              for sid in ("roof", "twin", "east")}
    assert kw["twin"] == pytest.approx([v / 4 for v in kw["roof"]], abs=2e-3)
    assert kw["east"] != kw["twin"]  # another plane, its own answer
