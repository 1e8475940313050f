"""A server shared by a whole test module, for the many small exchanges that need no settings.

Modules that use `shared_server` / `shared_api` run in one event loop per module
(`pytestmark = pytest.mark.asyncio(loop_scope="module")`) and give every test its own
station id, so tests stay independent while the server starts once.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio

from csms.app import CsmsServer
from tests.conftest import api_client, make_settings
from tests.ocpp.support import add_tokens

_ids = itertools.count(1)


async def _start(tmp_path_factory: pytest.TempPathFactory, **overrides: Any) -> CsmsServer:
    db = tmp_path_factory.mktemp("shared") / "csms.db"
    server = CsmsServer(make_settings(f"sqlite+aiosqlite:///{db}", **overrides))
    await server.start()
    async with api_client(server) as api:
        await add_tokens(api)
    return server


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def shared_server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[CsmsServer]:
    """Default settings: unknown stations refused."""
    server = await _start(tmp_path_factory)
    yield server
    await server.stop()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def accepting_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[CsmsServer]:
    """Unknown stations registered on first connect."""
    server = await _start(tmp_path_factory, unknown_stations="accept")
    yield server
    await server.stop()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def impatient_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[CsmsServer]:
    """Waits only half a second for a station's reply to a CSMS call."""
    server = await _start(tmp_path_factory, call_timeout=0.5)
    yield server
    await server.stop()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def shared_api(shared_server: CsmsServer) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(shared_server) as client:
        yield client


@pytest.fixture
def station_id() -> str:
    """A fresh station id per test."""
    return f"CP-{next(_ids):04d}"
