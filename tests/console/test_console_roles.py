"""People and roles in the console: a viewer sees no command buttons and gets 403 when it
tries anyway; an operator scoped to one site does not see the other site. On a server without
users (no /api/v1/users route) the console says that the management is not available."""

from __future__ import annotations

from playwright.async_api import Page, expect

from tests.console import scene
from tests.console.browser import sign_in_with_token
from tests.console.conftest import Console

PASSWORD = "correct-horse-battery"


async def sign_in(page: Page, base: str, username: str) -> None:
    await page.goto(f"{base}/")
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password", exact=True).fill(PASSWORD)
    await page.get_by_role("button", name="Sign in", exact=True).click()
    await page.get_by_role("heading", name="Overview").wait_for()


async def add_user(console: Console, username: str, role: str,
                   site_ids: list[str] | None = None) -> None:
    body = {"username": username, "password": PASSWORD, "role": role, "site_ids": site_ids}
    reply = await console.api.post("/users", json=body)
    assert reply.status_code == 201, reply.text


async def test_without_users_the_console_says_not_available(console: Console, page: Page) -> None:
    await sign_in_with_token(page, console.base)
    await page.get_by_role("link", name="Tokens & people").click()
    await expect(page.get_by_role("cell", name="ANNA-01")).to_be_visible()
    if await console.has_route("GET", "/users"):
        await expect(page.get_by_role("region", name="Users")).to_be_visible()
        await expect(page.get_by_role("button", name="Add user")).to_be_visible()
        await expect(page.get_by_role("button", name="Create token")).to_be_visible()
    else:
        await expect(page.get_by_text("Users: not available on this server.")).to_be_visible()
        await expect(page.get_by_text("API tokens: not available on this server.")).to_be_visible()


async def test_a_viewer_sees_no_commands_and_gets_403(console: Console, page: Page) -> None:
    if not await console.has_route("POST", "/users"):
        await test_without_users_the_console_says_not_available(console, page)
        return
    await add_user(console, "vera", "viewer")
    await scene.register(console.api, "CP-16")
    async with scene.station(console.ocpp, "CP-16", "1.6"):
        await sign_in(page, console.base, "vera")
        await expect(page.locator(".who")).to_contain_text("viewer")
        await page.goto(f"{console.base}/#/stations/CP-16")
        await expect(page.get_by_role("heading", name="EVSEs and connectors")).to_be_visible()
        await expect(page.locator("form[data-command]")).to_have_count(0)
        status = await page.evaluate("""async () => (await fetch(
            '/api/v1/stations/CP-16/commands/reset', {method: 'POST',
             headers: {Authorization: 'Bearer ' + sessionStorage.getItem('csms.token'),
                       'Content-Type': 'application/json'}, body: '{"type": "soft"}'})).status""")
    assert status == 403


async def test_a_site_scoped_operator_does_not_see_the_other_site(
    console: Console, page: Page
) -> None:
    if not await console.has_route("POST", "/users"):
        await test_without_users_the_console_says_not_available(console, page)
        return
    other = {"id": "town-hall", "name": "Town hall", "grid_limit_kw": 50}
    assert (await console.api.post("/sites", json=other)).status_code == 201
    for station_id, site in (("CP-16", scene.SITE), ("CP-TOWN", "town-hall")):
        reply = await console.api.post("/stations", json={"id": station_id, "site_id": site})
        assert reply.status_code == 201, reply.text
    await add_user(console, "otto", "operator", [scene.SITE])
    await sign_in(page, console.base, "otto")
    await page.get_by_role("link", name="Stations").click()
    await expect(page.get_by_role("link", name="CP-16")).to_be_visible()
    await expect(page.get_by_role("link", name="CP-TOWN")).to_have_count(0)
    await page.get_by_role("link", name="Sites").click()
    await expect(page.get_by_role("cell", name="Sunny Farm co-op")).to_be_visible()
    await expect(page.get_by_role("cell", name="Town hall")).to_have_count(0)
    await page.goto(f"{console.base}/#/stations/CP-TOWN")
    await expect(page.get_by_role("alert")).to_contain_text("404")
