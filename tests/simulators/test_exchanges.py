"""Station-initiated exchanges for both protocol versions, schema-checked by the fake CSMS."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest

from simulators import CallErrorReply, PeerClosed, StationConfig, make_station
from simulators.v16 import Station16
from simulators.v201 import Station201
from tests.simulators.conftest import StationFactory
from tests.simulators.fake_csms import FakeCsms

ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


def measurands(sample: dict[str, Any]) -> set[str]:
    return {sv["measurand"] for sv in sample["sampledValue"]}


async def test_make_station_picks_version(csms: FakeCsms) -> None:
    assert isinstance(make_station(csms.url, StationConfig("A", protocol="1.6")), Station16)
    assert isinstance(make_station(csms.url, StationConfig("A", protocol="2.0.1")), Station201)
    with pytest.raises(ValueError):
        StationConfig("A", protocol="1.5")  # type: ignore[arg-type]


async def test_full_session(csms: FakeCsms, station_factory: StationFactory,
                            protocol: str) -> None:
    st = await station_factory(protocol, station_id="CP/ 1")  # id needs percent-encoding
    assert await st.boot() == "Accepted"
    assert st.heartbeat_interval == 300
    await st.send_status(evse_id=1, connector_id=1, status="Available")
    assert await st.heartbeat()
    assert await st.authorize("TAG") == "Accepted"
    assert await st.authorize("BADTAG") == "Invalid"
    tx_id = await st.start_transaction(evse_id=1, id_token="TAG")
    assert st.transactions == {1: tx_id}
    await asyncio.sleep(0.3)  # 30 simulated seconds of charging
    await st.send_meter_values(evse_id=1)
    assert st.meter_wh(1) > 0
    await st.stop_transaction(evse_id=1, reason="Local")
    assert st.transactions == {}
    assert st.sessions_completed == 1
    assert csms.errors == [] and st.schema_errors == []

    sid = "CP/ 1"
    statuses = [p.get("status") or p.get("connectorStatus")
                for p in csms.payloads(sid, "StatusNotification")]
    assert all(ISO_Z.match(p["timestamp"]) for p in csms.payloads(sid, "StatusNotification"))
    if protocol == "1.6":
        assert statuses == ["Available", "Preparing", "Charging", "Finishing", "Available"]
        start = csms.payloads(sid, "StartTransaction")[0]
        assert start["connectorId"] == 1 and start["idTag"] == "TAG" and start["meterStart"] == 0
        mv = csms.payloads(sid, "MeterValues")[-1]
        assert mv["transactionId"] == int(tx_id)
        assert measurands(mv["meterValue"][0]) == {
            "Energy.Active.Import.Register", "Power.Active.Import", "Current.Import"}
        energy = next(sv for sv in mv["meterValue"][0]["sampledValue"]
                      if sv["measurand"] == "Energy.Active.Import.Register")
        assert energy["unit"] == "Wh" and energy["context"] == "Sample.Periodic"
        stop = csms.payloads(sid, "StopTransaction")[0]
        assert stop["transactionId"] == int(tx_id) and stop["reason"] == "Local"
        assert stop["meterStop"] >= float(energy["value"]) - 1
        assert stop["transactionData"][0]["sampledValue"][0]["context"] == "Transaction.End"
    else:
        assert statuses == ["Available", "Occupied", "Available"]
        events = csms.payloads(sid, "TransactionEvent")
        assert [e["eventType"] for e in events] == ["Started", "Updated", "Ended"]
        assert [e["seqNo"] for e in events] == [0, 1, 2]
        assert {e["transactionInfo"]["transactionId"] for e in events} == {tx_id}
        started, updated, ended = events
        assert started["triggerReason"] == "Authorized" and started["offline"] is False
        assert started["idToken"] == {"idToken": "TAG", "type": "ISO14443"}
        assert started["evse"] == {"id": 1, "connectorId": 1}
        assert updated["triggerReason"] == "MeterValuePeriodic"
        assert measurands(updated["meterValue"][0]) >= {"Energy.Active.Import.Register",
                                                        "Power.Active.Import", "Current.Import"}
        assert ended["transactionInfo"]["stoppedReason"] == "Local"
        assert ended["triggerReason"] == "StopAuthorized"
        assert ended["meterValue"][0]["sampledValue"][0]["context"] == "Transaction.End"


async def test_charge_sends_periodic_meter_values(csms: FakeCsms, station_factory: StationFactory,
                                                  protocol: str) -> None:
    st = await station_factory(protocol, meter_interval_s=10.0, speed=200.0)
    await st.boot()
    tx_id = await st.charge(evse_id=1, duration_s=60.0)
    assert tx_id
    periodic = (csms.payloads(st.station_id, "MeterValues") if protocol == "1.6" else
                [e for e in csms.payloads(st.station_id, "TransactionEvent")
                 if e["eventType"] == "Updated"])
    assert len(periodic) >= 3
    assert st.energy_delivered_wh == pytest.approx(11000 * 60 / 3600, rel=0.25)
    assert csms.errors == []


async def test_raw_call_and_call_error(csms: FakeCsms, station_factory: StationFactory) -> None:
    st = await station_factory("2.0.1")
    resp = await st.call("DataTransfer", {"vendorId": "x"})
    assert resp == {"status": "Accepted"}
    with pytest.raises(CallErrorReply) as err:
        await st.call("NotifyCustomerInformation", {
            "data": "x", "seqNo": 0, "generatedAt": "2024-01-01T00:00:00Z", "requestId": 1})
    assert err.value.code == "NotImplemented"


async def test_send_raw_and_next_raw_reply(csms: FakeCsms,
                                           station_factory: StationFactory) -> None:
    st = await station_factory("2.0.1")
    await st.send_raw("not json at all")
    reply = await st.next_raw_reply(2.0)
    assert '"RpcFrameworkError"' in reply


async def test_outgoing_payloads_are_validated(station_factory: StationFactory) -> None:
    st = await station_factory("1.6")
    with pytest.raises(ValueError):
        await st.call("StatusNotification", {"connectorId": 1})


async def test_call_fails_cleanly_when_socket_closes(csms: FakeCsms,
                                                     station_factory: StationFactory) -> None:
    st = await station_factory("1.6")
    csms.close_on.add("Heartbeat")
    with pytest.raises(PeerClosed):
        await st.heartbeat()
    await st.wait_offline(2.0)
    with pytest.raises(PeerClosed):
        await st.heartbeat()


async def test_basic_auth(csms: FakeCsms, station_factory: StationFactory) -> None:
    csms.password = "s3cret"
    st = await station_factory("2.0.1", password="s3cret")
    assert await st.boot() == "Accepted"
    from simulators import StationConnectError
    with pytest.raises(StationConnectError) as err:
        await station_factory("2.0.1", password="wrong")
    assert err.value.status == 401 and err.value.fatal


async def test_async_context_manager(csms: FakeCsms) -> None:
    cfg = StationConfig("CTX", protocol="1.6", speed=50)
    async with make_station(csms.url, cfg) as st:
        assert await st.boot() == "Accepted"
        assert st.connected
    assert not st.connected
