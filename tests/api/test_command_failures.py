"""Commands that fail in time: a station that never answers, or leaves mid-call."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.api.support import assert_detail, command, register
from tests.conftest import ServerFactory, api_client
from tests.helpers import BOOT_201, raw_station


async def test_timeout_is_504_and_the_session_recovers(server_factory: ServerFactory) -> None:
    server = await server_factory(call_timeout=0.5)
    async with api_client(server) as api:
        await register(api, "SLOW")
        async with raw_station(server, "SLOW", "ocpp2.0.1") as st:
            await st.ok("BootNotification", BOOT_201)
            r = await api.post("/stations/SLOW/commands/reset", json={"type": "soft"})
            assert "SLOW" in assert_detail(r, 504)
            late = await st.recv()
            assert late[2] == "Reset"
            await st.send([3, late[1], {"status": "Accepted"}])  # too late: ignored
            frame, r = await command(api, st, "/stations/SLOW/commands/clear-cache", None,
                                     {"status": "Rejected"})
            assert frame[2] == "ClearCache"
            assert r.status_code == 200 and r.json() == {"status": "Rejected"}
            r = await api.post("/stations/SLOW/ocpp/ClearCache", json={})
            assert_detail(r, 504)

async def test_disconnect_during_call_is_not_a_500(server: Any, api: httpx.AsyncClient) -> None:
    await register(api, "DROP")
    async with raw_station(server, "DROP") as st:
        await st.ok("Heartbeat", {})
        request = asyncio.create_task(api.post("/stations/DROP/commands/reset"))
        frame = await st.recv()
        assert frame[2] == "Reset"
    r = await request
    assert "DROP" in assert_detail(r, 409)

