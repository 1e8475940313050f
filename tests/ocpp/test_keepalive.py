"""Dead sockets: one sweeping task pings every station and drops those that stop answering."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.features.device_support import wait_for
from tests.helpers import raw_station
from tests.ocpp.support import BOOT


async def test_a_station_that_stops_answering_pings_is_dropped_and_others_stay(
    server_factory: Any,
) -> None:
    server = await server_factory(unknown_stations="accept", ws_ping_interval=1.0,
                                  ws_ping_timeout=1.0)
    async with raw_station(server, "ALIVE") as alive, raw_station(server, "DEAD") as dead:
        await alive.ok("BootNotification", BOOT["ocpp1.6"])
        await dead.ok("BootNotification", BOOT["ocpp1.6"])
        # A half-open connection: the client side reads nothing, so it never sends a pong.
        dead.ws.transport.pause_reading()
        async def dropped() -> bool:
            return not server.registry.is_connected("DEAD")

        await wait_for(dropped, timeout=15)
        assert server.registry.is_connected("ALIVE")
        # The answering station went through at least one more ping round and still works.
        await asyncio.sleep(2.5)
        assert server.registry.is_connected("ALIVE")
        assert (await alive.ok("Heartbeat", {}))["currentTime"]


async def test_no_pings_when_disabled(server_factory: Any) -> None:
    server = await server_factory(ws_ping_interval=0)
    assert server.ocpp.keepalive is None
