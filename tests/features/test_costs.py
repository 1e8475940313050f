"""Running and final cost end to end: simulated stations of both versions charge at a site with
a tariff (and a members' group tariff); the cost reaches them (2.0.1 TransactionEvent replies
and CostUpdated, 1.6 DataTransfer when configured) and the API shows the final cost, consistent
with the transaction's energy, green energy and duration."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import httpx

from simulators import StationConfig, make_station
from tests.api.support import answer_call, assert_detail, command, register
from tests.conftest import ServerFactory, api_client
from tests.helpers import BOOT_16, BOOT_201, raw_station

SITE_TARIFF = {"id": "yard", "currency": "EUR", "price_per_kwh": 40, "green_price_per_kwh": 10,
               "price_per_minute": 0.6, "session_fee": 1.0, "site_id": "coop"}
MEMBER_TARIFF = {"id": "members", "currency": "EUR", "price_per_kwh": 20,
                 "green_price_per_kwh": 5, "price_per_minute": 0, "session_fee": 0.25,
                 "group_id": "coop-members"}


async def eventually(check: Any, timeout: float = 20.0) -> Any:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await check()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.1)


def money(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def expected_total(tariff: dict[str, Any], tx: dict[str, Any]) -> float:
    """The tariff applied by hand to the transaction as the API shows it."""
    energy = Decimal(repr(tx["energy_wh"])) / 1000
    green = min(Decimal(repr(tx["green_energy_wh"])) / 1000, energy)
    stopped = datetime.fromisoformat(tx["stopped_at"])
    seconds = (stopped - datetime.fromisoformat(tx["started_at"])).total_seconds()
    minutes = Decimal(repr(seconds)) / 60
    p = {k: Decimal(str(tariff[k])) for k in ("price_per_kwh", "green_price_per_kwh",
                                               "price_per_minute", "session_fee")}
    return float(money(p["session_fee"]) + money(minutes * p["price_per_minute"])
                 + money((energy - green) * p["price_per_kwh"])
                 + money(green * p["green_price_per_kwh"]))


async def charged(st: Any, evse_id: int, wh: float = 5.0) -> None:
    """Until the simulated car has taken `wh` on the EVSE: a session stopped after a fixed
    sleep can meter 0 Wh on a loaded machine, and 0 Wh has no green share to check."""
    async def enough() -> bool:
        tx = st.tx.get(evse_id)
        return tx is not None and st.meters[evse_id].energy_wh - tx.start_wh >= wh

    await eventually(enough)


async def setup_site(api: httpx.AsyncClient, stations: list[str]) -> None:
    # "fast": these tests price energy; in green mode the planner may hold a car at 0 W until
    # the sun is forecast (at night), and a session with no energy has nothing to price
    r = await api.post("/sites", json={"id": "coop", "name": "Co-op", "grid_limit_kw": 100,
                                       "latitude": 42.7, "longitude": 23.3,
                                       "default_mode": "fast"})
    assert r.status_code == 201, r.text
    assert (await api.post("/sites/coop/sources", json={"id": "pv", "peak_kw": 60})
            ).status_code == 201
    now = datetime.now(UTC)
    readings = [{"timestamp": (now - timedelta(minutes=m)).isoformat(), "power_kw": 40.0}
                for m in (30, 20, 10, 0)]
    assert (await api.post("/sites/coop/sources/pv/readings", json=readings)).status_code == 201
    for sid in stations:
        await register(api, sid, site_id="coop")
    for token, group in (("MEMBER", "coop-members"), ("GUEST", None)):
        r = await api.post("/id-tokens", json={"id_token": token, "group_id": group})
        assert r.status_code == 201, r.text
    for tariff in (SITE_TARIFF, MEMBER_TARIFF):
        assert (await api.post("/tariffs", json=tariff)).status_code == 201


async def final_tx(api: httpx.AsyncClient, station_id: str, tx_id: str) -> dict[str, Any]:
    """The transaction once green accounting has settled after its stop."""
    async def settled() -> dict[str, Any] | None:
        tx = (await api.get(f"/transactions/{tx_id}", params={"station_id": station_id})).json()
        return tx if tx["stopped_at"] and tx["green_energy_wh"] > 0 else None

    return await eventually(settled)  # type: ignore[no-any-return]


async def test_v201_running_and_final_cost_with_site_and_group_tariffs(
    server_factory: ServerFactory,
) -> None:
    server = await server_factory(cost_update_interval_s=0.5)
    url = f"ws://127.0.0.1:{server.ocpp_port}/ocpp"
    async with api_client(server) as api:
        await setup_site(api, ["CS-201"])
        st: Any = make_station(url, StationConfig(station_id="CS-201", evses=2,
                                                  meter_interval_s=1.0, max_power_w=11000.0))
        await st.connect()
        await st.boot()
        guest = await st.start_transaction(evse_id=1, id_token="GUEST")
        member = await st.start_transaction(evse_id=2, id_token="MEMBER")

        def cost_updates(tx_id: str) -> list[float]:
            return [float(p["totalCost"]) for a, p in st.received
                    if a == "CostUpdated" and p["transactionId"] == tx_id]

        async def updated() -> bool:  # periodic CostUpdated and totalCost in Updated replies
            return bool(cost_updates(guest) and cost_updates(member)
                        and guest in st.total_cost and member in st.total_cost)

        await eventually(updated)
        assert min(cost_updates(guest)) >= 1.0  # the site's session fee at least
        assert min(cost_updates(member)) >= 0.25
        running = (await api.get(f"/transactions/{guest}",
                                 params={"station_id": "CS-201"})).json()["cost"]
        assert running["final"] is False and running["currency"] == "EUR"
        assert running["breakdown"]["tariff_id"] == "yard"

        await asyncio.sleep(1.5)
        await charged(st, 1)
        await charged(st, 2)
        await st.stop_transaction(evse_id=1)
        await st.stop_transaction(evse_id=2)
        await st.close()

        for tx_id, tariff in ((guest, SITE_TARIFF), (member, MEMBER_TARIFF)):
            tx = await final_tx(api, "CS-201", tx_id)
            cost = tx["cost"]
            assert cost["final"] is True and cost["breakdown"]["tariff_id"] == tariff["id"]
            assert cost["total"] == expected_total(tariff, tx), (tx, cost)
            lines = cost["breakdown"]
            assert cost["total"] == round(lines["session_fee"] + lines["time"]["amount"]
                                          + lines["energy"]["amount"]
                                          + lines["green_energy"]["amount"], 2)
            assert lines["green_energy"]["kwh"] > 0 and lines["green_energy"]["unit_price"] == \
                tariff["green_price_per_kwh"]
            # the station was told its final cost in the reply to Ended, before green
            # accounting settled: green only lowers it
            assert st.final_cost[tx_id] >= cost["total"]
        listed = (await api.get("/transactions", params={"station_id": "CS-201"})).json()
        assert {t["cost"]["breakdown"]["tariff_id"] for t in listed} == {"yard", "members"}


async def test_v16_cost_through_data_transfer_when_configured(
    server_factory: ServerFactory,
) -> None:
    server = await server_factory(cost_update_interval_s=0.5,
                                  cost_datatransfer_vendor="csms-sim")
    url = f"ws://127.0.0.1:{server.ocpp_port}/ocpp"
    async with api_client(server) as api:
        await setup_site(api, ["CS-16"])
        st: Any = make_station(url, StationConfig(station_id="CS-16", protocol="1.6",
                                                  meter_interval_s=1.0))
        await st.connect()
        await st.boot()
        tx_id = await st.start_transaction(evse_id=1, id_token="MEMBER")

        def costs(message_id: str) -> list[dict[str, Any]]:
            return [json.loads(p["data"]) for a, p in st.received
                    if a == "DataTransfer" and p.get("messageId") == message_id]

        async def running() -> bool:
            return bool(costs("RunningCost"))

        await eventually(running)
        first = costs("RunningCost")[0]
        assert first["transactionId"] == int(tx_id) and first["cost"] >= 0.25
        assert all(p["vendorId"] == "csms-sim" for a, p in st.received if a == "DataTransfer")
        await asyncio.sleep(1.0)
        await charged(st, 1)
        await st.stop_transaction(evse_id=1)

        async def final() -> bool:
            return bool(costs("FinalCost"))

        await eventually(final)
        tx = await final_tx(api, "CS-16", tx_id)
        assert costs("FinalCost") == [{"transactionId": int(tx_id), "cost": tx["cost"]["total"]}]
        assert tx["cost"]["total"] == expected_total(MEMBER_TARIFF, tx)
        await st.close()


async def test_v16_without_a_cost_vendor_gets_no_cost_but_the_api_has_it(
    server_factory: ServerFactory,
) -> None:
    server = await server_factory(cost_update_interval_s=0.3)
    url = f"ws://127.0.0.1:{server.ocpp_port}/ocpp"
    async with api_client(server) as api:
        await register(api, "PLAIN-16")
        await api.post("/id-tokens", json={"id_token": "ANY"})
        r = await api.post("/tariffs", json={"id": "std", "currency": "EUR",
                                             "price_per_kwh": 0.3, "session_fee": 2})
        assert r.status_code == 201  # the default tariff: no site, no group
        st: Any = make_station(url, StationConfig(station_id="PLAIN-16", protocol="1.6",
                                                  meter_interval_s=0.5))
        await st.connect()
        await st.boot()
        tx_id = await st.start_transaction(evse_id=1, id_token="ANY")
        await asyncio.sleep(1.0)  # several cost rounds
        await st.stop_transaction(evse_id=1)
        await st.close()
        assert not [a for a, _ in st.received if a == "DataTransfer"]
        tx = (await api.get(f"/transactions/{tx_id}", params={"station_id": "PLAIN-16"})).json()
        assert tx["cost"]["breakdown"]["tariff_id"] == "std"
        assert tx["cost"]["total"] >= 2.0 and tx["cost"]["final"] is True


async def test_unpriced_sessions_have_no_cost(server_factory: ServerFactory) -> None:
    server = await server_factory(cost_update_interval_s=0.3)
    async with api_client(server) as api:
        await register(api, "FREE")
        async with raw_station(server, "FREE", "ocpp2.0.1") as st:
            await st.ok("BootNotification", BOOT_201)
            started = await st.ok("TransactionEvent", _tx_event("Started", "f1", 0))
            updated = await st.ok("TransactionEvent", _tx_event("Updated", "f1", 1))
            assert "totalCost" not in started and "totalCost" not in updated
            # a tariff created now does not reprice the running session
            await api.post("/tariffs", json={"currency": "EUR", "price_per_kwh": 1})
            ended = await st.ok("TransactionEvent", _tx_event("Ended", "f1", 2))
            assert "totalCost" not in ended
        tx = (await api.get("/transactions/f1")).json()
        assert tx["cost"] is None


def _tx_event(kind: str, tx_id: str, seq: int, wh: float = 0.0) -> dict[str, Any]:
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    payload: dict[str, Any] = {
        "eventType": kind, "timestamp": stamp, "seqNo": seq,
        "triggerReason": {"Started": "Authorized", "Updated": "MeterValuePeriodic",
                          "Ended": "StopAuthorized"}[kind],
        "transactionInfo": {"transactionId": tx_id}, "evse": {"id": 1, "connectorId": 1},
        "meterValue": [{"timestamp": stamp, "sampledValue": [
            {"value": wh, "measurand": "Energy.Active.Import.Register"}]}]}
    if kind == "Started":
        payload["idToken"] = {"idToken": "RAW", "type": "ISO14443"}
    return payload


async def test_cost_updated_failures_leave_the_station_and_server_working(
    server_factory: ServerFactory,
) -> None:
    """CostUpdated answered with a CALLERROR, then not at all: logged, the session goes on."""
    server = await server_factory(cost_update_interval_s=0.3, call_timeout=0.5)
    async with api_client(server) as api:
        await register(api, "ODD")
        await api.post("/id-tokens", json={"id_token": "RAW"})
        await api.post("/tariffs", json={"currency": "EUR", "price_per_kwh": 0.5,
                                         "session_fee": 1})
        async with raw_station(server, "ODD", "ocpp2.0.1") as st:
            await st.ok("BootNotification", BOOT_201)
            await st.ok("TransactionEvent", _tx_event("Started", "o1", 0))
            frame = await answer_call(st, error=("InternalError", "no display"))
            assert frame[2] == "CostUpdated" and frame[3]["transactionId"] == "o1"
            assert frame[3]["totalCost"] == 1.0
            ignored = await st.recv()  # the next one is never answered: a timeout
            assert ignored[2] == "CostUpdated"
            await asyncio.sleep(0.6)
            reply = await st.ok("TransactionEvent", _tx_event("Updated", "o1", 1, 2000.0))
            assert reply["totalCost"] == 2.0  # 1 + 2 kWh x 0.5
            reply = await st.ok("TransactionEvent", _tx_event("Ended", "o1", 2, 4000.0))
            assert reply["totalCost"] == 3.0
        tx = (await api.get("/transactions/o1")).json()
        assert tx["cost"]["total"] == 3.0 and tx["cost"]["final"] is True
        assert (await api.get("/health")).status_code == 200


async def test_cost_updated_command_both_versions_and_bad_input(
    server: Any, api: httpx.AsyncClient
) -> None:
    await register(api, "C201")
    await register(api, "C16")
    async with raw_station(server, "C201", "ocpp2.0.1") as s201, raw_station(server, "C16") as s16:
        await s201.ok("BootNotification", BOOT_201)
        await s16.ok("BootNotification", BOOT_16)
        path = "/stations/C201/commands/cost-updated"
        frame, r = await command(api, s201, path, {"transaction_id": "t-1", "total": 4.2}, {})
        assert frame[2:] == ["CostUpdated", {"transactionId": "t-1", "totalCost": 4.2}]
        assert r.json() == {"status": "Accepted"}
        frame, r = await command(api, s201, path, {"transaction_id": "t-1", "total": 1},
                                 error=("NotImplemented", "no tariffs here"))
        assert_detail(r, 502)
        path16 = "/stations/C16/commands/cost-updated"
        assert "vendor_id" in assert_detail(
            await api.post(path16, json={"transaction_id": "7", "total": 1.5}), 422)
        assert "integer" in assert_detail(await api.post(path16, json={
            "transaction_id": "abc", "total": 1.5, "vendor_id": "acme"}), 422)
        frame, r = await command(api, s16, path16, {"transaction_id": "7", "total": 1.5,
                                                    "vendor_id": "acme", "final": True},
                                 {"status": "Accepted"})
        assert frame[2] == "DataTransfer" and frame[3]["messageId"] == "FinalCost"
        assert json.loads(frame[3]["data"]) == {"transactionId": 7, "cost": 1.5}
        assert r.json() == {"status": "Accepted"}
        for body in ({"total": 1}, {"transaction_id": "x"}, {"transaction_id": "", "total": 1},
                     {"transaction_id": "x" * 37, "total": 1},
                     {"transaction_id": "x", "total": -1}, {"transaction_id": "x", "total": "a"},
                     {"transaction_id": "x", "total": 1, "currency": "EUR"}):
            assert_detail(await api.post(path, json=body), 422)
        assert (await s201.ok("Heartbeat", {}))["currentTime"]
