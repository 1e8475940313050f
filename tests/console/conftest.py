"""Fixtures of the console's browser tests: a real server, the scene's site, and a Chromium
page. Without a Chromium binary the browser tests are skipped, and the run says so loudly at
the end (install it: apt-get install -y chromium; .ci/run does)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from playwright.async_api import Page

from csms.app import CsmsServer
from tests.conftest import ServerFactory, api_client
from tests.console import scene
from tests.console.browser import chromium, chromium_path

_MISSING: list[str] = []


@dataclass
class Console:
    server: CsmsServer
    api: httpx.AsyncClient
    base: str  # http://127.0.0.1:PORT
    ocpp: str  # ws://127.0.0.1:PORT/ocpp

    async def has_route(self, method: str, path: str) -> bool:
        doc = (await self.api.get(f"{self.base}/openapi.json")).json()
        return method.lower() in doc["paths"].get(f"/api/v1{path}", {})


@pytest.fixture
async def console(server_factory: ServerFactory) -> AsyncIterator[Console]:
    server = await server_factory()
    async with api_client(server) as api:
        await scene.build_site(api)
        yield Console(server, api, f"http://127.0.0.1:{server.api_port}",
                      f"ws://127.0.0.1:{server.ocpp_port}/ocpp")


@pytest.fixture
async def page(request: pytest.FixtureRequest) -> AsyncIterator[Page]:
    if chromium_path() is None:
        _MISSING.append(request.node.nodeid)
        pytest.skip("NO CHROMIUM: the console's browser tests did not run "
                    "(apt-get install -y chromium, or set CSMS_CHROMIUM)")
    async with chromium() as browser:
        context = await browser.new_context(viewport={"width": 1280, "height": 900},
                                            accept_downloads=True)
        errors: list[str] = []
        pg = await context.new_page()
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.set_default_timeout(20_000)
        yield pg
        await context.close()
        assert not errors, errors  # an uncaught error in the page's JavaScript fails the test


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _MISSING:
        terminalreporter.write_sep("!", f"CHROMIUM NOT FOUND: {len(_MISSING)} browser tests of the "
                                   "web console were SKIPPED", red=True, bold=True)
        terminalreporter.write_line(
            "install it with: apt-get update && apt-get install -y chromium")
