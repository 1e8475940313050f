"""Stations that keep charging while the database fails under them, and what they were told.

Each station runs whole sessions (start, meter values, stop) over a real websocket, in 1.6 or
2.0.1. A message answered with a CALLRESULT is recorded as confirmed; one answered with
InternalError, or not answered in time, is sent again, as a real station does. Any other
answer fails the test: a database fault must never look like the station's mistake.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from websockets.exceptions import ConnectionClosed

from tests.helpers import BOOT_16, BOOT_201, RawStation, eventually, raw_station

REPLY_TIMEOUT_S = 5.0
GIVE_UP_S = 20.0  # a message not confirmed in this long fails the test (no hang to a timeout)
T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


@dataclass
class Confirmed:
    """What csms confirmed to the stations: all of it must be in the database."""

    # (station, transaction id) -> meter start (1.6) or first register (2.0.1), in Wh
    started: dict[tuple[str, str], float] = field(default_factory=dict)
    samples: set[tuple[str, str, float]] = field(default_factory=set)  # station, tx, Wh
    stopped: dict[tuple[str, str], float] = field(default_factory=dict)  # -> meter stop, Wh
    errors: int = 0  # InternalError answers
    silences: int = 0  # messages not answered in time

    @property
    def messages(self) -> int:
        return len(self.started) + len(self.samples) + len(self.stopped)


async def until_confirmed(st: RawStation, action: str, payload: dict[str, Any],
                          seen: Confirmed) -> dict[str, Any]:
    deadline = asyncio.get_running_loop().time() + GIVE_UP_S
    while True:
        assert asyncio.get_running_loop().time() < deadline, (
            f"{action} not confirmed within {GIVE_UP_S} s: csms did not recover")
        try:
            reply = await asyncio.wait_for(st.call(action, payload), REPLY_TIMEOUT_S)
        except TimeoutError:
            seen.silences += 1
            continue
        if reply[0] == 3:
            return reply[2]  # type: ignore[no-any-return]
        assert reply[2] == "InternalError", reply
        seen.errors += 1
        await asyncio.sleep(0.02)  # a station's retry back-off, not a synchronisation


def _at(session: int, minute: int) -> str:
    when = T0 + timedelta(hours=session, minutes=minute)
    return when.isoformat().replace("+00:00", "Z")


async def station_16(server: Any, station_id: str, seen: Confirmed, stop: asyncio.Event,
                     samples: int = 4) -> int:
    """Sessions until `stop` is set; returns how many it completed."""
    sessions = 0
    async with raw_station(server, station_id) as st:
        await until_confirmed(st, "BootNotification", BOOT_16, seen)
        while not stop.is_set():
            start_wh = 10_000.0 * sessions
            reply = await until_confirmed(st, "StartTransaction", {
                "connectorId": 1, "idTag": "FAULT-TAG", "meterStart": int(start_wh),
                "timestamp": _at(sessions, 0)}, seen)
            tx = str(reply["transactionId"])
            seen.started[(station_id, tx)] = start_wh
            for n in range(1, samples + 1):
                wh = start_wh + 100.0 * n
                await until_confirmed(st, "MeterValues", {
                    "connectorId": 1, "transactionId": int(tx), "meterValue": [{
                        "timestamp": _at(sessions, n), "sampledValue": [{
                            "value": str(wh), "measurand": "Energy.Active.Import.Register",
                            "unit": "Wh"}]}]}, seen)
                seen.samples.add((station_id, tx, wh))
            stop_wh = start_wh + 100.0 * (samples + 1)
            await until_confirmed(st, "StopTransaction", {
                "transactionId": int(tx), "meterStop": int(stop_wh),
                "timestamp": _at(sessions, samples + 1)}, seen)
            seen.stopped[(station_id, tx)] = stop_wh
            sessions += 1
    return sessions


async def station_201(server: Any, station_id: str, seen: Confirmed, stop: asyncio.Event,
                      samples: int = 4) -> int:
    sessions = 0
    async with raw_station(server, station_id, "ocpp2.0.1") as st:
        await until_confirmed(st, "BootNotification", BOOT_201, seen)
        while not stop.is_set():
            tx = f"{station_id}-{sessions}"
            start_wh = 10_000.0 * sessions
            await until_confirmed(st, "TransactionEvent", _event(
                tx, sessions, "Started", 0, start_wh, evse={"id": 1, "connectorId": 1}), seen)
            seen.started[(station_id, tx)] = start_wh
            for n in range(1, samples + 1):
                wh = start_wh + 100.0 * n
                await until_confirmed(st, "TransactionEvent", _event(
                    tx, sessions, "Updated", n, wh), seen)
                seen.samples.add((station_id, tx, wh))
            stop_wh = start_wh + 100.0 * (samples + 1)
            await until_confirmed(st, "TransactionEvent", _event(
                tx, sessions, "Ended", samples + 1, stop_wh), seen)
            seen.stopped[(station_id, tx)] = stop_wh
            sessions += 1
    return sessions


def _event(tx: str, session: int, kind: str, minute: int, wh: float, **extra: Any
           ) -> dict[str, Any]:
    """A 2.0.1 TransactionEvent; its seqNo is the minute, one message a minute."""
    return {"eventType": kind, "timestamp": _at(session, minute), "seqNo": minute,
            "triggerReason": {"Started": "Authorized", "Updated": "MeterValuePeriodic",
                              "Ended": "EVDeparted"}[kind],
            "transactionInfo": {"transactionId": tx}, **extra,
            "meterValue": [{"timestamp": _at(session, minute), "sampledValue": [
                {"value": wh, "measurand": "Energy.Active.Import.Register"}]}]}


async def run_fleet(server: Any, ids: list[str], seen: Confirmed, stop: asyncio.Event
                    ) -> list[asyncio.Task[int]]:
    """Half the stations speak 1.6, half 2.0.1; the caller awaits the tasks."""
    tasks = []
    for n, station_id in enumerate(ids):
        run = station_16 if n % 2 == 0 else station_201
        tasks.append(asyncio.create_task(run(server, station_id, seen, stop)))
    return tasks


async def finish(tasks: list[asyncio.Task[int]], timeout: float = 30.0) -> list[int]:
    try:
        async with asyncio.timeout(timeout):
            return list(await asyncio.gather(*tasks))
    finally:
        for task in tasks:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError, ConnectionClosed):
            await asyncio.gather(*tasks, return_exceptions=True)


async def wait_for(predicate: Any, what: str, timeout: float = 20.0) -> None:
    await eventually(predicate, what, timeout)
