"""The web console in a real browser (Debian's Chromium driven by Playwright) against the real
server with simulated stations: sign in, see a station appear and a session's curve grow
live, send commands and read the station's answers, export CSV."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from csms.domain.model import Transaction
from csms.services.ports import UnitOfWork
from tests.conftest import ServerFactory, api_client
from tests.console import scene
from tests.console.browser import sign_in_with_token
from tests.console.conftest import Console
from tests.helpers import eventually
from tests.weather_server import Weather, weather_server


async def test_sign_in_refuses_a_wrong_token_then_takes_the_admin_token(
    console: Console, page: Page
) -> None:
    await page.goto(f"{console.base}/")
    await page.get_by_label("API token (e.g. the admin token)").fill("not-the-token")
    await page.get_by_role("button", name="Sign in with token").click()
    await expect(page.get_by_role("alert")).to_have_text("This token was refused.")
    await sign_in_with_token(page, console.base)
    await expect(page.locator(".live")).to_have_text("live")  # the event stream is open
    await page.reload()  # the token is kept for the tab's life
    await expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    await page.get_by_role("button", name="Sign out").click()
    await expect(page.get_by_role("heading", name="Sign in to csms")).to_be_visible()
    assert await page.evaluate("sessionStorage.getItem('csms.token')") is None


async def test_password_sign_in_answers_wrong_credentials(console: Console, page: Page) -> None:
    await page.goto(f"{console.base}/")
    await page.get_by_label("Username").fill("nobody")
    await page.get_by_label("Password", exact=True).fill("wrong-password")
    await page.get_by_role("button", name="Sign in", exact=True).click()
    expected = ("Wrong username or password." if await console.has_route("POST", "/auth/login")
                else "Signing in with a password is not available on this server: "
                "use an API token.")
    await expect(page.get_by_role("alert")).to_have_text(expected)


async def test_a_station_appears_live_and_goes_offline(console: Console, page: Page) -> None:
    await sign_in_with_token(page, console.base)
    await page.get_by_role("link", name="Stations").click()
    await expect(page.get_by_text("0 of 0 stations")).to_be_visible()
    await expect(page.locator(".live")).to_have_text("live")
    await scene.register(console.api, "CP-16")
    async with scene.station(console.ocpp, "CP-16", "1.6"):
        row = page.get_by_role("row").filter(has=page.get_by_role("link", name="CP-16"))
        await expect(row.get_by_text("online")).to_be_visible()  # no reload: from the stream
        await expect(page.locator("[data-testid=online]")).to_have_count(0)
    await expect(row.get_by_text("offline")).to_be_visible()


async def test_a_sessions_curve_grows_live(console: Console, page: Page) -> None:
    await scene.register(console.api, "CP-201")
    async with scene.station(console.ocpp, "CP-201", "2.0.1") as st, scene.Charging() as charging:
        charging.start(st, 1, "ANNA-01", 3 * 3600)
        await sign_in_with_token(page, console.base)
        await page.get_by_role("link", name="Sessions").click()
        await page.get_by_role("row").filter(has_text="ANNA-01").get_by_role("link").first.click()
        curve = page.locator("[data-testid=curve]")
        await expect(curve).to_have_attribute("data-points", re.compile(r"^[1-9]\d*$"))
        first = int(await curve.get_attribute("data-points") or 0)
        await expect(page.locator("[data-testid=curve] .uplot")).to_be_visible()
        # the simulator sends a meter value every two wall seconds: the curve grows by itself
        await page.wait_for_function(
            "n => Number(document.querySelector('[data-testid=curve]').dataset.points) > n + 1",
            arg=first)
        # the green planner sent the station a profile for this session
        await expect(page.get_by_text("Held by the station: profile")).to_be_visible()


async def test_commands_show_the_stations_answer(console: Console, page: Page) -> None:
    await scene.register(console.api, "CP-16")
    async with scene.station(console.ocpp, "CP-16", "1.6"):
        await sign_in_with_token(page, console.base)
        await page.goto(f"{console.base}/#/stations/CP-16")
        trigger = page.locator("form[data-command=trigger-message]")
        await trigger.get_by_label("Message").select_option("StatusNotification")
        await trigger.get_by_role("button", name="Trigger a message").click()
        await expect(trigger.get_by_role("status")).to_contain_text("Station answered: Accepted")
        setter = page.locator("form[data-command=set-configuration]")
        await setter.get_by_label("Key").fill("MeterValueSampleInterval")
        await setter.get_by_label("Value").fill("30")
        await setter.get_by_role("button").click()
        await expect(setter.get_by_role("status")).to_contain_text("Station answered:")
        await expect(page.locator(".frames")).to_contain_text("ChangeConfiguration")
    unlock = page.locator("form[data-command=unlock]")
    await expect(page.get_by_text("offline").first).to_be_visible()
    await unlock.get_by_role("button").click()  # the station is gone: the API's 409, in words
    await expect(unlock.get_by_role("status")).to_contain_text("409 (the station is offline)")


async def test_site_day_plot_and_planner_state(console: Console, page: Page) -> None:
    await scene.register(console.api, "CP-16")
    async with scene.station(console.ocpp, "CP-16", "1.6") as st, scene.Charging() as charging:
        charging.start(st, 2, "BORIS-02", 3 * 3600)
        await sign_in_with_token(page, console.base)
        await page.goto(f"{console.base}/#/sites/{scene.SITE}")
        await expect(page.locator("[data-testid=day-plot] .uplot")).to_be_visible()
        await expect(page.get_by_text("Barn roof")).to_be_visible()
        planner = page.get_by_role("region", name="Planner")
        await expect(planner.get_by_role("cell", name="CP-16")).to_be_visible()


async def test_the_site_page_says_whether_its_local_guard_is_counted_on(
    console: Console, page: Page
) -> None:
    assert (await console.api.patch(f"/sites/{scene.SITE}",
                                    json={"local_guard": True})).status_code == 200
    await sign_in_with_token(page, console.base)
    await page.goto(f"{console.base}/#/sites/{scene.SITE}")
    await expect(page.get_by_test_id("guard")).to_contain_text("counted on")
    # csms measured the import above the limit (tests/green/test_local_guard_check.py)
    failed_at = datetime.now(UTC) - timedelta(hours=1)
    await console.server.db.write(lambda uow: uow.sites.update(
        scene.SITE, guard_failed_at=failed_at, guard_failed_kw=31.5))
    await page.reload()
    await expect(page.get_by_test_id("guard")).to_contain_text("not counted on: 31.5 kW imported")
    plan = (await console.api.get(f"/sites/{scene.SITE}/plan?refresh=true")).json()
    assert any("local guard did not keep" in n for n in plan["notes"])
    await page.reload()
    planner = page.get_by_role("region", name="Planner")
    await expect(planner.get_by_text("local guard did not keep the import")).to_be_visible()
    await page.goto(f"{console.base}/#/")  # and the overview's alerts
    alerts = page.get_by_role("region", name="Recent alerts")
    await expect(alerts).to_contain_text("31.5 kW imported against a 22 kW limit")


async def test_the_site_page_shows_what_is_held_back_for_cars_likely_to_come(
    console: Console, page: Page
) -> None:
    api = console.api
    assert (await api.post("/sites", json={"id": "depot", "name": "Depot",
                                           "grid_limit_kw": 50})).status_code == 201
    assert (await api.post("/stations", json={"id": "DEP-1", "site_id": "depot"})
            ).status_code == 201
    came = datetime.now(UTC) + timedelta(hours=1)

    def history(uow: UnitOfWork) -> None:  # two cars an hour from now, each of four weeks
        for week in range(1, 5):
            for car in range(2):
                at = came - timedelta(weeks=week) + timedelta(minutes=car)
                uow.transactions.add(Transaction(
                    pk=0, station_id="DEP-1", transaction_id="", evse_id=1, connector_id=1,
                    id_token=None, started_at=at, stopped_at=at + timedelta(hours=8),
                    energy_wh=40000.0), allocate_id=True)

    await console.server.db.write(history)
    plan = (await api.get("/sites/depot/plan", params={"refresh": "true"})).json()
    held = max(plan["reserve_kw"])
    assert held > 0, plan["reserve_kw"]
    await sign_in_with_token(page, console.base)
    await page.goto(f"{console.base}/#/sites/depot")
    line = page.get_by_role("region", name="Planner").get_by_test_id("arrivals")
    await expect(line).to_contain_text(f"up to {held:.1f} kW held back")
    await expect(line).to_contain_text("80.0 kWh wanted within the plan")


async def test_the_day_plot_shows_the_green_expected_ahead_with_no_car_to_plan(
    console: Console, page: Page
) -> None:
    site = {"id": "quiet", "name": "Quiet roof", "grid_limit_kw": 20, "latitude": 42.7,
            "longitude": 23.3, "timezone": "Europe/Sofia"}
    assert (await console.api.post("/sites", json=site)).status_code == 201
    assert (await console.api.post("/sites/quiet/sources",
                                   json={"id": "roof", "peak_kw": 30})).status_code == 201
    plan = (await console.api.get("/sites/quiet/plan", params={"refresh": "true"})).json()
    assert plan["start"] is None and plan["forecast"]["start"] is not None
    ahead = len(plan["forecast"]["green_kw"])
    energy = (await console.api.get("/sites/quiet/energy", params={"detail": "true"})).json()
    await sign_in_with_token(page, console.base)
    await page.goto(f"{console.base}/#/sites/quiet")
    plot = page.get_by_test_id("day-plot")
    await expect(plot.locator(".uplot")).to_be_visible()
    await expect(plot).to_have_attribute("data-points", re.compile(r"\d+"))
    # the day so far, and the slots ahead of the current one (a slot may begin meanwhile)
    points = int(await plot.get_attribute("data-points") or 0)
    assert points >= len(energy["intervals"]) + ahead - 1, (points, ahead)


async def test_the_overview_shows_the_latest_reading_as_green_production_now(
    console: Console, page: Page
) -> None:
    """Readings come every few minutes: the latest one is the site's green production now,
    not the mean of the last slot that ended."""
    reading = [{"timestamp": datetime.now(UTC).isoformat(), "power_kw": 12.34}]
    reply = await console.api.post(f"/sites/{scene.SITE}/sources/roof/readings", json=reading)
    assert reply.status_code == 201, reply.text
    deadline = asyncio.get_running_loop().time() + 20.0
    while (await console.api.get(f"/sites/{scene.SITE}/plan")).json()["forecast"].get(
            "latest_kw") != 12.34:  # a new reading re-plans the site
        assert asyncio.get_running_loop().time() < deadline
        await asyncio.sleep(0.2)
    await sign_in_with_token(page, console.base)
    block = page.locator(f"[data-site={scene.SITE}]")
    await expect(block.get_by_text("12.3 kW measured")).to_be_visible()


async def test_the_site_page_says_which_sources_have_a_forecast_given(
    console: Console, page: Page
) -> None:
    await sign_in_with_token(page, console.base)
    await page.goto(f"{console.base}/#/sites/{scene.SITE}")
    sources = page.get_by_role("region", name="Green sources")
    await expect(sources.get_by_role("cell", name="clear sky × season")).to_be_visible()
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    reply = await console.api.put(f"/sites/{scene.SITE}/sources/roof/forecast", json={
        "start": start.isoformat(), "slot_minutes": 60, "power_kw": [3.0] * 6})
    assert reply.status_code == 200, reply.text
    deadline = asyncio.get_running_loop().time() + 20.0
    while not (await console.api.get(f"/sites/{scene.SITE}/plan")).json()["forecast"].get(
            "source_forecasts"):  # a forecast given re-plans the site
        assert asyncio.get_running_loop().time() < deadline
        await asyncio.sleep(0.2)
    await page.reload()
    await expect(sources.get_by_text("given, issued")).to_be_visible()
    planner = page.get_by_role("region", name="Planner")
    await expect(planner.get_by_text("green expected from the forecast")).to_be_visible()


@pytest.fixture
async def fetching_console(
        server_factory: ServerFactory) -> AsyncIterator[tuple[Console, Weather]]:
    """The console's scene on a server that fetches forecasts from a stand-in for Open-Meteo,
    and the stand-in."""
    with weather_server() as weather:
        server = await server_factory(forecast_provider="open-meteo",
                                      forecast_provider_url=weather.url)
        async with api_client(server) as api:
            await scene.build_site(api)
            yield (Console(server, api, f"http://127.0.0.1:{server.api_port}",
                           f"ws://127.0.0.1:{server.ocpp_port}/ocpp"), weather)


async def test_the_site_page_says_a_forecast_came_from_the_weather_provider(
    fetching_console: tuple[Console, Weather], page: Page
) -> None:
    console, weather = fetching_console
    api = console.api

    async def planned_on_it() -> bool:
        plan = (await api.get(f"/sites/{scene.SITE}/plan")).json()
        return [g["origin"] for g in plan["forecast"]["source_forecasts"]] == ["open-meteo"]

    await eventually(planned_on_it, "a plan on the provider's forecast", timeout=20.0)
    await sign_in_with_token(page, console.base)
    await page.goto(f"{console.base}/#/sites/{scene.SITE}")
    sources = page.get_by_role("region", name="Green sources")
    await expect(sources.get_by_text("from open-meteo, issued")).to_be_visible()
    await expect(sources.get_by_test_id("fetch-failing")).to_have_count(0)
    # the provider starts refusing: the page says so beside the forecast the planner keeps
    weather.answer = (429, b'{"error": true, "reason": "Daily API request limit exceeded"}')
    assert (await api.patch(f"/sites/{scene.SITE}", json={"name": "Yard"})).status_code == 200

    async def failing() -> bool:
        return any(s["forecast_fetch"] and not s["forecast_fetch"]["ok"]
                   for s in (await api.get(f"/sites/{scene.SITE}/sources")).json())

    await eventually(failing, "the failed fetch recorded")
    await page.reload()
    await expect(sources.get_by_text("from open-meteo, issued")).to_be_visible()
    await expect(sources.get_by_test_id("fetch-failing")).to_contain_text(
        "open-meteo gives none since")
    await expect(sources.get_by_test_id("fetch-failing")).to_contain_text(
        "Daily API request limit exceeded")


async def test_transactions_csv_download_parses(console: Console, page: Page) -> None:
    await scene.register(console.api, "CP-16")
    async with scene.station(console.ocpp, "CP-16", "1.6") as st:
        tx_id = await st.charge(1, "FLEET-03", 600)
    await sign_in_with_token(page, console.base)
    await page.get_by_role("link", name="Sessions").click()
    await expect(page.get_by_role("cell", name="FLEET-03")).to_be_visible()
    if not await console.has_route("GET", "/transactions.csv"):
        await expect(page.get_by_text("CSV export: not available on this server.")).to_be_visible()
        return
    async with page.expect_download() as info:
        await page.get_by_role("button", name="Export CSV").click()
    download = await info.value
    text = await asyncio.to_thread(Path(await download.path()).read_text, encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {"id", "station_id", "energy_wh", "green_energy_wh"} <= set(rows[0])
    assert [r["id"] for r in rows if r["station_id"] == "CP-16"] == [tx_id]


async def test_phone_menu_works_with_the_keyboard(console: Console, page: Page) -> None:
    await page.set_viewport_size({"width": 390, "height": 844})
    await sign_in_with_token(page, console.base)
    menu = page.get_by_role("button", name="Menu")
    await expect(page.locator("[data-testid=online]")).to_be_visible()  # the page has loaded
    await expect(page.get_by_role("link", name="Sites")).to_be_hidden()
    await menu.focus()
    await page.keyboard.press("Enter")
    await expect(menu).to_have_attribute("aria-expanded", "true")
    await page.get_by_role("link", name="Sites").press("Enter")
    await expect(page.get_by_role("cell", name="Sunny Farm co-op")).to_be_visible()
