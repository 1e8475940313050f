"""Transactions at the edge: retries, unknown and offline transactions, late and out-of-order
meter values, kWh units, meters that restart at 0 -- energy_wh must stay right."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from csms.app import CsmsServer
from tests.helpers import RawStation, raw_station
from tests.ocpp.support import TOKEN_BLOCKED, TOKEN_OK, boot, register, tx_list

pytestmark = pytest.mark.asyncio(loop_scope="module")

T0 = "2025-03-14T09:00:00Z"


def at(minutes: int) -> str:
    return f"2025-03-14T{9 + minutes // 60:02d}:{minutes % 60:02d}:00Z"


def mv16(minutes: int, value: str, unit: str = "Wh", **extra: Any) -> dict[str, Any]:
    return {"timestamp": at(minutes), "sampledValue": [
        {"value": value, "measurand": "Energy.Active.Import.Register", "unit": unit, **extra}]}


def mv201(minutes: int, value: float, unit: str | None = None) -> dict[str, Any]:
    sv: dict[str, Any] = {"value": value, "measurand": "Energy.Active.Import.Register"}
    if unit:
        sv["unitOfMeasure"] = {"unit": unit}
    return {"timestamp": at(minutes), "sampledValue": [sv]}


def tx_event(kind: str, tx_id: str, seq: int, minutes: int, *values: dict[str, Any],
             **extra: Any) -> dict[str, Any]:
    p: dict[str, Any] = {
        "eventType": kind, "timestamp": at(minutes), "seqNo": seq,
        "triggerReason": {"Started": "CablePluggedIn", "Updated": "MeterValuePeriodic",
                          "Ended": "EVDeparted"}[kind],
        "transactionInfo": {"transactionId": tx_id}, **extra,
    }
    if kind == "Started":
        p.setdefault("evse", {"id": 1, "connectorId": 1})
    if values:
        p["meterValue"] = list(values)
    return p


async def one_tx(api: httpx.AsyncClient, tx_id: str) -> dict[str, Any]:
    r = await api.get(f"/transactions/{tx_id}")
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


async def start16(st: RawStation, minutes: int, meter: int, connector: int = 1) -> int:
    reply = await st.ok("StartTransaction", {
        "connectorId": connector, "idTag": TOKEN_OK, "meterStart": meter,
        "timestamp": at(minutes)})
    return int(reply["transactionId"])


async def test_16_start_retried_after_lost_reply_gets_the_same_id(
    shared_server: CsmsServer, shared_api: httpx.AsyncClient, station_id: str
) -> None:
    await register(shared_api, station_id)
    async with raw_station(shared_server, station_id) as st:
        await boot(st, "ocpp1.6")
        first = await start16(st, 0, 1000)
        again = await start16(st, 0, 1000)
        assert again == first
        assert len(await tx_list(shared_api, station_id)) == 1
        # a different start on the other connector at the same second is another transaction
        other = await start16(st, 0, 1000, connector=2)
        assert other != first
        assert len(await tx_list(shared_api, station_id)) == 2


async def test_16_stop_for_unknown_transaction_is_accepted_and_its_energy_kept(
    shared_server: CsmsServer, shared_api: httpx.AsyncClient, station_id: str
) -> None:
    await register(shared_api, station_id)
    async with raw_station(shared_server, station_id) as st:
        await boot(st, "ocpp1.6")
        reply = await st.ok("StopTransaction", {
            "transactionId": 987654, "idTag": TOKEN_OK, "meterStop": 15000, "timestamp": at(60),
            "reason": "Local",
            "transactionData": [mv16(0, "10000", context="Transaction.Begin"),
                                mv16(60, "15000", context="Transaction.End")]})
        assert reply["idTagInfo"]["status"] == "Accepted"
        tx = await one_tx(shared_api, "987654")
        assert tx["station_id"] == station_id
        assert (tx["energy_wh"], tx["meter_stop_wh"]) == (5000, 15000)
        assert tx["stopped_at"] is not None and tx["stop_reason"] == "Local"
        # the station retries the stop (lost reply): same answer, nothing doubled
        await st.ok("StopTransaction", {
            "transactionId": 987654, "meterStop": 15000, "timestamp": at(60)})
        assert (await one_tx(shared_api, "987654"))["energy_wh"] == 5000


async def test_16_stop_without_idtag_or_data_for_unknown_transaction(
    shared_server: CsmsServer, shared_api: httpx.AsyncClient, station_id: str
) -> None:
    await register(shared_api, station_id)
    async with raw_station(shared_server, station_id) as st:
        await boot(st, "ocpp1.6")
        reply = await st.ok("StopTransaction", {
            "transactionId": 55555, "meterStop": 4000, "timestamp": at(30)})
        assert reply == {}
        tx = await one_tx(shared_api, "55555")
        assert tx["meter_stop_wh"] == 4000 and tx["stopped_at"] is not None


async def test_16_late_and_out_of_order_meter_values(
    shared_server: CsmsServer, shared_api: httpx.AsyncClient, station_id: str
) -> None:
    await register(shared_api, station_id)
    async with raw_station(shared_server, station_id) as st:
        await boot(st, "ocpp1.6")
        tx = await start16(st, 0, 1000)
        mv = {"connectorId": 1, "transactionId": tx}
        await st.ok("MeterValues", {**mv, "meterValue": [mv16(30, "4000")]})
        assert (await one_tx(shared_api, str(tx)))["energy_wh"] == 3000
        await st.ok("MeterValues", {**mv, "meterValue": [mv16(10, "2000")]})  # late
        assert (await one_tx(shared_api, str(tx)))["energy_wh"] == 3000
        await st.ok("StopTransaction", {"transactionId": tx, "meterStop": 5000,
                                        "timestamp": at(60)})
        await st.ok("MeterValues", {**mv, "meterValue": [mv16(20, "2500")]})  # after the stop
        stopped = await one_tx(shared_api, str(tx))
        assert (stopped["energy_wh"], stopped["meter_start_wh"], stopped["meter_stop_wh"]) == (
            4000, 1000, 5000)


async def test_16_meter_values_without_transaction_id_go_to_the_running_transaction(
    shared_server: CsmsServer, shared_api: httpx.AsyncClient, station_id: str
) -> None:
    await register(shared_api, station_id)
    async with raw_station(shared_server, station_id) as st:
        await boot(st, "ocpp1.6")
        tx1 = await start16(st, 0, 1000, connector=1)
        tx2 = await start16(st, 0, 7000, connector=2)
        await st.ok("MeterValues", {"connectorId": 2, "meterValue": [mv16(15, "7500")]})
        await st.ok("MeterValues", {"connectorId": 1, "meterValue": [mv16(15, "1200")]})
        assert (await one_tx(shared_api, str(tx1)))["energy_wh"] == 200
        assert (await one_tx(shared_api, str(tx2)))["energy_wh"] == 500


async def test_16_kwh_registers(
    shared_server: CsmsServer, shared_api: httpx.AsyncClient, station_id: str
) -> None:
    await register(shared_api, station_id)
    async with raw_station(shared_server, station_id) as st:
        await boot(st, "ocpp1.6")
        tx = await start16(st, 0, 1_000_000)
        await st.ok("MeterValues", {"connectorId": 1, "transactionId": tx,
                                    "meterValue": [mv16(30, "1001.5", "kWh")]})
        assert (await one_tx(shared_api, str(tx)))["energy_wh"] == 1500
        await st.ok("StopTransaction", {
            "transactionId": tx, "meterStop": 1_002_250, "timestamp": at(60),
            "transactionData": [mv16(60, "1002.25", "kWh")]})
        assert (await one_tx(shared_api, str(tx)))["energy_wh"] == 2250


async def test_16_meter_restarting_at_zero_each_transaction(
    shared_server: CsmsServer, shared_api: httpx.AsyncClient, station_id: str
) -> None:
    await register(shared_api, station_id)
    async with raw_station(shared_server, station_id) as st:
        await boot(st, "ocpp1.6")
        tx1 = await start16(st, 0, 0)
        await st.ok("MeterValues", {"connectorId": 1, "transactionId": tx1,
                                    "meterValue": [mv16(20, "3000")]})
        await st.ok("StopTransaction", {"transactionId": tx1, "meterStop": 5000,
                                        "timestamp": at(40)})
        tx2 = await start16(st, 45, 0)
        assert tx2 != tx1
        await st.ok("MeterValues", {"connectorId": 1, "transactionId": tx2,
                                    "meterValue": [mv16(50, "2500")]})
        assert (await one_tx(shared_api, str(tx2)))["energy_wh"] == 2500
        await st.ok("StopTransaction", {"transactionId": tx2, "meterStop": 3000,
                                        "timestamp": at(60)})
        assert (await one_tx(shared_api, str(tx1)))["energy_wh"] == 5000
        assert (await one_tx(shared_api, str(tx2)))["energy_wh"] == 3000


async def test_201_updated_and_ended_for_a_transaction_never_started(
    shared_server: CsmsServer, shared_api: httpx.AsyncClient, station_id: str
) -> None:
    await register(shared_api, station_id)
    tx_id = f"{station_id}-lost-start"
    async with raw_station(shared_server, station_id, "ocpp2.0.1") as st:
        await boot(st, "ocpp2.0.1")
        await st.ok("TransactionEvent", tx_event(
            "Updated", tx_id, 3, 10, mv201(10, 2000), evse={"id": 2, "connectorId": 1}))
        tx = await one_tx(shared_api, tx_id)
        assert tx["stopped_at"] is None and tx["evse_id"] == 2
        await st.ok("TransactionEvent", tx_event(
            "Updated", tx_id, 4, 20, mv201(20, 3500)))
        assert (await one_tx(shared_api, tx_id))["energy_wh"] == 1500
        reply = await st.ok("TransactionEvent", tx_event(
            "Ended", tx_id, 5, 30, mv201(30, 4000), idToken={"idToken": TOKEN_OK,
                                                            "type": "ISO14443"},
            transactionInfo={"transactionId": tx_id, "stoppedReason": "Local"}))
        assert reply["idTokenInfo"]["status"] == "Accepted"
        tx = await one_tx(shared_api, tx_id)
        assert (tx["energy_wh"], tx["stop_reason"]) == (2000, "Local")
        assert tx["stopped_at"] is not None
        # an Ended for a transaction that was never seen at all
        other = f"{station_id}-only-ended"
        await st.ok("TransactionEvent", tx_event(
            "Ended", other, 9, 40, mv201(0, 100), mv201(40, 900),
            transactionInfo={"transactionId": other, "stoppedReason": "EVDisconnected"},
            evse={"id": 1, "connectorId": 1}))
        tx = await one_tx(shared_api, other)
        assert tx["energy_wh"] == 800 and tx["stopped_at"] is not None


async def test_201_out_of_order_and_late_events(
    shared_server: CsmsServer, shared_api: httpx.AsyncClient, station_id: str
) -> None:
    await register(shared_api, station_id)
    tx_id = f"{station_id}-ooo"
    async with raw_station(shared_server, station_id, "ocpp2.0.1") as st:
        await boot(st, "ocpp2.0.1")
        await st.ok("TransactionEvent", tx_event("Started", tx_id, 0, 0, mv201(0, 1000)))
        await st.ok("TransactionEvent", tx_event("Updated", tx_id, 2, 30, mv201(30, 4000)))
        await st.ok("TransactionEvent", tx_event("Updated", tx_id, 1, 10, mv201(10, 2000)))
        assert (await one_tx(shared_api, tx_id))["energy_wh"] == 3000
        ended = tx_event("Ended", tx_id, 4, 60, mv201(60, 5000),
                         transactionInfo={"transactionId": tx_id, "stoppedReason": "Local"})
        await st.ok("TransactionEvent", ended)
        await st.ok("TransactionEvent", tx_event("Updated", tx_id, 3, 45, mv201(45, 4500)))
        await st.ok("TransactionEvent", ended)  # retried after a lost reply
        tx = await one_tx(shared_api, tx_id)
        assert tx["energy_wh"] == 4000 and tx["stopped_at"] is not None


async def test_201_started_arriving_after_updated(
    shared_server: CsmsServer, shared_api: httpx.AsyncClient, station_id: str
) -> None:
    """Offline queue replayed out of order: the Started comes last, with the first register."""
    await register(shared_api, station_id)
    tx_id = f"{station_id}-late-start"
    async with raw_station(shared_server, station_id, "ocpp2.0.1") as st:
        await boot(st, "ocpp2.0.1")
        await st.ok("TransactionEvent", tx_event("Updated", tx_id, 1, 20, mv201(20, 3000),
                                                 offline=True))
        await st.ok("TransactionEvent", tx_event(
            "Started", tx_id, 0, 0, mv201(0, 1000), offline=True,
            idToken={"idToken": TOKEN_OK, "type": "ISO14443"}))
        txs = [t for t in await tx_list(shared_api, station_id) if t["id"] == tx_id]
        assert len(txs) == 1
        assert txs[0]["energy_wh"] == 2000 and txs[0]["id_token"] == TOKEN_OK


async def test_201_kwh_and_multiplier(
    shared_server: CsmsServer, shared_api: httpx.AsyncClient, station_id: str
) -> None:
    await register(shared_api, station_id)
    tx_id = f"{station_id}-kwh"
    async with raw_station(shared_server, station_id, "ocpp2.0.1") as st:
        await boot(st, "ocpp2.0.1")
        await st.ok("TransactionEvent", tx_event("Started", tx_id, 0, 0, mv201(0, 1000.0, "kWh")))
        await st.ok("TransactionEvent", tx_event("Updated", tx_id, 1, 30,
                                                 mv201(30, 1002.25, "kWh")))
        assert (await one_tx(shared_api, tx_id))["energy_wh"] == 2250
        sv = {"value": 1.0035, "measurand": "Energy.Active.Import.Register",
              "unitOfMeasure": {"unit": "Wh", "multiplier": 6}}
        await st.ok("TransactionEvent", tx_event(
            "Updated", tx_id, 2, 40, {"timestamp": at(40), "sampledValue": [sv]}))
        assert (await one_tx(shared_api, tx_id))["energy_wh"] == pytest.approx(3500)
        await st.ok("TransactionEvent", tx_event("Updated", tx_id, 3, 50,
                                                 mv201(50, 1004.0, "kwh")))
        assert (await one_tx(shared_api, tx_id))["energy_wh"] == 4000


async def test_201_meter_restarting_at_zero_each_transaction(
    shared_server: CsmsServer, shared_api: httpx.AsyncClient, station_id: str
) -> None:
    await register(shared_api, station_id)
    async with raw_station(shared_server, station_id, "ocpp2.0.1") as st:
        await boot(st, "ocpp2.0.1")
        for n, minutes in ((1, 0), (2, 30)):
            tx_id = f"{station_id}-{n}"
            await st.ok("TransactionEvent",
                        tx_event("Started", tx_id, 0, minutes, mv201(minutes, 0)))
            await st.ok("TransactionEvent", tx_event(
                "Ended", tx_id, 1, minutes + 20, mv201(minutes + 20, 1000 * n),
                transactionInfo={"transactionId": tx_id, "stoppedReason": "Local"}))
        energies = [(await one_tx(shared_api, f"{station_id}-{n}"))["energy_wh"] for n in (1, 2)]
        assert energies == [1000, 2000]


async def test_16_offline_stops_with_invalid_transaction_id_are_kept_apart(
    shared_server: CsmsServer, shared_api: httpx.AsyncClient, station_id: str
) -> None:
    """Chargers that started offline and never got an id stop with transactionId -1 (or 0):
    every such session is its own transaction, and a retried stop is still counted once."""
    await register(shared_api, station_id)
    async with raw_station(shared_server, station_id) as st:
        await boot(st, "ocpp1.6")
        first = {"transactionId": -1, "meterStop": 5000, "timestamp": at(30),
                 "transactionData": [mv16(0, "1000"), mv16(30, "5000")]}
        second = {"transactionId": -1, "meterStop": 9000, "timestamp": at(90),
                  "transactionData": [mv16(60, "6000"), mv16(90, "9000")]}
        await st.ok("StopTransaction", first)
        await st.ok("StopTransaction", second)
        await st.ok("StopTransaction", first)  # retried
        # a meter value with the invalid id belongs to no transaction of those
        await st.ok("MeterValues", {"connectorId": 1, "transactionId": -1,
                                    "meterValue": [mv16(95, "9100")]})
        txs = await tx_list(shared_api, station_id)
        assert sorted(t["energy_wh"] for t in txs) == [3000, 4000], txs
        assert all(t["stopped_at"] is not None for t in txs)


# Unknown and blocked tokens at the start of a transaction: the station has started charging
# (it may not have asked first, or asked with a cached answer), so the transaction is kept,
# but the answer must say the token is not accepted, so that the station stops it.
TOKEN_CASES = [("NEVER-SEEN-TAG", "Invalid", "Unknown"), (TOKEN_BLOCKED, "Blocked", "Blocked")]


@pytest.mark.parametrize(("token", "status_16", "_status_201"), TOKEN_CASES,
                         ids=["unknown", "blocked"])
async def test_16_start_with_unknown_or_blocked_token_is_not_accepted(
    shared_server: CsmsServer, shared_api: httpx.AsyncClient, station_id: str,
    token: str, status_16: str, _status_201: str,
) -> None:
    await register(shared_api, station_id)
    async with raw_station(shared_server, station_id) as st:
        await boot(st, "ocpp1.6")
        reply = await st.ok("StartTransaction", {
            "connectorId": 1, "idTag": token, "meterStart": 0, "timestamp": at(0)})
        assert reply["idTagInfo"]["status"] == status_16, reply
        tx = await one_tx(shared_api, str(reply["transactionId"]))
        assert tx["id_token"] == token
        # the accepted token still starts: the refusal is about the token, not the station
        ok = await st.ok("StartTransaction", {
            "connectorId": 2, "idTag": TOKEN_OK, "meterStart": 0, "timestamp": at(1)})
        assert ok["idTagInfo"]["status"] == "Accepted"


@pytest.mark.parametrize(("token", "_status_16", "status_201"), TOKEN_CASES,
                         ids=["unknown", "blocked"])
async def test_201_started_with_unknown_or_blocked_token_is_not_accepted(
    shared_server: CsmsServer, shared_api: httpx.AsyncClient, station_id: str,
    token: str, _status_16: str, status_201: str,
) -> None:
    await register(shared_api, station_id)
    async with raw_station(shared_server, station_id, "ocpp2.0.1") as st:
        await boot(st, "ocpp2.0.1")
        reply = await st.ok("TransactionEvent", tx_event(
            "Started", f"{station_id}-bad", 0, 0,
            idToken={"idToken": token, "type": "ISO14443"}))
        assert reply["idTokenInfo"]["status"] == status_201, reply
        assert (await one_tx(shared_api, f"{station_id}-bad"))["id_token"] == token
        ok = await st.ok("TransactionEvent", tx_event(
            "Started", f"{station_id}-ok", 0, 1, evse={"id": 2, "connectorId": 1},
            idToken={"idToken": TOKEN_OK, "type": "ISO14443"}))
        assert ok["idTokenInfo"]["status"] == "Accepted"
