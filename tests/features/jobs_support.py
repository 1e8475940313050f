"""Helpers of the firmware and diagnostics feature tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from csms.app import CsmsServer
from simulators import StationConfig
from tests.conftest import api_client, make_settings
from tests.helpers import ws_url

PROTOCOLS = ["1.6", "2.0.1"]
RAW = {"1.6": "ocpp1.6", "2.0.1": "ocpp2.0.1"}


def sim_config(station_id: str, protocol: str, **kw: Any) -> StationConfig:
    """A simulated station on a fast clock (progress steps of 2 s take a few ms)."""
    return StationConfig(station_id=station_id, protocol=protocol,  # type: ignore[arg-type]
                         speed=600.0, meter_interval_s=3600.0, **kw)


def ocpp_url(server: Any) -> str:
    return ws_url(server, "x").rsplit("/", 1)[0]


def now() -> str:
    return datetime.now(UTC).isoformat()


async def wait_for(predicate: Callable[[], Awaitable[Any]], timeout: float = 15.0) -> Any:
    """Poll until `predicate` returns something truthy; that value."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await predicate()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


@asynccontextmanager
async def started_server(path: Path, **settings: Any) -> AsyncIterator[tuple[CsmsServer, Any]]:
    """A server (uploads under `path`) and an admin API client; for one test or a module."""
    settings.setdefault("upload_dir", str(path / "uploads"))
    server = CsmsServer(make_settings(f"sqlite+aiosqlite:///{path}/csms.db", **settings))
    await server.start()
    try:
        async with api_client(server) as api:
            yield server, api
    finally:
        await server.stop()
