"""Helpers for the feature tests: simulators against a real server, and waiting for state."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from simulators import StationConfig

PROTOCOLS = ["1.6", "2.0.1"]
RAW = {"1.6": "ocpp1.6", "2.0.1": "ocpp2.0.1"}


def sim_config(station_id: str, protocol: str, **kw: Any) -> StationConfig:
    return StationConfig(station_id=station_id, protocol=protocol,  # type: ignore[arg-type]
                         speed=600.0, meter_interval_s=60.0, **kw)


async def wait_for(predicate: Callable[[], Awaitable[Any]], timeout: float = 10.0) -> Any:
    """Poll until `predicate` returns something truthy; that value."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await predicate()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


async def frames_in(api: httpx.AsyncClient, station_id: str) -> list[list[Any]]:
    """The CALLs csms received from the station, oldest first."""
    r = await api.get(f"/stations/{station_id}/messages", params={"limit": 1000})
    assert r.status_code == 200, r.text
    frames = [json.loads(m["frame"]) for m in reversed(r.json()) if m["direction"] == "in"]
    return [f for f in frames if f[0] == 2]


async def received_action(api: httpx.AsyncClient, station_id: str, action: str,
                          after: int = 0) -> list[Any]:
    """Wait until csms received a CALL `action` beyond the first `after` CALLs; that frame."""
    async def found() -> list[Any] | None:
        frames = (await frames_in(api, station_id))[after:]
        return next((f for f in frames if f[2] == action), None)

    return await wait_for(found)  # type: ignore[no-any-return]


async def report_done(api: httpx.AsyncClient, station_id: str, request_id: int) -> dict[str, Any]:
    """Wait for a device report request to be answered completely (or refused)."""
    async def done() -> dict[str, Any] | None:
        rows = (await api.get(f"/stations/{station_id}/device-reports")).json()
        row = next((r for r in rows if r["request_id"] == request_id), None)
        return row if row and row["completed_at"] else None

    return await wait_for(done)  # type: ignore[no-any-return]
