"""A server shared by the tests of one module, for the many small checks that need no fresh one.

Modules that use it run their tests in the module's event loop:
`pytestmark = pytest.mark.asyncio(loop_scope="module")`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio

from csms.app import CsmsServer
from tests.api.support import register
from tests.conftest import api_client, make_settings
from tests.helpers import BOOT_16, BOOT_201, RawStation, raw_station


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def shared_server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[CsmsServer]:
    path = tmp_path_factory.mktemp("shared")
    server = CsmsServer(make_settings(f"sqlite+aiosqlite:///{path}/csms.db"))
    await server.start()
    yield server
    await server.stop()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def shared_api(shared_server: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(shared_server) as client:
        yield client


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def stations(shared_server: Any,
                   shared_api: httpx.AsyncClient) -> AsyncIterator[tuple[RawStation, RawStation]]:
    """Two booted stations on the shared server: C16 (OCPP 1.6) and C201 (OCPP 2.0.1)."""
    await register(shared_api, "C16")
    await register(shared_api, "C201")
    async with raw_station(shared_server, "C16") as s16, \
            raw_station(shared_server, "C201", "ocpp2.0.1") as s201:
        await s16.ok("BootNotification", BOOT_16)
        await s201.ok("BootNotification", BOOT_201)
        yield s16, s201


@pytest.fixture
def st16(stations: tuple[RawStation, RawStation]) -> RawStation:
    return stations[0]


@pytest.fixture
def st201(stations: tuple[RawStation, RawStation]) -> RawStation:
    return stations[1]
