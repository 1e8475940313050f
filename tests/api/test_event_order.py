"""Events leave in the order the station's messages were committed, per station and
transaction, on the bus and on the SSE stream."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import httpx
from websockets.exceptions import ConnectionClosed

from tests.api.support import now_iso, register
from tests.api.test_events import open_stream, sse_events
from tests.helpers import BOOT_201, raw_station

ROUNDS = 30


def _tx_event(kind: str, tx_id: str, seq: int, wh: float) -> dict[str, Any]:
    p: dict[str, Any] = {
        "eventType": kind, "timestamp": now_iso(), "seqNo": seq,
        "triggerReason": "MeterValuePeriodic" if kind == "Updated" else "StopAuthorized",
        "transactionInfo": {"transactionId": tx_id},
        "meterValue": [{"timestamp": now_iso(), "sampledValue": [
            {"value": wh, "measurand": "Energy.Active.Import.Register"}]}],
    }
    if kind == "Started":
        p["evse"] = {"id": 1, "connectorId": 1}
        p["idToken"] = {"idToken": "T", "type": "ISO14443"}
    if kind == "Ended":
        p["transactionInfo"]["stoppedReason"] = "Local"
    return p


async def _read_all(st: Any, into: list[Any]) -> None:
    with contextlib.suppress(ConnectionClosed):
        while True:
            into.append(await st.ws.recv())


async def test_updated_then_ended_leave_in_order(server: Any, api: httpx.AsyncClient) -> None:
    await register(api, "ORD1")
    cm, lines = await open_stream(api)
    try:
        events = sse_events(lines)
        async with raw_station(server, "ORD1", "ocpp2.0.1") as st:
            await st.ok("BootNotification", BOOT_201)
            for n in range(ROUNDS):
                tx_id = f"tx-{n}"
                await st.ok("TransactionEvent", _tx_event("Started", tx_id, 0, 0))
                # pipelined: the Ended leaves before the Updated's reply arrives
                await st.send([2, f"u{n}", "TransactionEvent", _tx_event("Updated", tx_id, 1, 100)])
                await st.send([2, f"e{n}", "TransactionEvent", _tx_event("Ended", tx_id, 2, 200)])
                replies = {(await st.recv())[1], (await st.recv())[1]}
                assert replies == {f"u{n}", f"e{n}"}
        got: list[tuple[str, dict[str, Any]]] = []

        async def collect() -> None:
            async for kind, data in events:
                got.append((kind, data))
                if kind == "station.disconnected":
                    return

        await asyncio.wait_for(collect(), 20)
    finally:
        await cm.__aexit__(None, None, None)
    stopped: set[str] = set()
    for kind, data in got:
        if not kind.startswith("transaction."):
            continue
        assert data["id"] not in stopped, (kind, data)
        if kind == "transaction.stopped":
            stopped.add(data["id"])
    assert len(stopped) == ROUNDS


async def test_a_replaced_connection_handles_nothing_after_the_new_one(
        server: Any, api: httpx.AsyncClient) -> None:
    """A station whose link broke reconnects and ends the transaction; frames still queued on
    the old socket must not be handled after (and against) what the new one committed."""
    await register(api, "ORD2")
    cm, lines = await open_stream(api)
    try:
        events = sse_events(lines)
        async with raw_station(server, "ORD2", "ocpp2.0.1") as old:
            await old.ok("BootNotification", BOOT_201)
            await old.ok("TransactionEvent", _tx_event("Started", "tx-r", 0, 0))
            for seq in range(1, 61):
                await old.send([2, f"u{seq}", "TransactionEvent",
                                _tx_event("Updated", "tx-r", seq, 100 + seq)])
            assert (await old.recv())[1] == "u1"  # the old session is busy with its frames
            replies: list[Any] = []
            drain = asyncio.create_task(_read_all(old, replies))  # the client keeps reading
            try:
                async with raw_station(server, "ORD2", "ocpp2.0.1") as new:
                    await new.send([2, "end", "TransactionEvent",
                                    _tx_event("Ended", "tx-r", 1000, 5000)])
                    assert (await new.recv(timeout=30))[:2] == [3, "end"]
            finally:
                drain.cancel()
                await asyncio.gather(drain, return_exceptions=True)
        got: list[tuple[str, dict[str, Any]]] = []

        async def collect() -> None:
            async for kind, data in events:
                got.append((kind, data))
                if kind == "station.disconnected":
                    return

        await asyncio.wait_for(collect(), 20)
    finally:
        await cm.__aexit__(None, None, None)
    kinds = [k for k, d in got if k.startswith("transaction.") and d["id"] == "tx-r"]
    assert "transaction.stopped" in kinds
    assert kinds.index("transaction.stopped") == len(kinds) - 1, kinds[-5:]
    r = await api.get("/transactions/tx-r")
    assert r.json()["energy_wh"] == 5000, r.json()
