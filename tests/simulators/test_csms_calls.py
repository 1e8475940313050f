"""CSMS-initiated calls: every reply validates against the official schemas and is acted on."""

from __future__ import annotations

from typing import Any

import pytest

from simulators import SimStation
from tests.simulators.conftest import StationFactory
from tests.simulators.fake_csms import FakeCsms, StationCallError

FUTURE = "2099-01-01T00:00:00Z"
PAST = "2000-01-01T00:00:00Z"

V16_PROFILE = {"chargingProfileId": 7, "stackLevel": 1,
               "chargingProfilePurpose": "TxDefaultProfile", "chargingProfileKind": "Absolute",
               "chargingSchedule": {"chargingRateUnit": "A", "startSchedule": PAST,
                                    "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16.0}]}}
V201_PROFILE = {"id": 7, "stackLevel": 1, "chargingProfilePurpose": "TxDefaultProfile",
                "chargingProfileKind": "Absolute",
                "chargingSchedule": [{"id": 1, "chargingRateUnit": "W", "startSchedule": PAST,
                                      "chargingSchedulePeriod": [{"startPeriod": 0,
                                                                  "limit": 7400.0}]}]}
COMPONENT = {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}}

# (action, request, expected subset of the reply)
V16_TABLE: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("UnlockConnector", {"connectorId": 1}, {"status": "Unlocked"}),
    ("UnlockConnector", {"connectorId": 9}, {"status": "NotSupported"}),
    ("GetConfiguration", {}, {}),
    ("GetConfiguration", {"key": ["HeartbeatInterval", "Nope"]}, {"unknownKey": ["Nope"]}),
    ("ChangeConfiguration", {"key": "MeterValueSampleInterval", "value": "30"},
     {"status": "Accepted"}),
    ("ChangeConfiguration", {"key": "HeartbeatInterval", "value": "60"}, {"status": "Accepted"}),
    ("ChangeConfiguration", {"key": "NumberOfConnectors", "value": "4"}, {"status": "Rejected"}),
    ("ChangeConfiguration", {"key": "HeartbeatInterval", "value": "abc"}, {"status": "Rejected"}),
    ("ChangeConfiguration", {"key": "Nope", "value": "1"}, {"status": "NotSupported"}),
    ("ClearCache", {}, {"status": "Accepted"}),
    ("DataTransfer", {"vendorId": "csms-sim", "data": "hi"}, {"status": "Accepted", "data": "hi"}),
    ("DataTransfer", {"vendorId": "other"}, {"status": "UnknownVendorId"}),
    ("GetCompositeSchedule", {"connectorId": 1, "duration": 600}, {"status": "Rejected"}),
    ("SetChargingProfile", {"connectorId": 1, "csChargingProfiles": V16_PROFILE},
     {"status": "Accepted"}),
    ("GetCompositeSchedule", {"connectorId": 1, "duration": 600, "chargingRateUnit": "A"},
     {"status": "Accepted", "connectorId": 1}),
    ("ClearChargingProfile", {"id": 7}, {"status": "Accepted"}),
    ("ClearChargingProfile", {"id": 7}, {"status": "Unknown"}),
    ("ReserveNow", {"connectorId": 0, "expiryDate": FUTURE, "idTag": "T", "reservationId": 1},
     {"status": "Rejected"}),
    ("CancelReservation", {"reservationId": 99}, {"status": "Rejected"}),
    ("SendLocalList", {"listVersion": 3, "updateType": "Full",
                       "localAuthorizationList": [{"idTag": "T",
                                                   "idTagInfo": {"status": "Accepted"}}]},
     {"status": "Accepted"}),
    ("GetLocalListVersion", {}, {"listVersion": 3}),
    ("RemoteStopTransaction", {"transactionId": 12345}, {"status": "Rejected"}),
    ("TriggerMessage", {"requestedMessage": "Heartbeat"}, {"status": "Accepted"}),
    ("TriggerMessage", {"requestedMessage": "StatusNotification", "connectorId": 1},
     {"status": "Accepted"}),
    ("TriggerMessage", {"requestedMessage": "MeterValues", "connectorId": 1},
     {"status": "Accepted"}),
    ("TriggerMessage", {"requestedMessage": "DiagnosticsStatusNotification"},
     {"status": "Accepted"}),
    ("TriggerMessage", {"requestedMessage": "FirmwareStatusNotification"},
     {"status": "Accepted"}),
    ("TriggerMessage", {"requestedMessage": "BootNotification"}, {"status": "Accepted"}),
    ("ChangeAvailability", {"connectorId": 1, "type": "Operative"}, {"status": "Accepted"}),
]

V201_TABLE: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("UnlockConnector", {"evseId": 1, "connectorId": 1}, {"status": "Unlocked"}),
    ("UnlockConnector", {"evseId": 5, "connectorId": 1}, {"status": "UnknownConnector"}),
    ("GetVariables", {"getVariableData": [
        COMPONENT, {"component": {"name": "ChargingStation"}, "variable": {"name": "Model"}},
        {"component": {"name": "Nope"}, "variable": {"name": "X"}},
        {"component": {"name": "AuthCtrlr"}, "variable": {"name": "Nope"}},
        {"component": {"name": "SecurityCtrlr"}, "variable": {"name": "BasicAuthPassword"}}]},
     {}),
    ("SetVariables", {"setVariableData": [
        {**COMPONENT, "attributeValue": "120"},
        {"component": {"name": "ChargingStation"}, "variable": {"name": "Model"},
         "attributeValue": "X"},
        {"component": {"name": "Nope"}, "variable": {"name": "X"}, "attributeValue": "1"}]},
     {}),
    ("ClearCache", {}, {"status": "Accepted"}),
    ("DataTransfer", {"vendorId": "csms-sim", "data": {"a": 1}},
     {"status": "Accepted", "data": {"a": 1}}),
    ("DataTransfer", {"vendorId": "other"}, {"status": "UnknownVendorId"}),
    ("GetCompositeSchedule", {"duration": 600, "evseId": 1}, {"status": "Rejected"}),
    ("SetChargingProfile", {"evseId": 1, "chargingProfile": V201_PROFILE},
     {"status": "Accepted"}),
    ("GetCompositeSchedule", {"duration": 600, "evseId": 1, "chargingRateUnit": "W"},
     {"status": "Accepted"}),
    ("GetChargingProfiles", {"requestId": 4, "chargingProfile": {"stackLevel": 1}},
     {"status": "Accepted"}),
    ("ClearChargingProfile", {"chargingProfileId": 7}, {"status": "Accepted"}),
    ("GetChargingProfiles", {"requestId": 5, "chargingProfile": {}}, {"status": "NoProfiles"}),
    ("ClearChargingProfile", {"chargingProfileId": 7}, {"status": "Unknown"}),
    ("CancelReservation", {"reservationId": 99}, {"status": "Rejected"}),
    ("SendLocalList", {"versionNumber": 3, "updateType": "Full"}, {"status": "Accepted"}),
    ("GetLocalListVersion", {}, {"versionNumber": 3}),
    ("RequestStopTransaction", {"transactionId": "nope"}, {"status": "Rejected"}),
    ("GetTransactionStatus", {"transactionId": "nope"},
     {"messagesInQueue": False, "ongoingIndicator": False}),
    ("GetTransactionStatus", {}, {"messagesInQueue": False}),
    ("CostUpdated", {"totalCost": 1.5, "transactionId": "t"}, {}),
    ("GetBaseReport", {"requestId": 1, "reportBase": "FullInventory"}, {"status": "Accepted"}),
    ("GetReport", {"requestId": 2, "componentVariable": [{"component": {"name": "AuthCtrlr"}}]},
     {"status": "Accepted"}),
    ("GetReport", {"requestId": 3, "componentVariable": [{"component": {"name": "Nope"}}]},
     {"status": "EmptyResultSet"}),
    ("SetDisplayMessage", {"message": {"id": 1, "priority": "NormalCycle",
                                       "message": {"format": "UTF8", "content": "hi"}}},
     {"status": "Accepted"}),
    ("GetDisplayMessages", {"requestId": 6}, {"status": "Accepted"}),
    ("ClearDisplayMessage", {"id": 1}, {"status": "Accepted"}),
    ("GetDisplayMessages", {"requestId": 7}, {"status": "Unknown"}),
    ("TriggerMessage", {"requestedMessage": "Heartbeat"}, {"status": "Accepted"}),
    ("TriggerMessage", {"requestedMessage": "StatusNotification",
                        "evse": {"id": 1, "connectorId": 1}}, {"status": "Accepted"}),
    ("TriggerMessage", {"requestedMessage": "MeterValues"}, {"status": "Accepted"}),
    ("TriggerMessage", {"requestedMessage": "FirmwareStatusNotification"},
     {"status": "Accepted"}),
    ("TriggerMessage", {"requestedMessage": "LogStatusNotification"}, {"status": "Accepted"}),
    ("TriggerMessage", {"requestedMessage": "TransactionEvent"}, {"status": "Rejected"}),
    ("TriggerMessage", {"requestedMessage": "BootNotification"}, {"status": "Rejected"}),
    ("TriggerMessage", {"requestedMessage": "SignV2GCertificate"}, {"status": "Accepted"}),
    ("TriggerMessage", {"requestedMessage": "PublishFirmwareStatusNotification"},
     {"status": "Accepted"}),
    ("ChangeAvailability", {"operationalStatus": "Operative"}, {"status": "Accepted"}),
    ("Reset", {"type": "Immediate", "evseId": 9}, {"status": "Rejected"}),
]


async def booted(factory: StationFactory, protocol: str, **kw: Any) -> SimStation:
    st = await factory(protocol, **kw)
    assert await st.boot() == "Accepted"
    return st


@pytest.mark.parametrize(("protocol", "table"), [("1.6", V16_TABLE), ("2.0.1", V201_TABLE)])
async def test_replies_are_schema_valid(csms: FakeCsms, station_factory: StationFactory,
                                        protocol: str, table: list[Any]) -> None:
    st = await booted(station_factory, protocol)
    for action, request, expected in table:
        reply = await csms.call(st.station_id, action, request)
        assert csms.errors == [], (action, csms.errors)
        assert reply.items() >= expected.items(), (action, request, reply)
    assert {a for a, _ in st.received} == {a for a, _, _ in table}
    assert st.meter_interval_s == (30.0 if protocol == "1.6" else 3600.0)


async def test_v16_change_configuration_applies(csms: FakeCsms,
                                                station_factory: StationFactory) -> None:
    st = await booted(station_factory, "1.6")
    await csms.call(st.station_id, "ChangeConfiguration", {"key": "HeartbeatInterval",
                                                           "value": "60"})
    assert st.heartbeat_interval == 60
    got = await csms.call(st.station_id, "GetConfiguration", {"key": ["HeartbeatInterval"]})
    assert got["configurationKey"] == [{"key": "HeartbeatInterval", "readonly": False,
                                        "value": "60"}]


async def test_v201_device_model_results(csms: FakeCsms, station_factory: StationFactory) -> None:
    st = await booted(station_factory, "2.0.1")
    got = await csms.call(st.station_id, "GetVariables", V201_TABLE[2][1])
    assert [r["attributeStatus"] for r in got["getVariableResult"]] == [
        "Accepted", "Accepted", "UnknownComponent", "UnknownVariable", "Rejected"]
    assert got["getVariableResult"][0]["attributeValue"] == "300"
    got = await csms.call(st.station_id, "SetVariables", V201_TABLE[3][1])
    assert [r["attributeStatus"] for r in got["setVariableResult"]] == [
        "Accepted", "Rejected", "UnknownComponent"]
    assert st.heartbeat_interval == 120
    await csms.call(st.station_id, "SetVariables", {"setVariableData": [{
        "component": {"name": "SampledDataCtrlr"}, "variable": {"name": "TxUpdatedInterval"},
        "attributeValue": "15"}]})
    assert st.meter_interval_s == 15
    await csms.call(st.station_id, "GetBaseReport", {"requestId": 9, "reportBase": "FullInventory"})
    last = await csms.wait_for(st.station_id, "NotifyReport", lambda p: not p["tbc"])
    reports = csms.payloads(st.station_id, "NotifyReport")
    assert [r["seqNo"] for r in reports] == list(range(len(reports))) and last["requestId"] == 9
    names = {(d["component"]["name"], d["variable"]["name"]) for r in reports
             for d in r["reportData"]}
    assert ("SampledDataCtrlr", "TxUpdatedInterval") in names
    assert csms.errors == []


async def test_unknown_action_gets_not_implemented(csms: FakeCsms, station_factory: StationFactory,
                                                   protocol: str) -> None:
    st = await booted(station_factory, protocol)
    # every CSMS-initiated action of both versions may be simulated: an unknown one
    with pytest.raises(StationCallError) as err:
        await csms.call(st.station_id, "FutureAction", {}, validate=False)
    assert err.value.code == "NotImplemented"


async def test_invalid_request_gets_schema_error(csms: FakeCsms, station_factory: StationFactory,
                                                 protocol: str) -> None:
    st = await booted(station_factory, protocol)
    with pytest.raises(StationCallError) as err:
        await csms.call(st.station_id, "Reset", {"type": 5}, validate=False)
    assert err.value.code == "TypeConstraintViolation"
    with pytest.raises(StationCallError) as err:
        await csms.call(st.station_id, "ClearCache", {"bogus": 1}, validate=False)
    assert err.value.code == ("FormationViolation" if protocol == "1.6" else "FormatViolation")
    assert st.boots == 1
