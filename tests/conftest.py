"""Shared fixtures: a real csms server on ephemeral ports with a real, migrated database.

Nothing of csms is mocked: tests talk to the server over real websockets and HTTP.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from csms.app import CsmsServer
from csms.settings import Settings
from tests.helpers import ADMIN_TOKEN

ServerFactory = Callable[..., Awaitable[CsmsServer]]

logging.getLogger("httpx").setLevel(logging.WARNING)


class _TaskErrorTripwire(logging.Handler):
    """Fails a test whose event loop logged an exception nobody retrieved."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if "never retrieved" in record.getMessage() or "Unhandled" in record.getMessage():
            self.records.append(record)


@pytest.fixture(autouse=True)
def task_error_tripwire() -> Iterator[None]:
    handler = _TaskErrorTripwire()
    logging.getLogger("asyncio").addHandler(handler)
    yield
    logging.getLogger("asyncio").removeHandler(handler)
    assert not handler.records, [r.getMessage() for r in handler.records]


_SERVICES = {
    "postgres": ("CSMS_TEST_POSTGRES_URL", 5432, "postgresql+asyncpg://postgres@127.0.0.1:5432/test"),
    "redis": ("CSMS_TEST_REDIS_URL", 6379, "redis://127.0.0.1:6379/0"),
}


def service_url(name: str) -> str:
    """The test URL of PostgreSQL or Redis: from its CSMS_TEST_*_URL variable, else the local
    server when its port answers. Without one the test is skipped, unless
    CSMS_TEST_REQUIRE_SERVICES=1 (CI): then it fails, so a CI without the service cannot pass
    by skipping what needs it."""
    variable, port, default = _SERVICES[name]
    url = os.environ.get(variable)
    if url:
        return url
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        why = f"{variable} is not set and nothing answers on 127.0.0.1:{port}"
        if os.environ.get("CSMS_TEST_REQUIRE_SERVICES") == "1":
            pytest.fail(f"{why} (CSMS_TEST_REQUIRE_SERVICES=1: {name} is required)")
        pytest.skip(why)
    return default


def make_settings(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "ocpp_host": "127.0.0.1",
        "ocpp_port": 0,
        "api_host": "127.0.0.1",
        "api_port": 0,
        "admin_token": ADMIN_TOKEN,
        "unknown_stations": "reject",
        "call_timeout": 5.0,
        "ws_ping_interval": 0,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def database_url(tmp_path: Any) -> str:
    return f"sqlite+aiosqlite:///{tmp_path}/csms.db"


@pytest.fixture
async def server_factory(database_url: str) -> AsyncIterator[ServerFactory]:
    """Start servers (several, or one after another, on the same database); all stopped after."""
    started: list[CsmsServer] = []

    async def start(**overrides: Any) -> CsmsServer:
        url = overrides.pop("database_url", database_url)
        server = CsmsServer(make_settings(url, **overrides))
        await server.start()
        started.append(server)
        _RUNNING.append(server)
        return server

    yield start
    for server in started:
        await _stop(server)


# Servers still running, so that a database fixture can stop those using its database before
# dropping it (fixtures are torn down in reverse order, which may be the wrong one).
_RUNNING: list[CsmsServer] = []


async def _stop(server: CsmsServer) -> None:
    if server in _RUNNING:
        _RUNNING.remove(server)
    if server.running:
        await server.stop()


@pytest.fixture
async def server(server_factory: ServerFactory) -> CsmsServer:
    return await server_factory()


@pytest.fixture
async def api(server: CsmsServer) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(server) as client:
        yield client


def api_client(server: CsmsServer, token: str | None = ADMIN_TOKEN) -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{server.api_port}/api/v1", headers=headers, timeout=15
    )


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    """A fresh PostgreSQL database per test, dropped afterwards; skipped without a server."""
    async with fresh_postgres_database() as url:
        yield url


@asynccontextmanager
async def fresh_postgres_database() -> AsyncIterator[str]:
    base = service_url("postgres")
    import asyncpg  # type: ignore[import-untyped]

    plain = base.replace("postgresql+asyncpg://", "postgresql://")
    name = f"csms_test_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(plain)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    head, _, _ = base.rpartition("/")
    url = f"{head}/{name}"
    try:
        yield url
    finally:
        for server in [s for s in _RUNNING if s.settings.database_url == url]:
            await _stop(server)
        conn = await asyncpg.connect(plain)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()
