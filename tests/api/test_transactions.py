"""Transactions made by raw 1.6 and 2.0.1 stations, as the API shows them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.api.support import assert_detail, register
from tests.helpers import BOOT_16, BOOT_201, RawStation, raw_station

T0 = datetime(2026, 6, 21, 8, 0, tzinfo=UTC)


def at(minutes: float) -> str:
    return (T0 + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def register_value(minutes: float, wh: float) -> dict[str, Any]:
    return {"timestamp": at(minutes), "sampledValue": [
        {"value": str(wh), "measurand": "Energy.Active.Import.Register", "unit": "Wh",
         "context": "Sample.Periodic"},
        {"value": "7200", "measurand": "Power.Active.Import", "unit": "W"},
    ]}


async def tx16(st: RawStation, connector: int, tag: str, start_wh: int, stop_wh: int | None,
               minute: float = 0) -> str:
    reply = await st.ok("StartTransaction", {"connectorId": connector, "idTag": tag,
                                             "meterStart": start_wh, "timestamp": at(minute)})
    tx_id = reply["transactionId"]
    assert isinstance(tx_id, int)
    await st.ok("MeterValues", {"connectorId": connector, "transactionId": tx_id,
                                "meterValue": [register_value(minute + 5, start_wh + 1000)]})
    if stop_wh is not None:
        await st.ok("StopTransaction", {"transactionId": tx_id, "meterStop": stop_wh,
                                        "timestamp": at(minute + 30), "reason": "EVDisconnected"})
    return str(tx_id)


def tx_event(kind: str, tx_id: str, seq: int, minute: float, wh: float | None,
             **extra: Any) -> dict[str, Any]:
    p: dict[str, Any] = {"eventType": kind, "timestamp": at(minute), "seqNo": seq,
                         "triggerReason": {"Started": "Authorized", "Updated": "MeterValuePeriodic",
                                           "Ended": "EVCommunicationLost"}[kind],
                         "transactionInfo": {"transactionId": tx_id}}
    if wh is not None:
        p["meterValue"] = [{"timestamp": at(minute), "sampledValue": [
            {"value": wh / 1000, "measurand": "Energy.Active.Import.Register",
             "unitOfMeasure": {"unit": "kWh"}}]}]
    if kind == "Ended":
        p["transactionInfo"]["stoppedReason"] = "EVDisconnected"
    return p | extra


async def test_16_transaction_lifecycle(server: Any, api: httpx.AsyncClient) -> None:
    await register(api, "TX16")
    await api.post("/id-tokens", json={"id_token": "TAG16"})
    async with raw_station(server, "TX16") as st:
        await st.ok("BootNotification", BOOT_16)
        tx_id = await tx16(st, 2, "TAG16", 1000, None)
        active = (await api.get("/transactions", params={"active": "true"})).json()
        assert [t["id"] for t in active] == [tx_id]
        tx = active[0]
        assert tx["id"] == tx_id and isinstance(tx["id"], str)
        assert (tx["station_id"], tx["evse_id"], tx["connector_id"]) == ("TX16", 2, 1)
        assert tx["id_token"] == "TAG16"
        assert tx["stopped_at"] is None and tx["meter_stop_wh"] is None
        assert tx["meter_start_wh"] == 1000
        assert tx["energy_wh"] == 1000  # from the MeterValues register
        assert tx["active"] is True
        await st.ok("StopTransaction", {"transactionId": int(tx_id), "meterStop": 5500,
                                        "timestamp": at(30), "reason": "EVDisconnected"})
    tx = (await api.get(f"/transactions/{tx_id}")).json()
    assert tx["meter_stop_wh"] == 5500
    assert tx["energy_wh"] == 4500
    assert tx["stop_reason"] == "EVDisconnected"
    assert datetime.fromisoformat(tx["started_at"].replace("Z", "+00:00")) == T0
    assert datetime.fromisoformat(tx["stopped_at"].replace("Z", "+00:00")) == T0 + timedelta(
        minutes=30)
    assert tx["active"] is False
    assert {"id", "station_id", "evse_id", "connector_id", "id_token", "started_at",
            "stopped_at", "meter_start_wh", "meter_stop_wh", "energy_wh", "green_energy_wh",
            "stop_reason"} <= tx.keys()
    assert (await api.get("/transactions", params={"active": "true"})).json() == []
    assert [t["id"] for t in (await api.get("/transactions",
                                            params={"active": "false"})).json()] == [tx_id]

    samples = (await api.get(f"/transactions/{tx_id}/meter-values")).json()
    energy = [s for s in samples if s["measurand"] == "Energy.Active.Import.Register"]
    assert [s["value"] for s in energy] == [2000]
    assert energy[0]["unit"] == "Wh"
    assert energy[0]["context"] == "Sample.Periodic"
    power = [s for s in samples if s["measurand"] == "Power.Active.Import"]
    assert [s["value"] for s in power] == [7200]


async def test_201_transaction_lifecycle(server: Any, api: httpx.AsyncClient) -> None:
    await register(api, "TX201")
    async with raw_station(server, "TX201", "ocpp2.0.1") as st:
        await st.ok("BootNotification", BOOT_201)
        await st.ok("TransactionEvent", tx_event(
            "Started", "abc-123", 0, 0, 2000, evse={"id": 1, "connectorId": 1},
            idToken={"idToken": "TAG201", "type": "ISO14443"}))
        await st.ok("TransactionEvent", tx_event("Updated", "abc-123", 1, 10, 3000))
        tx = (await api.get("/transactions/abc-123")).json()
        assert tx["id"] == "abc-123"
        assert tx["active"] is True
        assert tx["energy_wh"] == 1000
        await st.ok("TransactionEvent", tx_event("Ended", "abc-123", 2, 40, 7250))
    tx = (await api.get("/transactions/abc-123")).json()
    assert (tx["station_id"], tx["evse_id"], tx["connector_id"]) == ("TX201", 1, 1)
    assert tx["id_token"] == "TAG201"
    assert tx["energy_wh"] == 5250
    assert tx["stop_reason"] == "EVDisconnected"
    assert tx["active"] is False
    samples = (await api.get("/transactions/abc-123/meter-values")).json()
    assert sorted(s["si_value"] for s in samples) == [2000, 3000, 7250]
    assert {s["unit"] for s in samples} == {"kWh"}


async def test_201_numeric_looking_id_stays_a_string(server: Any, api: httpx.AsyncClient) -> None:
    await register(api, "TXNUM")
    async with raw_station(server, "TXNUM", "ocpp2.0.1") as st:
        await st.ok("TransactionEvent", tx_event("Started", "00042", 0, 0, 10,
                                                 evse={"id": 1, "connectorId": 1}))
        await st.ok("TransactionEvent", tx_event("Started", "site/7:tx 1", 0, 0, 10,
                                                 evse={"id": 2, "connectorId": 1}))
    tx = (await api.get("/transactions/00042")).json()
    assert tx["id"] == "00042"
    # 2.0.1 ids are free text: one with '/' is still addressable
    tx = (await api.get("/transactions/site%2F7%3Atx%201")).json()
    assert (tx["id"], tx["evse_id"]) == ("site/7:tx 1", 2)
    assert (await api.get("/transactions/site/7:tx 1")).json()["id"] == "site/7:tx 1"
    samples = (await api.get("/transactions/site/7:tx 1/meter-values")).json()
    assert [s["si_value"] for s in samples] == [10]


async def test_filters_and_pagination(server: Any, api: httpx.AsyncClient) -> None:
    await register(api, "FA")
    await register(api, "FB")
    async with raw_station(server, "FA") as a, raw_station(server, "FB", "ocpp2.0.1") as b:
        done_a = [await tx16(a, 1, "X", 100 * i, 100 * i + 50, minute=i * 60) for i in range(3)]
        open_a = await tx16(a, 2, "X", 0, None, minute=200)
        await b.ok("TransactionEvent", tx_event("Started", "b-1", 0, 0, 0,
                                                evse={"id": 1, "connectorId": 1}))
    everything = (await api.get("/transactions")).json()
    assert {t["id"] for t in everything} == {*done_a, open_a, "b-1"}
    fa = (await api.get("/transactions", params={"station_id": "FA"})).json()
    assert {t["id"] for t in fa} == {*done_a, open_a}
    assert {t["station_id"] for t in fa} == {"FA"}
    fa_active = (await api.get("/transactions", params={"station_id": "FA",
                                                        "active": "true"})).json()
    assert [t["id"] for t in fa_active] == [open_a]
    fa_done = (await api.get("/transactions", params={"station_id": "FA",
                                                      "active": "false"})).json()
    assert {t["id"] for t in fa_done} == set(done_a)
    assert all(t["energy_wh"] == 50 for t in fa_done)
    all_active = (await api.get("/transactions", params={"active": "true"})).json()
    assert {t["id"] for t in all_active} == {open_a, "b-1"}
    assert (await api.get("/transactions", params={"station_id": "nobody"})).json() == []

    pages: list[str] = []
    for offset in range(0, 6, 2):
        page = (await api.get("/transactions", params={"limit": 2, "offset": offset})).json()
        assert len(page) <= 2
        pages.extend(t["id"] for t in page)
    assert sorted(pages) == sorted(t["id"] for t in everything)
    assert len(set(pages)) == 5
    assert (await api.get("/transactions", params={"limit": 2, "offset": 100})).json() == []


async def test_unknown_transaction_is_404(api: httpx.AsyncClient) -> None:
    assert "nope" in assert_detail(await api.get("/transactions/nope"), 404)
    assert_detail(await api.get("/transactions/nope/meter-values"), 404)


async def test_same_id_on_two_stations_is_told_apart_by_station_id(
    server: Any, api: httpx.AsyncClient
) -> None:
    """2.0.1 ids are unique per station only; `?station_id=` picks the right one."""
    for sid in ("SAME-A", "SAME-B"):
        assert (await api.post("/stations", json={"id": sid})).status_code == 201
    for sid, kwh in (("SAME-A", 2.0), ("SAME-B", 5.0)):
        async with raw_station(server, sid, "ocpp2.0.1") as st:
            await st.ok("BootNotification", BOOT_201)
            for kind, seq, value in (("Started", 0, 0.0), ("Ended", 1, kwh)):
                await st.ok("TransactionEvent", {
                    "eventType": kind, "timestamp": f"2026-11-27T1{seq}:00:00Z", "seqNo": seq,
                    "triggerReason": "Authorized" if seq == 0 else "EVDeparted",
                    "transactionInfo": {"transactionId": "shared-1"},
                    "evse": {"id": 1, "connectorId": 1},
                    "meterValue": [{"timestamp": f"2026-11-27T1{seq}:00:00Z",
                                    "sampledValue": [{"value": value,
                                                      "unitOfMeasure": {"unit": "kWh"}}]}]})
    a = (await api.get("/transactions/shared-1", params={"station_id": "SAME-A"})).json()
    b = (await api.get("/transactions/shared-1", params={"station_id": "SAME-B"})).json()
    assert (a["station_id"], a["energy_wh"]) == ("SAME-A", 2000.0)
    assert (b["station_id"], b["energy_wh"]) == ("SAME-B", 5000.0)
    missing = await api.get("/transactions/shared-1", params={"station_id": "NOPE"})
    assert missing.status_code == 404
