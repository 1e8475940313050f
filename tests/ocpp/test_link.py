"""The websocket link itself (csms.ocpp.link): what websockets' asyncio server used to do for
us and the link now does on its own: fragmented messages, invalid UTF-8, and a station that
sends faster than its session is answered. (The opening-handshake deadline: tests/edges/
test_connections.py.)"""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from websockets.exceptions import ConnectionClosed

from csms.app import CsmsServer
from csms.ocpp import link
from tests.helpers import raw_station
from tests.ocpp.support import boot, register

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_a_fragmented_call_is_reassembled_and_answered(
    shared_server: CsmsServer, shared_api: httpx.AsyncClient, station_id: str
) -> None:
    await register(shared_api, station_id)
    async with raw_station(shared_server, station_id) as st:
        await boot(st, "ocpp1.6")
        frame = json.dumps([2, "frag-1", "Heartbeat", {}]).encode()
        client = st.ws.protocol
        client.send_text(frame[:5], fin=False)
        client.send_continuation(frame[5:12], fin=False)
        client.send_continuation(frame[12:], fin=True)
        st.write_queued()
        reply = await st.recv(5)
        assert reply[:2] == [3, "frag-1"] and "currentTime" in reply[2]


async def test_invalid_utf8_closes_with_1007(
    shared_server: CsmsServer, shared_api: httpx.AsyncClient, station_id: str
) -> None:
    await register(shared_api, station_id)
    async with raw_station(shared_server, station_id) as st:
        await boot(st, "ocpp1.6")
        client = st.ws.protocol
        client.send_text(b'[2,"x","Heartbeat",{"a":"\xff"}]')
        st.write_queued()
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(st.ws.recv(), 5)
        assert st.ws.close_code == 1007


async def test_a_burst_of_calls_is_answered_in_order(
    shared_server: CsmsServer, shared_api: httpx.AsyncClient, station_id: str
) -> None:
    """More calls than the link reads ahead (MAX_QUEUE) in one write: reading pauses while the
    session catches up, and every call is answered, in the order sent."""
    await register(shared_api, station_id)
    count = link.MAX_QUEUE * 3
    async with raw_station(shared_server, station_id) as st:
        await boot(st, "ocpp1.6")
        client = st.ws.protocol
        for i in range(count):
            client.send_text(json.dumps([2, f"b{i}", "Heartbeat", {}]).encode())
        st.write_queued()
        ids = [(await st.recv(10))[1] for _ in range(count)]
        assert ids == [f"b{i}" for i in range(count)]
