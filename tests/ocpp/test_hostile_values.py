"""Values a station must not get through: numbers that are not numbers, integers OCPP does not
have, nesting no parser should follow; retransmissions that must not store twice; and the
start reading of a 2.0.1 transaction. Each refusal is a CALLERROR, stores nothing and leaves
the connection (and every other station) working.
"""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest

from csms.app import CsmsServer
from csms.ocpp import strikes
from tests.helpers import raw_station
from tests.ocpp.support import boot, register
from tests.ocpp.test_transactions import TOKEN_OK, at, mv16, mv201, one_tx, start16, tx_event

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def samples_of(api: httpx.AsyncClient, tx_id: str) -> list[dict[str, Any]]:
    r = await api.get(f"/transactions/{tx_id}/meter-values")
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


async def test_201_start_reading_is_the_begin_register_else_the_first(
    shared_server: CsmsServer, shared_api: httpx.AsyncClient, station_id: str
) -> None:
    await register(shared_api, station_id)
    async with raw_station(shared_server, station_id, "ocpp2.0.1") as st:
        await boot(st, "ocpp2.0.1")
        begin = mv201(0, 0)
        begin["sampledValue"][0]["context"] = "Transaction.Begin"
        await st.ok("TransactionEvent", tx_event("Started", f"{station_id}-a", 0, 0, begin))
        await st.ok("TransactionEvent", tx_event("Updated", f"{station_id}-a", 1, 10,
                                                 mv201(10, 350)))
        tx = await one_tx(shared_api, f"{station_id}-a")
        assert (tx["meter_start_wh"], tx["energy_wh"]) == (0, 350)
        # No Begin context: the first register reading is the start.
        await st.ok("TransactionEvent", tx_event("Started", f"{station_id}-b", 0, 20,
                                                 mv201(20, 28415)))
        ended = tx_event("Ended", f"{station_id}-b", 1, 30, mv201(30, 28758),
                         transactionInfo={"transactionId": f"{station_id}-b",
                                          "stoppedReason": "Local"})
        await st.ok("TransactionEvent", ended)
        tx = await one_tx(shared_api, f"{station_id}-b")
        assert (tx["meter_start_wh"], tx["meter_stop_wh"], tx["energy_wh"]) == (
            28415, 28758, 343)


async def test_201_retransmission_after_a_reconnect_stores_nothing_twice(
    shared_server: CsmsServer, shared_api: httpx.AsyncClient, station_id: str
) -> None:
    await register(shared_api, station_id)
    tx_id = f"{station_id}-rt"
    updated = tx_event("Updated", tx_id, 1, 10, mv201(10, 2000))
    async with raw_station(shared_server, station_id, "ocpp2.0.1") as st:
        await boot(st, "ocpp2.0.1")
        await st.ok("TransactionEvent", tx_event("Started", tx_id, 0, 0, mv201(0, 1000)))
        await st.ok("TransactionEvent", updated)
        await st.ok("TransactionEvent", updated)  # the reply was lost: the same message again
    async with raw_station(shared_server, station_id, "ocpp2.0.1") as st:  # a new process view
        await boot(st, "ocpp2.0.1")
        await st.ok("TransactionEvent", updated)
        # A message that comes late with a seqNo not seen yet is applied.
        await st.ok("TransactionEvent", tx_event("Updated", tx_id, 2, 5, mv201(5, 1500)))
    rows = await samples_of(shared_api, tx_id)
    assert sorted(r["value"] for r in rows) == [1000, 1500, 2000]
    assert (await one_tx(shared_api, tx_id))["energy_wh"] == 1000


BARE = {
    "nan-token": ('[2,"hv-1","MeterValues",{"connectorId":1,"meterValue":[{"timestamp":"%s",'
                  '"sampledValue":[{"value":"1","measurand":"Energy.Active.Import.Register"}]}],'
                  '"transactionId":NaN}]', "FormationViolation"),
    "minus-infinity": ('[2,"hv-1","StatusNotification",{"connectorId":-Infinity,'
                       '"errorCode":"NoError","status":"Available"}]', "FormationViolation"),
    "integer-beyond-64-bits": ('[2,"hv-1","StatusNotification",{"connectorId":'
                               '100000000000000000000000,"errorCode":"NoError",'
                               '"status":"Available"}]', "TypeConstraintViolation"),
    "integer-beyond-32-bits": ('[2,"hv-1","StatusNotification",{"connectorId":1099511627776,'
                               '"errorCode":"NoError","status":"Available"}]',
                               "TypeConstraintViolation"),
}


@pytest.mark.parametrize("name", sorted(BARE))
async def test_16_numbers_json_or_ocpp_does_not_have_are_refused(
    shared_server: CsmsServer, shared_api: httpx.AsyncClient, station_id: str, name: str
) -> None:
    await register(shared_api, station_id)
    frame, code = BARE[name]
    async with raw_station(shared_server, station_id) as st:
        await boot(st, "ocpp1.6")
        await st.send(frame.replace("%s", at(0)))
        reply = await st.recv()
        assert reply[:3] == [4, "hv-1", code], reply
        assert (await st.call("Heartbeat", {}))[0] == 3
    station = (await shared_api.get(f"/stations/{station_id}")).json()
    assert station["evses"] == []


@pytest.mark.parametrize("value", ["NaN", "1e999", "-Infinity", "inf"])
async def test_16_sampled_values_that_are_not_finite_numbers_are_refused(
    shared_server: CsmsServer, shared_api: httpx.AsyncClient, station_id: str, value: str
) -> None:
    await register(shared_api, station_id)
    async with raw_station(shared_server, station_id) as st:
        await boot(st, "ocpp1.6")
        tx = await start16(st, 0, 1000)
        reply = await st.call("MeterValues", {"connectorId": 1, "transactionId": tx,
                                              "meterValue": [mv16(5, value)]})
        assert reply[0] == 4 and reply[2] == "PropertyConstraintViolation", reply
        assert (await st.ok("MeterValues", {"connectorId": 1, "transactionId": tx,
                                            "meterValue": [mv16(6, "1200")]})) == {}
    rows = await samples_of(shared_api, str(tx))
    assert [r["value"] for r in rows] == [1200]


async def test_201_multiplier_overflow_is_refused(
    shared_server: CsmsServer, shared_api: httpx.AsyncClient, station_id: str
) -> None:
    await register(shared_api, station_id)
    value = mv201(0, 1000)
    value["sampledValue"][0]["unitOfMeasure"] = {"unit": "Wh", "multiplier": 400}
    async with raw_station(shared_server, station_id, "ocpp2.0.1") as st:
        await boot(st, "ocpp2.0.1")
        reply = await st.call("TransactionEvent", tx_event("Started", f"{station_id}-m", 0, 0,
                                                           value))
        assert reply[0] == 4 and reply[2] == "PropertyConstraintViolation", reply
    r = await shared_api.get(f"/transactions/{station_id}-m")
    assert r.status_code == 404


@pytest.mark.parametrize("protocol,code", [("ocpp1.6", "FormationViolation"),
                                           ("ocpp2.0.1", "RpcFrameworkError")])
async def test_deep_nesting_is_a_callerror_not_a_crash(
    shared_server: CsmsServer, shared_api: httpx.AsyncClient, station_id: str,
    protocol: str, code: str
) -> None:
    await register(shared_api, station_id)
    deep = "[" * 5000 + "]" * 5000
    async with raw_station(shared_server, station_id, protocol) as st:
        await st.send(f'[2,"hv-1","Heartbeat",{{"x":{deep}}}]')
        reply = await st.recv()
        assert reply[0] == 4 and reply[2] == code, reply
        await st.send(json.dumps([2, "hv-2", "BootNotification",
                                  {"chargePointVendor": "V", "chargePointModel": "M"}
                                  if protocol == "ocpp1.6" else
                                  {"chargingStation": {"vendorName": "V", "model": "M"},
                                   "reason": "PowerUp"}]))
        assert (await st.recv())[:2] == [3, "hv-2"]


async def test_poison_is_refused_before_the_shared_commit(
    shared_server: CsmsServer, shared_api: httpx.AsyncClient, station_id: str
) -> None:
    """Refused values never reach the group commit, so no batch of other stations' writes has
    to be split and retried because of them."""
    await register(shared_api, station_id)
    before = shared_server.db.split_batches
    async with raw_station(shared_server, station_id) as st:
        await boot(st, "ocpp1.6")
        tx = await start16(st, 0, 1000)
        for frame, _ in BARE.values():
            await st.send(frame.replace("%s", at(0)))
            assert (await st.recv())[0] == 4
        for value in ("NaN", "1e999"):
            reply = await st.call("MeterValues", {"connectorId": 1, "transactionId": tx,
                                                  "meterValue": [mv16(5, value)]})
            assert reply[0] == 4
        assert (await st.call("Authorize", {"idTag": TOKEN_OK}))[0] == 3
    assert shared_server.db.split_batches == before


async def test_a_station_looping_over_refused_frames_waits_and_one_good_frame_clears_it(
    shared_server: CsmsServer, shared_api: httpx.AsyncClient, station_id: str
) -> None:
    """Refusals need no commit: without a back-off a station looping over bad frames is
    answered faster than honest ones and takes their share of the core."""
    await register(shared_api, station_id)
    async with raw_station(shared_server, station_id) as st:
        await boot(st, "ocpp1.6")
        poison = {"connectorId": 1, "meterValue": [mv16(5, "NaN")]}
        for _ in range(strikes.FREE + 6):
            assert (await st.call("MeterValues", poison))[0] == 4
        # The last refusal asked for a wait of FIRST_S * 2**5 before the next frame is read.
        t0 = time.monotonic()
        assert (await st.call("Heartbeat", {}))[0] == 3
        assert time.monotonic() - t0 >= strikes.FIRST_S * 2 ** 5 * 0.9
        # Answered normally: the count starts again, the next refusals are free.
        for _ in range(strikes.FREE):
            assert (await st.call("MeterValues", poison))[0] == 4
        assert shared_server.registry.get(station_id)._strikes.delay() == 0.0

