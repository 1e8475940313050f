"""Screenshots of every console page, for docs/console/ and the README:
`python -m tests.console.screenshots`.

Starts a real server on a temporary database with the scene of tests/console/scene.py,
lets two sessions charge for a while, then photographs each page at desktop size and the
overview at phone size."""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from playwright.async_api import Page

from csms.app import CsmsServer
from tests.conftest import api_client, make_settings
from tests.console import scene
from tests.console.browser import chromium, sign_in_with_token

OUT = Path(__file__).resolve().parents[2] / "docs" / "console"


async def shoot(page: Page, base: str, route: str, name: str, ready: str) -> None:
    await page.goto(f"{base}/#/{route}")
    await page.locator(ready).first.wait_for()
    # the live stream keeps the network busy, so no "network idle": let the page settle
    await page.wait_for_timeout(1500)
    await page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)
    print(f"  {OUT / f'{name}.png'}")


async def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        server = CsmsServer(make_settings(f"sqlite+aiosqlite:///{tmp}/csms.db"))
        await server.start()
        base = f"http://127.0.0.1:{server.api_port}"
        ocpp = f"ws://127.0.0.1:{server.ocpp_port}/ocpp"
        try:
            async with api_client(server) as api, scene.network(api, ocpp) as stations, \
                    scene.Charging() as charging, chromium() as browser:
                charging.start(stations["CP-16"], 1, "ANNA-01", 3 * 3600)
                charging.start(stations["CP-201"], 1, "FLEET-03", 3 * 3600)
                await asyncio.sleep(20)  # a picture wants a curve: twenty wall seconds of charging
                tx = (await api.get("/transactions", params={"station_id": "CP-16"})).json()[0]
                page = await browser.new_page(viewport={"width": 1280, "height": 900})
                page.on("pageerror", lambda e: print("page error:", e))
                page.on("console",
                        lambda m: print("console:", m.text) if m.type == "error" else None)
                await sign_in_with_token(page, base)
                await shoot(page, base, "overview", "overview", "[data-testid=online]")
                await shoot(page, base, "stations", "stations", "table")
                await page.goto(f"{base}/#/stations/CP-16")
                trigger = page.locator("form[data-command=trigger-message]")
                await trigger.get_by_role("button").click()
                await trigger.get_by_text("Station answered").wait_for()
                await page.wait_for_timeout(1500)  # the page reloads its audit trail
                await page.evaluate("window.scrollTo(0, 0)")
                await page.screenshot(path=str(OUT / "station.png"), full_page=True)
                await shoot(page, base, "sessions", "sessions", "table")
                await shoot(page, base, f"sessions/{tx['id']}?station=CP-16", "session", ".uplot")
                await shoot(page, base, f"sites/{scene.SITE}", "site", ".uplot")
                await shoot(page, base, "statements", "statements", ".na, table")
                await shoot(page, base, "people", "people", "table")
                phone = await browser.new_page(viewport={"width": 390, "height": 844},
                                               is_mobile=True)
                await sign_in_with_token(phone, base)
                await shoot(phone, base, "overview", "overview-phone", "[data-testid=online]")
                signin = await browser.new_page(viewport={"width": 1280, "height": 800})
                await signin.goto(f"{base}/")
                await signin.get_by_role("heading", name="Sign in to csms").wait_for()
                await signin.screenshot(path=str(OUT / "sign-in.png"))
        finally:
            await server.stop()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
