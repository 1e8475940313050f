"""The event stream's ids: a reader that reconnects with Last-Event-ID gets what it missed;
an unknown id gets `stream.reset`; a reader scoped to a site sees only that site's events."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from tests.api.support import register
from tests.helpers import raw_station
from tests.people.fleet import api_token, client

Message = tuple[str | None, str, dict[str, Any]]  # id, event, data


@asynccontextmanager
async def stream(api: httpx.AsyncClient, headers: dict[str, str] | None = None,
                 ) -> AsyncIterator[AsyncIterator[Message]]:
    async with api.stream("GET", "/events", headers=headers or {},
                          timeout=httpx.Timeout(10, read=10)) as r:
        assert r.status_code == 200, await r.aread()
        lines = r.aiter_lines()
        assert (await asyncio.wait_for(anext(lines), 5)).startswith(":")

        async def messages() -> AsyncIterator[Message]:
            event_id, kind, data = None, None, None
            async for line in lines:
                if line.startswith("id: "):
                    event_id = line[4:]
                elif line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("data: "):
                    data = json.loads(line[6:])
                elif line == "" and kind is not None:
                    yield event_id, kind, data or {}
                    event_id, kind, data = None, None, None

        yield messages()


async def until(messages: AsyncIterator[Message], kind: str, station: str) -> list[Message]:
    got: list[Message] = []

    async def run() -> None:
        async for m in messages:
            got.append(m)
            if m[1] == kind and m[2].get("station_id") == station:
                return

    await asyncio.wait_for(run(), 10)
    return got


async def test_a_reader_resumes_after_the_last_event_it_saw(server: Any,
                                                            api: httpx.AsyncClient) -> None:
    for sid in ("R1", "R2", "R3"):
        await register(api, sid)
    async with stream(api) as messages:
        async with raw_station(server, "R1") as st:
            await st.ok("Heartbeat", {})
        seen = await until(messages, "station.disconnected", "R1")
    last_id = seen[-1][0]
    assert last_id and all(m[0] for m in seen)
    # while nobody listens, R2 comes and goes
    async with raw_station(server, "R2") as st:
        await st.ok("Heartbeat", {})
    async with stream(api, {"Last-Event-ID": last_id}) as messages:
        missed = await until(messages, "station.disconnected", "R2")
        assert [(k, d["station_id"]) for _, k, d in missed] == [
            ("station.connected", "R2"), ("station.disconnected", "R2")]
        async with raw_station(server, "R3") as st:  # and it follows live from there
            await st.ok("Heartbeat", {})
        live = await until(messages, "station.connected", "R3")
    ids = [m[0] for m in missed + live]
    assert len(set(ids)) == len(ids) and last_id not in ids


async def test_an_unknown_id_asks_the_reader_to_reload(server: Any,
                                                       api: httpx.AsyncClient) -> None:
    await register(api, "R4")
    for stale in ("0000-1", "nonsense", "x" * 64):
        async with stream(api, {"Last-Event-ID": stale}) as messages:
            first = await asyncio.wait_for(anext(messages), 5)
            assert first[1] == "stream.reset" and first[0]
    async with client(server, "test-admin-token") as c:
        r = await c.get("/events", headers={"Last-Event-ID": "x" * 65})
        assert r.status_code == 422


async def test_a_scoped_reader_sees_only_its_sites_events(server: Any,
                                                          api: httpx.AsyncClient) -> None:
    for site in ("A", "B"):
        assert (await api.post("/sites", json={"id": site, "name": site,
                                               "grid_limit_kw": 5})).status_code == 201
        await register(api, f"E{site}", site_id=site)
    token = await api_token(api, "site A wall", "viewer", ["A"])
    async with client(server, token) as scoped, stream(scoped) as messages:
        async with raw_station(server, "EB") as st:
            await st.ok("Heartbeat", {})
        async with raw_station(server, "EA") as st:
            await st.ok("Heartbeat", {})
        got = await until(messages, "station.disconnected", "EA")
        assert (await api.patch("/sites/B", json={"name": "b2"})).status_code == 200
        assert (await api.patch("/sites/A", json={"name": "a2"})).status_code == 200
        changed = await asyncio.wait_for(anext(messages), 5)
    assert {d["station_id"] for _, _, d in got} == {"EA"}
    assert changed[1] == "site.changed" and changed[2]["site_id"] == "A"


async def test_a_browser_event_source_may_pass_the_token_in_the_query(server: Any) -> None:
    """EventSource cannot send headers; only the stream takes `?access_token=`."""
    async with client(server, None) as anonymous:
        async with anonymous.stream("GET", "/events",
                                    params={"access_token": "test-admin-token"}) as r:
            assert r.status_code == 200
            assert (await asyncio.wait_for(anext(r.aiter_lines()), 5)).startswith(":")
        r = await anonymous.get("/events", params={"access_token": "wrong"})
        assert r.status_code == 401
        r = await anonymous.get("/stations", params={"access_token": "test-admin-token"})
        assert r.status_code == 401
