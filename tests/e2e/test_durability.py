"""Durability: replies confirm only committed data; restarts and drops lose nothing."""

from __future__ import annotations

import sqlite3
from typing import Any

import httpx

from tests.conftest import ServerFactory, api_client
from tests.helpers import BOOT_16, BOOT_201, raw_station


def mv16(tx_id: int, ts: str, wh: float) -> dict[str, Any]:
    return {"connectorId": 1, "transactionId": tx_id,
            "meterValue": [{"timestamp": ts, "sampledValue": [
                {"value": str(wh), "measurand": "Energy.Active.Import.Register", "unit": "Wh"}]}]}


def ev201(kind: str, seq: int, ts: str, kwh: float, **extra: Any) -> dict[str, Any]:
    payload = {"eventType": kind, "timestamp": ts, "seqNo": seq,
               "triggerReason": {"Started": "Authorized", "Updated": "MeterValuePeriodic",
                                 "Ended": "EVDeparted"}[kind],
               "transactionInfo": {"transactionId": "tx-durable"},
               "meterValue": [{"timestamp": ts, "sampledValue": [
                   {"value": kwh, "unitOfMeasure": {"unit": "kWh"}}]}]}
    payload.update(extra)
    return payload


async def register(server: Any, *ids: str) -> None:
    async with api_client(server) as api:
        for station_id in ids:
            assert (await api.post("/stations", json={"id": station_id})).status_code == 201


def committed_rows(database_url: str, sql: str) -> list[tuple[Any, ...]]:
    """Read through an independent connection: only committed data is visible."""
    path = database_url.split("///", 1)[1]
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


async def test_reply_is_sent_only_after_commit(
    server_factory: ServerFactory, database_url: str
) -> None:
    server = await server_factory()
    await register(server, "DUR1")
    async with raw_station(server, "DUR1") as st:
        await st.ok("BootNotification", BOOT_16)
        reply = await st.ok("StartTransaction", {"connectorId": 1, "idTag": "X", "meterStart": 0,
                                                 "timestamp": "2026-11-27T10:00:00Z"})
        rows = committed_rows(database_url, "SELECT transaction_id FROM transactions")
        assert rows == [(str(reply["transactionId"]),)]
        await st.ok("MeterValues", mv16(reply["transactionId"], "2026-11-27T10:05:00Z", 750))
        rows = committed_rows(database_url, "SELECT s.value ->> 3 FROM meter_readings, "
                                             "json_each(meter_readings.samples) s")
        assert rows == [(750.0,)]


async def test_server_restart_mid_transaction_loses_nothing(server_factory: ServerFactory) -> None:
    first = await server_factory()
    await register(first, "R16", "R201")
    async with raw_station(first, "R16") as st16, raw_station(first, "R201", "ocpp2.0.1") as st2:
        await st16.ok("BootNotification", BOOT_16)
        tx = (await st16.ok("StartTransaction", {
            "connectorId": 1, "idTag": "X", "meterStart": 1000,
            "timestamp": "2026-11-27T10:00:00Z"}))["transactionId"]
        await st16.ok("MeterValues", mv16(tx, "2026-11-27T10:10:00Z", 2000))
        await st2.ok("BootNotification", BOOT_201)
        await st2.ok("TransactionEvent", ev201(
            "Started", 0, "2026-11-27T10:00:00Z", 10.0, evse={"id": 1, "connectorId": 1}))
        await st2.ok("TransactionEvent", ev201("Updated", 1, "2026-11-27T10:10:00Z", 11.0))
    await first.stop()

    second = await server_factory(database_url=first.settings.database_url)
    async with raw_station(second, "R16") as st16, raw_station(second, "R201", "ocpp2.0.1") as st2:
        await st16.ok("MeterValues", mv16(tx, "2026-11-27T10:20:00Z", 3000))
        await st16.ok("StopTransaction", {"transactionId": tx, "meterStop": 3500,
                                          "timestamp": "2026-11-27T10:30:00Z", "reason": "Local"})
        await st2.ok("TransactionEvent", ev201("Ended", 2, "2026-11-27T10:30:00Z", 12.5,
                                               transactionInfo={"transactionId": "tx-durable",
                                                                "stoppedReason": "Local"}))
    async with api_client(second) as api:
        t16 = (await api.get(f"/transactions/{tx}")).json()
        t2 = (await api.get("/transactions/tx-durable")).json()
        samples = (await api.get(f"/transactions/{tx}/meter-values")).json()
    assert (t16["energy_wh"], t16["stopped_at"] is not None) == (2500.0, True)
    assert [s["si_value"] for s in samples] == [2000.0, 3000.0]
    assert (t2["energy_wh"], t2["stop_reason"]) == (2500.0, "Local")


async def test_station_drops_mid_transaction_and_replays_offline_events(
    server_factory: ServerFactory,
) -> None:
    server = await server_factory()
    await register(server, "DROP")
    async with raw_station(server, "DROP", "ocpp2.0.1") as st:
        await st.ok("BootNotification", BOOT_201)
        await st.ok("TransactionEvent", ev201(
            "Started", 0, "2026-11-27T09:00:00Z", 1.0, evse={"id": 1, "connectorId": 1}))
    async with api_client(server) as api:
        assert (await api.get("/stations/DROP")).json()["connected"] is False
        assert (await api.get("/transactions/tx-durable")).json()["active"] is True
    async with raw_station(server, "DROP", "ocpp2.0.1") as st:
        # The queued events come back, marked offline, and in a scrambled order.
        await st.ok("TransactionEvent", ev201("Updated", 2, "2026-11-27T09:40:00Z", 4.0,
                                              offline=True))
        await st.ok("TransactionEvent", ev201("Updated", 1, "2026-11-27T09:20:00Z", 2.5,
                                              offline=True))
        await st.ok("TransactionEvent", ev201("Ended", 3, "2026-11-27T10:00:00Z", 5.0,
                                              offline=True))
    async with api_client(server) as api:
        t = (await api.get("/transactions/tx-durable")).json()
    assert (t["energy_wh"], t["offline"], t["active"]) == (4000.0, True, False)


async def test_transaction_flow_on_postgresql(
    server_factory: ServerFactory, postgres_url: str
) -> None:
    server = await server_factory(database_url=postgres_url)
    await register(server, "PG1")
    async with raw_station(server, "PG1") as st:
        await st.ok("BootNotification", BOOT_16)
        tx = (await st.ok("StartTransaction", {
            "connectorId": 2, "idTag": "PGTAG", "meterStart": 100,
            "timestamp": "2026-11-27T10:00:00Z"}))["transactionId"]
        await st.ok("MeterValues", mv16(tx, "2026-11-27T10:10:00Z", 900))
        await st.ok("StopTransaction", {"transactionId": tx, "meterStop": 1600,
                                        "timestamp": "2026-11-27T10:30:00Z"})
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.api_port}/api/v1",
                                 headers={"Authorization": "Bearer test-admin-token"}) as api:
        t = (await api.get(f"/transactions/{tx}")).json()
        listed = (await api.get("/transactions", params={"station_id": "PG1"})).json()
    assert (t["energy_wh"], t["evse_id"], t["id_token"]) == (1500.0, 2, "PGTAG")
    assert [x["id"] for x in listed] == [str(tx)]
