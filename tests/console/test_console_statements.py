"""Members and statements in the console: the month's energy, green energy and share per id
token, printable and as CSV (where the server has statements)."""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path

from playwright.async_api import Page, expect

from tests.console import scene
from tests.console.browser import sign_in_with_token
from tests.console.conftest import Console


async def test_statement_of_the_month_per_id_token(console: Console, page: Page) -> None:
    await scene.register(console.api, "CP-16")
    async with scene.station(console.ocpp, "CP-16", "1.6") as st:
        await st.charge(1, "BORIS-02", 900)
    await sign_in_with_token(page, console.base)
    await page.get_by_role("link", name="Statements").click()
    if not await console.has_route("GET", "/statements"):
        await expect(page.get_by_text("Statements: not available on this server.")).to_be_visible()
        return
    row = page.get_by_role("row").filter(has_text="BORIS-02")
    await expect(row).to_be_visible()
    await expect(row.get_by_role("cell").nth(1)).to_have_text("1")  # one session
    await expect(page.get_by_role("button", name="Print")).to_be_visible()
    async with page.expect_download() as info:
        await page.get_by_role("button", name="CSV").click()
    path = Path(await (await info.value).path())
    rows = list(csv.DictReader(io.StringIO(await asyncio.to_thread(path.read_text))))
    assert [r for r in rows if "BORIS-02" in r.values()], rows
    await page.get_by_label("Per").select_option("site")
    await page.get_by_role("button", name="Show").click()
    await expect(page.get_by_role("cell", name=scene.SITE)).to_be_visible()
