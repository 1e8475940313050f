"""Test helpers: a raw OCPP-J client for hand-written (and malformed) frames."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

ADMIN_TOKEN = "test-admin-token"


def ws_url(server: Any, station_id: str) -> str:
    return f"ws://127.0.0.1:{server.ocpp_port}/ocpp/{station_id}"


class RawStation:
    """Sends frames exactly as given; answers nothing unless told to."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self._n = 0

    async def send(self, frame: str | list[Any]) -> None:
        await self.ws.send(frame if isinstance(frame, str) else json.dumps(frame))

    async def recv(self, timeout: float = 5.0) -> list[Any]:
        return json.loads(await asyncio.wait_for(self.ws.recv(), timeout))  # type: ignore[no-any-return]

    def write_queued(self) -> None:
        """Write what the test queued on websockets' sans-I/O client (`self.ws.protocol`:
        frames, fragments, a close) in one TCP write, so the server reads them together."""
        self.ws.transport.write(b"".join(self.ws.protocol.data_to_send()))

    async def call(self, action: str, payload: dict[str, Any]) -> list[Any]:
        """Send a CALL and return the whole reply frame (CALLRESULT or CALLERROR)."""
        self._n += 1
        uid = f"t{self._n}"
        await self.send([2, uid, action, payload])
        while True:
            reply = await self.recv()
            if reply[0] in (3, 4) and reply[1] == uid:
                return reply

    async def ok(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        reply = await self.call(action, payload)
        assert reply[0] == 3, reply
        return reply[2]  # type: ignore[no-any-return]


@asynccontextmanager
async def raw_station(
    server: Any, station_id: str, protocol: str = "ocpp1.6", password: str | None = None
) -> AsyncIterator[RawStation]:
    headers = {}
    if password is not None:
        cred = base64.b64encode(f"{station_id}:{password}".encode()).decode()
        headers["Authorization"] = f"Basic {cred}"
    async with connect(
        ws_url(server, station_id), subprotocols=[protocol], additional_headers=headers  # type: ignore[list-item]
    ) as ws:
        yield RawStation(ws)


BOOT_16 = {"chargePointVendor": "TestVendor", "chargePointModel": "T1"}
BOOT_201 = {"chargingStation": {"vendorName": "TestVendor", "model": "T2"}, "reason": "PowerUp"}


async def eventually(check: Any, what: str, timeout: float = 10.0) -> Any:
    """Poll `check` (a function, sync or async) until it returns something truthy, and return
    that; fail saying `what` never happened once `timeout` seconds have passed. For waiting on
    the server's side effects, instead of a fixed sleep."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = check()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        await asyncio.sleep(0.02)
