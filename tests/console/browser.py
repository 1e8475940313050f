"""Playwright on Debian's Chromium (Playwright cannot download its own browser here)."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from playwright.async_api import Browser, Page, async_playwright

from tests.helpers import ADMIN_TOKEN

CANDIDATES = ("chromium", "chromium-browser", "google-chrome")


def chromium_path() -> str | None:
    """CSMS_CHROMIUM, else the first Chromium on the PATH."""
    explicit = os.environ.get("CSMS_CHROMIUM")
    if explicit:
        return explicit if os.access(explicit, os.X_OK) else None
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    path = chromium_path()
    if path is None:
        raise RuntimeError("no Chromium found: apt-get install -y chromium (or set CSMS_CHROMIUM)")
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=path, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            await browser.close()


async def sign_in_with_token(page: Page, base_url: str, token: str = ADMIN_TOKEN) -> None:
    await page.goto(f"{base_url}/")
    await page.get_by_label("API token (e.g. the admin token)").fill(token)
    await page.get_by_role("button", name="Sign in with token").click()
    await page.get_by_role("heading", name="Overview").wait_for()
