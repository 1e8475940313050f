"""Helpers of the reservation, local-list and availability tests."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from simulators import StationConfig
from tests.conftest import ServerFactory
from tests.helpers import RawStation

PROTOCOLS = ["1.6", "2.0.1"]
RAW = {"1.6": "ocpp1.6", "2.0.1": "ocpp2.0.1"}


def sim_config(station_id: str, protocol: str, **kw: Any) -> StationConfig:
    """Real time (speed 1): reservation expiries are wall-clock times on both sides."""
    return StationConfig(station_id=station_id, protocol=protocol, meter_interval_s=0,
                         auto_heartbeat=False, **kw)


def ws_base(server: Any) -> str:
    return f"ws://127.0.0.1:{server.ocpp_port}/ocpp"


def in_seconds(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()


async def wait_for(predicate: Callable[[], Awaitable[bool]], timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


async def setup(api: httpx.AsyncClient, station_id: str, *tokens: str | tuple[str, str]
                ) -> None:
    """Register the station and the tokens (a tuple is (token, group))."""
    r = await api.post("/stations", json={"id": station_id})
    assert r.status_code == 201, r.text
    for t in tokens:
        body = {"id_token": t} if isinstance(t, str) else {"id_token": t[0], "group_id": t[1]}
        r = await api.post("/id-tokens", json=body)
        assert r.status_code == 201, r.text


async def next_call(st: RawStation, timeout: float = 5.0) -> list[Any]:
    while True:
        frame = await st.recv(timeout)
        if frame[0] == 2:
            return frame


async def answering(st: RawStation, api_call: Awaitable[httpx.Response],
                    reply: dict[str, Any] | None = None,
                    error: tuple[str, str] | None = None) -> tuple[list[Any], httpx.Response]:
    """Run an API request while the raw station answers the CALL it gets."""
    request = asyncio.ensure_future(api_call)
    try:
        frame = await next_call(st)
    except BaseException:
        request.cancel()
        raise
    if error is not None:
        await st.send([4, frame[1], error[0], error[1], {}])
    else:
        await st.send([3, frame[1], reply or {}])
    return frame, await request


__all__ = ["PROTOCOLS", "RAW", "ServerFactory", "answering", "in_seconds", "next_call",
           "setup", "sim_config", "wait_for", "ws_base"]
