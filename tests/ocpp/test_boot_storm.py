"""Boot storms: after a restart every station boots at once; csms paces them with Pending."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.helpers import raw_station
from tests.ocpp.support import BOOT


async def test_a_boot_storm_is_paced_with_pending_and_every_station_gets_accepted(
    server_factory: Any,
) -> None:
    """Beyond `boot_rate`, BootNotification is answered Pending with the wait until the
    station's slot; booting again then is Accepted, and nothing was refused."""
    server = await server_factory(unknown_stations="accept", boot_rate=4.0)
    statuses: dict[str, list[tuple[str, int]]] = {}

    async def station(n: int) -> None:
        station_id = f"STORM{n}"
        async with raw_station(server, station_id) as st:
            seen = statuses.setdefault(station_id, [])
            async with asyncio.timeout(30):
                while True:
                    reply = await st.ok("BootNotification", BOOT["ocpp1.6"])
                    seen.append((reply["status"], reply["interval"]))
                    if reply["status"] == "Accepted":
                        break
                    assert reply["status"] == "Pending" and reply["interval"] >= 1
                    # Before its slot a station that is not Accepted may send nothing else.
                    assert (await st.call("Heartbeat", {}))[2] == "SecurityError"
                    await asyncio.sleep(reply["interval"])
            assert (await st.call("Heartbeat", {}))[0] == 3

    await asyncio.gather(*(station(n) for n in range(12)))
    assert all(s[-1][0] == "Accepted" for s in statuses.values())
    pended = [sid for sid, s in statuses.items() if s[0][0] == "Pending"]
    assert len(pended) >= 8, statuses  # 4 a second: only the first few go ahead at once
    assert max(s[0][1] for s in statuses.values()) >= 2
