"""GET /events: Server-Sent Events of what happens to stations and transactions."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx

from tests.api.support import assert_detail, now_iso, register
from tests.conftest import ServerFactory, api_client
from tests.helpers import BOOT_16, BOOT_201, raw_station


async def sse_events(lines: AsyncIterator[str]) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    """(event type, data) per SSE message; comments (keepalives) are skipped."""
    kind, data = None, None
    async for line in lines:
        if line.startswith("event: "):
            kind = line[len("event: "):]
        elif line.startswith("data: "):
            data = json.loads(line[len("data: "):])
        elif line == "" and kind is not None:
            yield kind, data or {}
            kind, data = None, None


async def collect_until(events: AsyncIterator[tuple[str, dict[str, Any]]], last: str,
                        timeout: float = 5.0) -> list[tuple[str, dict[str, Any]]]:
    got: list[tuple[str, dict[str, Any]]] = []

    async def run() -> None:
        async for kind, data in events:
            got.append((kind, data))
            if kind == last:
                return

    await asyncio.wait_for(run(), timeout)
    return got


async def open_stream(api: httpx.AsyncClient, **params: str) -> tuple[Any, AsyncIterator[str]]:
    cm = api.stream("GET", "/events", params=params, timeout=httpx.Timeout(10, read=10))
    r = await cm.__aenter__()
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/event-stream")
    lines = r.aiter_lines()
    first = await asyncio.wait_for(anext(lines), 5)
    assert first.startswith(":"), first  # subscribed
    return cm, lines


async def test_stream_shows_connect_boot_status_and_a_transaction(server: Any,
                                                                  api: httpx.AsyncClient) -> None:
    await register(api, "EV1")
    cm, lines = await open_stream(api)
    try:
        events = sse_events(lines)
        async with raw_station(server, "EV1") as st:
            await st.ok("BootNotification", BOOT_16)
            await st.ok("StatusNotification", {"connectorId": 1, "errorCode": "NoError",
                                               "status": "Preparing"})
            tx = await st.ok("StartTransaction", {"connectorId": 1, "idTag": "T", "meterStart": 10,
                                                  "timestamp": now_iso()})
            await st.ok("MeterValues", {"connectorId": 1, "transactionId": tx["transactionId"],
                                        "meterValue": [{"timestamp": now_iso(), "sampledValue": [
                                            {"value": "510", "unit": "Wh",
                                             "measurand": "Energy.Active.Import.Register"}]}]})
            await st.ok("StopTransaction", {"transactionId": tx["transactionId"],
                                            "meterStop": 1010, "timestamp": now_iso()})
        got = await collect_until(events, "station.disconnected")
    finally:
        await cm.__aexit__(None, None, None)
    kinds = [k for k, _ in got]
    for expected in ("station.connected", "station.booted", "status.changed",
                     "transaction.started", "transaction.updated", "transaction.stopped",
                     "station.disconnected"):
        assert expected in kinds, kinds
    assert kinds.index("station.connected") < kinds.index("transaction.started") < kinds.index(
        "transaction.stopped")
    data = dict(got)
    assert data["station.connected"]["station_id"] == "EV1"
    assert data["station.connected"]["protocol"] == "1.6"
    assert data["status.changed"]["status"] == "Preparing"
    assert data["transaction.started"]["id"] == str(tx["transactionId"])
    assert data["transaction.updated"]["energy_wh"] == 500
    assert data["transaction.stopped"]["energy_wh"] == 1000


async def test_station_filter(server: Any, api: httpx.AsyncClient) -> None:
    await register(api, "EVA")
    await register(api, "EVB")
    cm, lines = await open_stream(api, station_id="EVB")
    try:
        events = sse_events(lines)
        async with raw_station(server, "EVA") as a:
            await a.ok("BootNotification", BOOT_16)
        async with raw_station(server, "EVB", "ocpp2.0.1") as b:
            await b.ok("BootNotification", BOOT_201)
            await b.ok("TransactionEvent", {
                "eventType": "Started", "timestamp": now_iso(), "seqNo": 0,
                "triggerReason": "CablePluggedIn", "transactionInfo": {"transactionId": "sse-1"},
                "evse": {"id": 1, "connectorId": 1}})
            got = await collect_until(events, "transaction.started")
    finally:
        await cm.__aexit__(None, None, None)
    assert {d["station_id"] for _, d in got} == {"EVB"}
    assert ("station.connected", {"station_id": "EVB", "protocol": "2.0.1",
                                  "site_id": None}) in got
    assert got[-1][1]["id"] == "sse-1"


async def test_two_subscribers_both_see_an_event(server: Any, api: httpx.AsyncClient) -> None:
    await register(api, "EV2")
    async with api_client(server) as other:
        cm1, lines1 = await open_stream(api)
        cm2, lines2 = await open_stream(other)
        try:
            async with raw_station(server, "EV2") as st:
                await st.ok("Heartbeat", {})
                got1 = await collect_until(sse_events(lines1), "station.connected")
                got2 = await collect_until(sse_events(lines2), "station.connected")
        finally:
            await cm1.__aexit__(None, None, None)
            await cm2.__aexit__(None, None, None)
    assert got1[-1] == got2[-1] == ("station.connected", {"station_id": "EV2",
                                                          "protocol": "1.6", "site_id": None})


async def test_events_need_the_token(server: Any) -> None:
    async with api_client(server, token=None) as anonymous:
        assert_detail(await anonymous.get("/events"), 401)
    async with api_client(server, token="wrong") as wrong:
        assert_detail(await wrong.get("/events"), 401)


async def test_open_stream_does_not_hold_the_shutdown(server_factory: ServerFactory) -> None:
    server = await server_factory()
    async with api_client(server) as api:
        cm, lines = await open_stream(api)
        try:
            await asyncio.wait_for(server.stop(), 5)
            rest = [line async for line in lines]  # the stream ended
            assert all(not line or line.startswith(":") for line in rest), rest
        finally:
            await cm.__aexit__(None, None, None)
