"""A small network for the console's tests and screenshots: a site with solar panels and
measured production, two simulated stations on it (one per OCPP version), members' id tokens,
and sessions that charge in the background while the browser looks."""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from simulators import SimStation, StationConfig, make_station

SITE = "sunny-farm"
STATIONS = {"CP-16": "1.6", "CP-201": "2.0.1"}
MEMBERS = {"ANNA-01": ("Anna Petrova", "family"), "BORIS-02": ("Boris Ivanov", "family"),
           "FLEET-03": ("Bakery van", "business")}


def noon_longitude(now: datetime) -> float:
    """A longitude where it is about half past noon (solar time) now, whenever the scene
    runs: the pictures and the plot show the sun at work, not a night."""
    lon = (12.5 - (now.hour + now.minute / 60)) * 15
    return round((lon + 180) % 360 - 180, 2)


def zone_of(longitude: float) -> str:
    """The Etc/GMT zone of a longitude (POSIX sign: Etc/GMT+6 is six hours behind UTC)."""
    hours = max(-12, min(12, round(longitude / 15)))
    return "Etc/GMT" if hours == 0 else f"Etc/GMT{-hours:+d}"


def solar_kw(at: datetime, longitude: float, peak_kw: float = 30.0) -> float:
    """A clear winter day: sun from 07:30 to 16:30 local solar time, a sine in between."""
    hour = (at.hour + at.minute / 60 + longitude / 15) % 24
    if not 7.5 <= hour <= 16.5:
        return 0.0
    return round(peak_kw * math.sin(math.pi * (hour - 7.5) / 9), 2)


async def build_site(api: httpx.AsyncClient) -> None:
    """The site, its panels, today's readings so far, the stations and the members."""
    now = datetime.now(UTC)
    lon = noon_longitude(now)
    site = {"id": SITE, "name": "Sunny Farm co-op", "grid_limit_kw": 22, "timezone": zone_of(lon),
            "latitude": 40.0, "longitude": lon}
    for path, body in (
        ("/sites", site),
        (f"/sites/{SITE}/sources", {"id": "roof", "name": "Barn roof", "peak_kw": 30}),
    ):
        reply = await api.post(path, json=body)
        assert reply.status_code == 201, reply.text
    since = now - timedelta(hours=12)  # the site's morning, in five-minute readings
    readings = [{"timestamp": (t := since + timedelta(minutes=5 * i)).isoformat(),
                 "power_kw": solar_kw(t, lon)} for i in range(12 * 12)]
    if readings:
        reply = await api.post(f"/sites/{SITE}/sources/roof/readings", json=readings)
        assert reply.status_code == 201, reply.text
    for token, (member, group) in MEMBERS.items():
        body = {"id_token": token, "member": member, "group_id": group}
        reply = await api.post("/id-tokens", json=body)
        assert reply.status_code == 201, reply.text


async def register(api: httpx.AsyncClient, station_id: str) -> None:
    reply = await api.post("/stations", json={"id": station_id, "site_id": SITE,
                                              "description": "barn, left wall"})
    assert reply.status_code == 201, reply.text


def config(station_id: str, protocol: str, token: str, **kw: Any) -> StationConfig:
    # 30 simulated seconds per wall second: a meter value every two wall seconds
    values: dict[str, Any] = {"station_id": station_id, "protocol": protocol, "speed": 30.0,
                              "meter_interval_s": 60.0, "id_token": token, "evses": 2}
    values.update(kw)
    return StationConfig(**values)  # type: ignore[arg-type]


@asynccontextmanager
async def station(ocpp_url: str, station_id: str, protocol: str,
                  token: str = "ANNA-01") -> AsyncIterator[SimStation]:
    async with make_station(ocpp_url, config(station_id, protocol, token)) as st:
        assert await st.boot() == "Accepted"
        for evse in (1, 2):
            await st.send_status(evse_id=evse, connector_id=1)
        yield st


class Charging:
    """Sessions charging in owned background tasks, stopped when the block ends."""

    def __init__(self) -> None:
        self._group = asyncio.TaskGroup()
        self._stations: list[SimStation] = []

    async def __aenter__(self) -> Charging:
        await self._group.__aenter__()
        return self

    def start(self, st: SimStation, evse_id: int, token: str, duration_s: float) -> None:
        self._stations.append(st)
        self._group.create_task(st.charge(evse_id, token, duration_s))

    async def __aexit__(self, *exc: Any) -> None:
        for st in self._stations:
            for evse in list(st.tx):
                await st.stop_transaction(evse, reason="Local")
        await self._group.__aexit__(*exc)


@asynccontextmanager
async def network(api: httpx.AsyncClient, ocpp_url: str) -> AsyncIterator[dict[str, SimStation]]:
    """The whole scene, stations connected and idle."""
    await build_site(api)
    async with AsyncExitStack() as stack:
        stations = {}
        for sid, protocol in STATIONS.items():
            await register(api, sid)
            stations[sid] = await stack.enter_async_context(station(ocpp_url, sid, protocol))
        yield stations
