"""CSMS-initiated calls are acted on like a real charger would."""

from __future__ import annotations

import asyncio
from typing import Any

from simulators import SimStation
from tests.file_server import file_server
from tests.simulators.conftest import StationFactory
from tests.simulators.fake_csms import FakeCsms

FUTURE = "2099-01-01T00:00:00Z"


def status_of(p: dict[str, Any]) -> str:
    return str(p.get("status") or p.get("connectorStatus"))


async def booted(factory: StationFactory, protocol: str, **kw: Any) -> SimStation:
    st = await factory(protocol, **kw)
    assert await st.boot() == "Accepted"
    return st


async def wait_until(cond: Any, timeout: float = 5.0) -> None:
    """Poll station state that has no event of its own."""
    async with asyncio.timeout(timeout):
        while not cond():  # noqa: ASYNC110
            await asyncio.sleep(0.01)


async def remote_start(csms: FakeCsms, st: SimStation, protocol: str) -> str:
    if protocol == "1.6":
        reply = await csms.call(st.station_id, "RemoteStartTransaction",
                                {"connectorId": 1, "idTag": "REMOTE"})
        assert reply == {"status": "Accepted"}
        start = await csms.wait_for(st.station_id, "StartTransaction")
        assert start["idTag"] == "REMOTE"
    else:
        reply = await csms.call(st.station_id, "RequestStartTransaction", {
            "idToken": {"idToken": "REMOTE", "type": "Central"}, "remoteStartId": 42,
            "evseId": 1})
        assert reply["status"] == "Accepted"
        start = await csms.wait_for(st.station_id, "TransactionEvent",
                                    lambda p: p["eventType"] == "Started")
        assert start["triggerReason"] == "RemoteStart"
        assert start["transactionInfo"]["remoteStartId"] == 42
        assert start["transactionInfo"]["transactionId"] == reply["transactionId"]
        assert start["idToken"] == {"idToken": "REMOTE", "type": "Central"}
    await wait_until(lambda: 1 in st.transactions)
    assert csms.payloads(st.station_id, "Authorize")  # AuthorizeRemoteTx... defaults to true
    return st.transactions[1]


async def test_remote_start_and_stop(csms: FakeCsms, station_factory: StationFactory,
                                     protocol: str) -> None:
    st = await booted(station_factory, protocol)
    tx_id = await remote_start(csms, st, protocol)
    if protocol == "1.6":
        busy = await csms.call(st.station_id, "RemoteStartTransaction",
                               {"connectorId": 1, "idTag": "OTHER"})
        reply = await csms.call(st.station_id, "RemoteStopTransaction",
                                {"transactionId": int(tx_id)})
        stop = await csms.wait_for(st.station_id, "StopTransaction")
        assert stop["reason"] == "Remote"
    else:
        busy = await csms.call(st.station_id, "RequestStartTransaction", {
            "idToken": {"idToken": "OTHER", "type": "ISO14443"}, "remoteStartId": 43,
            "evseId": 1})
        status = await csms.call(st.station_id, "GetTransactionStatus", {"transactionId": tx_id})
        assert status["ongoingIndicator"] is True
        reply = await csms.call(st.station_id, "RequestStopTransaction", {"transactionId": tx_id})
        end = await csms.wait_for(st.station_id, "TransactionEvent",
                                  lambda p: p["eventType"] == "Ended")
        assert end["transactionInfo"]["stoppedReason"] == "Remote"
        assert end["triggerReason"] == "RemoteStop"
    assert busy["status"] == "Rejected"
    assert reply == {"status": "Accepted"}
    await wait_until(lambda: not st.transactions)
    assert csms.errors == []


async def test_reset_reconnects_and_reboots(csms: FakeCsms, station_factory: StationFactory,
                                            protocol: str) -> None:
    st = await booted(station_factory, protocol)
    await st.start_transaction(1)
    reset = {"type": "Soft"} if protocol == "1.6" else {"type": "Immediate"}
    assert await csms.call(st.station_id, "Reset", reset) == {"status": "Accepted"}
    await csms.wait_for(st.station_id, "BootNotification", count=2)
    await wait_until(lambda: st.boots == 2)
    await st.wait_online(5.0)

    def after_boot() -> list[str]:
        actions = csms.actions(st.station_id)
        return actions[actions.index("BootNotification", 1):]
    await wait_until(lambda: "StatusNotification" in after_boot())
    assert csms.connects[st.station_id] == 2 and st.connected
    if protocol == "1.6":
        assert csms.payloads(st.station_id, "StopTransaction")[0]["reason"] == "SoftReset"
    else:
        boot = csms.payloads(st.station_id, "BootNotification")[-1]
        assert boot["reason"] == "RemoteReset"
        end = csms.payloads(st.station_id, "TransactionEvent")[-1]
        assert end["transactionInfo"]["stoppedReason"] == "ImmediateReset"
        assert end["triggerReason"] == "ResetCommand"
    assert await st.heartbeat()  # the new connection works
    assert csms.errors == []


async def test_change_availability(csms: FakeCsms, station_factory: StationFactory,
                                   protocol: str) -> None:
    st = await booted(station_factory, protocol)
    sid = st.station_id
    if protocol == "1.6":
        off, on = ({"connectorId": 1, "type": "Inoperative"},
                   {"connectorId": 1, "type": "Operative"})
    else:
        off = {"operationalStatus": "Inoperative", "evse": {"id": 1}}
        on = {"operationalStatus": "Operative", "evse": {"id": 1}}
    assert await csms.call(sid, "ChangeAvailability", off) == {"status": "Accepted"}
    await csms.wait_for(sid, "StatusNotification", lambda p: status_of(p) == "Unavailable")
    assert st.connector_status[(1, 1)] == "Unavailable"
    assert await csms.call(sid, "ChangeAvailability", on) == {"status": "Accepted"}
    await csms.wait_for(sid, "StatusNotification", lambda p: status_of(p) == "Available")
    await st.start_transaction(1)
    assert await csms.call(sid, "ChangeAvailability", off) == {"status": "Scheduled"}
    await st.stop_transaction(1)
    assert st.connector_status[(1, 1)] == "Unavailable"
    assert csms.errors == []


async def test_charging_profile_limits_power(csms: FakeCsms, station_factory: StationFactory,
                                             protocol: str) -> None:
    st = await booted(station_factory, protocol)
    await st.start_transaction(1)
    assert st.meters[1].power_w() == 11000
    if protocol == "1.6":
        profile = {"chargingProfileId": 1, "stackLevel": 0, "chargingProfilePurpose": "TxProfile",
                   "chargingProfileKind": "Relative",
                   "chargingSchedule": {"chargingRateUnit": "A", "chargingSchedulePeriod": [
                       {"startPeriod": 0, "limit": 10.0, "numberPhases": 1}]}}
        req = {"connectorId": 1, "csChargingProfiles": profile}
    else:
        profile = {"id": 1, "stackLevel": 0, "chargingProfilePurpose": "TxProfile",
                   "chargingProfileKind": "Relative", "transactionId": st.transactions[1],
                   "chargingSchedule": [{"id": 1, "chargingRateUnit": "W",
                                         "chargingSchedulePeriod": [{"startPeriod": 0,
                                                                     "limit": 2300.0}]}]}
        req = {"evseId": 1, "chargingProfile": profile}
    assert await csms.call(st.station_id, "SetChargingProfile", req) == {"status": "Accepted"}
    assert st.meters[1].limit_w == 2300.0
    assert st.meters[1].power_w() == 2300.0
    await st.stop_transaction(1)
    assert st.profiles.profiles == []  # TxProfile ends with its transaction
    assert csms.errors == []


async def test_trigger_messages_are_sent(csms: FakeCsms, station_factory: StationFactory,
                                         protocol: str) -> None:
    st = await booted(station_factory, protocol)
    await st.start_transaction(1)
    sid = st.station_id
    await csms.call(sid, "TriggerMessage", {"requestedMessage": "Heartbeat"})
    await csms.wait_for(sid, "Heartbeat")
    await csms.call(sid, "TriggerMessage", {"requestedMessage": "MeterValues"})
    if protocol == "1.6":
        mv = await csms.wait_for(sid, "MeterValues")
        assert mv["meterValue"][0]["sampledValue"][0]["context"] == "Trigger"
    else:
        await csms.wait_for(sid, "MeterValues")
        await csms.call(sid, "TriggerMessage", {"requestedMessage": "TransactionEvent"})
        ev = await csms.wait_for(sid, "TransactionEvent", lambda p: p["triggerReason"] == "Trigger")
        assert ev["eventType"] == "Updated"
    assert csms.errors == []


async def test_firmware_and_log_uploads(csms: FakeCsms, station_factory: StationFactory,
                                        protocol: str) -> None:
    st = await booted(station_factory, protocol)
    sid = st.station_id
    with file_server() as http:  # the station really downloads and uploads
        http.files["/fw.bin"] = b"\x7fFIRMWARE" * 100
        if protocol == "1.6":
            await csms.call(sid, "UpdateFirmware", {"location": http.url("/fw.bin"),
                                                    "retrieveDate": "2000-01-01T00:00:00Z"})
            reply = await csms.call(sid, "GetDiagnostics", {"location": http.url("/up/")})
            assert reply["fileName"].startswith("diagnostics-")
            await csms.wait_for(sid, "DiagnosticsStatusNotification", count=2)
            assert [p["status"] for p in csms.payloads(
                sid, "DiagnosticsStatusNotification")] == ["Uploading", "Uploaded"]
            upload = http.uploads[0]  # POSTed as multipart to the directory + its file name
            assert (upload.method, upload.path) == ("POST", "/up/" + reply["fileName"])
            assert upload.content_type.startswith("multipart/form-data")
        else:
            await csms.call(sid, "UpdateFirmware", {"requestId": 5, "firmware": {
                "location": http.url("/fw.bin"), "retrieveDateTime": "2000-01-01T00:00:00Z"}})
            reply = await csms.call(sid, "GetLog", {"logType": "DiagnosticsLog", "requestId": 6,
                                                    "log": {"remoteLocation": http.url("/up/")}})
            assert reply["status"] == "Accepted"
            await csms.wait_for(sid, "LogStatusNotification", count=2)
            assert all(p["requestId"] == 6 for p in csms.payloads(sid, "LogStatusNotification"))
            upload = http.uploads[0]  # PUT raw
            assert (upload.method, upload.path) == ("PUT", "/up/" + reply["filename"])
            assert sid.encode() in upload.body
        await csms.wait_for(sid, "FirmwareStatusNotification", count=4)
        assert http.gets == ["/fw.bin"]
    assert [p["status"] for p in csms.payloads(sid, "FirmwareStatusNotification")] == [
        "Downloading", "Downloaded", "Installing", "Installed"]
    assert csms.errors == []


async def test_firmware_that_cannot_be_fetched_fails(csms: FakeCsms,
                                                     station_factory: StationFactory,
                                                     protocol: str) -> None:
    st = await booted(station_factory, protocol)
    with file_server() as http:
        missing = http.url("/missing.bin")
        if protocol == "1.6":
            await csms.call(st.station_id, "UpdateFirmware", {
                "location": missing, "retrieveDate": "2000-01-01T00:00:00Z", "retries": 1,
                "retryInterval": 1})
        else:
            await csms.call(st.station_id, "UpdateFirmware", {"requestId": 7, "retries": 1,
                                                              "retryInterval": 1, "firmware": {
                "location": missing, "retrieveDateTime": "2000-01-01T00:00:00Z"}})
        await csms.wait_for(st.station_id, "FirmwareStatusNotification", count=2)
        assert http.gets == ["/missing.bin"] * 2  # one retry
    assert [p["status"] for p in csms.payloads(st.station_id, "FirmwareStatusNotification")] == [
        "Downloading", "DownloadFailed"]


async def test_reservation_is_held_and_consumed(csms: FakeCsms, station_factory: StationFactory,
                                                protocol: str) -> None:
    st = await booted(station_factory, protocol)
    sid = st.station_id
    if protocol == "1.6":
        req = {"connectorId": 1, "expiryDate": FUTURE, "idTag": "RES", "reservationId": 3}
    else:
        req = {"id": 3, "expiryDateTime": FUTURE, "evseId": 1,
               "idToken": {"idToken": "RES", "type": "ISO14443"}}
    assert await csms.call(sid, "ReserveNow", req) == {"status": "Accepted"}
    await csms.wait_for(sid, "StatusNotification", lambda p: status_of(p) == "Reserved")
    await st.start_transaction(1, "RES")
    if protocol == "1.6":
        assert csms.payloads(sid, "StartTransaction")[0]["reservationId"] == 3
    else:
        assert csms.payloads(sid, "TransactionEvent")[0]["reservationId"] == 3
    assert st.reservations == {}
    assert csms.errors == []


async def test_rejected_token_stops_transaction(csms: FakeCsms, station_factory: StationFactory,
                                                protocol: str) -> None:
    st = await booted(station_factory, protocol)
    if protocol == "1.6":
        csms.overrides["StartTransaction"] = lambda s, p: {
            "transactionId": 5, "idTagInfo": {"status": "Blocked"}}
    else:
        csms.overrides["TransactionEvent"] = lambda s, p: (
            {"idTokenInfo": {"status": "Blocked"}} if p["eventType"] == "Started" else {})
    await st.start_transaction(1, "BLOCKED")
    await wait_until(lambda: not st.transactions)
    assert csms.errors == []
