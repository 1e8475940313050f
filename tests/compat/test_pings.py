"""`ping: false`: csms sends no websocket pings to a station that cannot answer them."""

from __future__ import annotations

import asyncio

import httpx

from simulators import StationConfig, make_station
from simulators.station import SimStation
from tests.conftest import ServerFactory, api_client


async def connected(api: httpx.AsyncClient, station_id: str) -> bool:
    return bool((await api.get(f"/stations/{station_id}")).json()["connected"])


async def until_dropped(api: httpx.AsyncClient, station_id: str, timeout: float = 20.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while await connected(api, station_id):
        assert asyncio.get_running_loop().time() < deadline, f"{station_id} still connected"
        await asyncio.sleep(0.1)


def mute(station_id: str) -> StationConfig:
    return StationConfig(station_id=station_id, protocol="1.6", quirks=frozenset({"no-pong"}))


async def test_a_station_without_pings_is_not_dropped_for_missing_pongs(
    server_factory: ServerFactory
) -> None:
    server = await server_factory(ws_ping_interval=1.0, ws_ping_timeout=1.0)
    url = f"ws://127.0.0.1:{server.ocpp_port}/ocpp"
    async with api_client(server) as api:
        quiet, first, second = make_station(url, mute("QUIET")), make_station(
            url, mute("MUTE-1")), make_station(url, mute("MUTE-2"))
        for sid in ("QUIET", "MUTE-1", "MUTE-2"):
            assert (await api.post("/stations", json={"id": sid})).status_code == 201
        r = await api.put("/stations/QUIET/compatibility", json={"ping": False})
        assert r.status_code == 200 and r.json()["effective"]["ping"] is False
        stations: list[SimStation] = [quiet, first]
        try:
            for st in stations:
                await st.connect()
                await st.boot()
            await until_dropped(api, "MUTE-1")  # pinged, never answered
            # A station that connects now is dropped only after a whole round of pings that
            # began after it connected, and that round passed QUIET too.
            stations.append(second)
            await second.connect()
            await second.boot()
            await until_dropped(api, "MUTE-2")
            assert await connected(api, "QUIET")
            assert await quiet.heartbeat()
        finally:
            for st in stations:
                await st.close()
