"""Version-agnostic commands: what each station version receives, and what the API returns.

One server and two connected stations (C16, C201) serve the whole module; every test that
expects nothing to be sent proves it by checking that the next CALL is its probe.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from tests.api.support import answer_call, assert_detail, command, register
from tests.helpers import RawStation

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture
def api(shared_api: httpx.AsyncClient) -> httpx.AsyncClient:
    return shared_api


# (command, body, expected action, expected payload, station reply, expected API reply)
CASES_16: list[tuple[str, Any, str, dict[str, Any], dict[str, Any], dict[str, Any]]] = [
    ("remote-start", {"id_token": "TAG1", "connector_id": 2},
     "RemoteStartTransaction", {"idTag": "TAG1", "connectorId": 2},
     {"status": "Accepted"}, {"status": "Accepted"}),
    ("remote-start", {"id_token": "TAG1"},
     "RemoteStartTransaction", {"idTag": "TAG1"},
     {"status": "Rejected"}, {"status": "Rejected"}),
    ("remote-stop", {"transaction_id": "17"},
     "RemoteStopTransaction", {"transactionId": 17},
     {"status": "Accepted"}, {"status": "Accepted"}),
    ("reset", {"type": "hard"}, "Reset", {"type": "Hard"},
     {"status": "Accepted"}, {"status": "Accepted"}),
    ("reset", None, "Reset", {"type": "Soft"},
     {"status": "Rejected"}, {"status": "Rejected"}),
    ("unlock", {"connector_id": 2}, "UnlockConnector", {"connectorId": 2},
     {"status": "Unlocked"}, {"status": "Unlocked"}),
    ("change-availability", {"connector_id": 1, "operative": False},
     "ChangeAvailability", {"connectorId": 1, "type": "Inoperative"},
     {"status": "Scheduled"}, {"status": "Scheduled"}),
    ("change-availability", {"operative": True},
     "ChangeAvailability", {"connectorId": 0, "type": "Operative"},
     {"status": "Accepted"}, {"status": "Accepted"}),
    ("trigger-message", {"message": "StatusNotification", "evse_id": 1},
     "TriggerMessage", {"requestedMessage": "StatusNotification", "connectorId": 1},
     {"status": "Accepted"}, {"status": "Accepted"}),
    ("trigger-message", {"message": "LogStatusNotification"},  # security extension only
     "ExtendedTriggerMessage", {"requestedMessage": "LogStatusNotification"},
     {"status": "NotImplemented"}, {"status": "NotImplemented"}),
    ("get-configuration", {"keys": ["HeartbeatInterval", "Nope"]},
     "GetConfiguration", {"key": ["HeartbeatInterval", "Nope"]},
     {"configurationKey": [{"key": "HeartbeatInterval", "readonly": False, "value": "300"}],
      "unknownKey": ["Nope"]},
     {"status": "Accepted",
      "configuration": [{"key": "HeartbeatInterval", "value": "300", "readonly": False}],
      "unknown_keys": ["Nope"]}),
    ("get-configuration", None, "GetConfiguration", {},
     {"configurationKey": [{"key": "A", "readonly": True}]},
     {"status": "Accepted", "configuration": [{"key": "A", "value": None, "readonly": True}],
      "unknown_keys": []}),
    ("set-configuration", {"key": "HeartbeatInterval", "value": "60"},
     "ChangeConfiguration", {"key": "HeartbeatInterval", "value": "60"},
     {"status": "RebootRequired"}, {"status": "RebootRequired", "reboot_required": True}),
    ("clear-cache", None, "ClearCache", {},
     {"status": "Accepted"}, {"status": "Accepted"}),
    ("clear-cache", {}, "ClearCache", {},
     {"status": "Rejected"}, {"status": "Rejected"}),
    ("data-transfer", {"vendor_id": "com.example", "message_id": "ping", "data": {"a": 1}},
     "DataTransfer", {"vendorId": "com.example", "messageId": "ping", "data": '{"a": 1}'},
     {"status": "Accepted", "data": "pong"}, {"status": "Accepted", "data": "pong"}),
]

CASES_201: list[tuple[str, Any, str, dict[str, Any], dict[str, Any], dict[str, Any]]] = [
    ("remote-stop", {"transaction_id": "tx-9"},
     "RequestStopTransaction", {"transactionId": "tx-9"},
     {"status": "Accepted"}, {"status": "Accepted"}),
    ("reset", {"type": "hard"}, "Reset", {"type": "Immediate"},
     {"status": "Scheduled"}, {"status": "Scheduled"}),
    ("reset", None, "Reset", {"type": "OnIdle"},
     {"status": "Rejected", "statusInfo": {"reasonCode": "Busy"}},
     {"status": "Rejected", "reason": "Busy"}),
    ("unlock", {"evse_id": 2, "connector_id": 1}, "UnlockConnector",
     {"evseId": 2, "connectorId": 1},
     {"status": "Unlocked"}, {"status": "Unlocked"}),
    ("change-availability", {"evse_id": 1, "connector_id": 2, "operative": False},
     "ChangeAvailability", {"operationalStatus": "Inoperative",
                            "evse": {"id": 1, "connectorId": 2}},
     {"status": "Accepted"}, {"status": "Accepted"}),
    ("change-availability", {"operative": True},
     "ChangeAvailability", {"operationalStatus": "Operative"},
     {"status": "Accepted"}, {"status": "Accepted"}),
    ("trigger-message", {"message": "StatusNotification", "evse_id": 1},
     "TriggerMessage", {"requestedMessage": "StatusNotification", "evse": {"id": 1}},
     {"status": "Accepted"}, {"status": "Accepted"}),
    ("trigger-message", {"message": "DiagnosticsStatusNotification"},
     "TriggerMessage", {"requestedMessage": "LogStatusNotification"},
     {"status": "Rejected"}, {"status": "Rejected"}),
    ("get-configuration", {"keys": ["OCPPCommCtrlr.HeartbeatInterval", "X.Y"]},
     "GetVariables", {"getVariableData": [
         {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}},
         {"component": {"name": "X"}, "variable": {"name": "Y"}}]},
     {"getVariableResult": [
         {"attributeStatus": "Accepted", "attributeValue": "300",
          "component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}},
         {"attributeStatus": "UnknownComponent",
          "component": {"name": "X"}, "variable": {"name": "Y"}}]},
     {"status": "Accepted", "configuration": [
         {"key": "OCPPCommCtrlr.HeartbeatInterval", "value": "300", "readonly": None}],
      "unknown_keys": ["X.Y"]}),
    ("set-configuration", {"key": "OCPPCommCtrlr.HeartbeatInterval", "value": "60"},
     "SetVariables", {"setVariableData": [
         {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"},
          "attributeValue": "60"}]},
     {"setVariableResult": [
         {"attributeStatus": "Accepted", "component": {"name": "OCPPCommCtrlr"},
          "variable": {"name": "HeartbeatInterval"}}]},
     {"status": "Accepted", "reboot_required": False}),
    ("clear-cache", None, "ClearCache", {},
     {"status": "Accepted"}, {"status": "Accepted"}),
    ("data-transfer", {"vendor_id": "com.example", "data": {"a": [1, 2]}},
     "DataTransfer", {"vendorId": "com.example", "data": {"a": [1, 2]}},
     {"status": "UnknownMessageId", "data": {"b": True}},
     {"status": "UnknownMessageId", "data": {"b": True}}),
]


def _ids(cases: list[Any]) -> list[str]:
    return [f"{c[0]}-{i}" for i, c in enumerate(cases)]


@pytest.mark.parametrize(("name", "body", "action", "sent", "reply", "expected"), CASES_16,
                         ids=_ids(CASES_16))
async def test_command_16(api: httpx.AsyncClient, st16: RawStation, name: str, body: Any,
                          action: str, sent: dict[str, Any], reply: dict[str, Any],
                          expected: dict[str, Any]) -> None:
    frame, r = await command(api, st16, f"/stations/C16/commands/{name}", body, reply)
    assert frame[2:] == [action, sent]
    assert r.status_code == 200, r.text
    assert r.json() == expected


@pytest.mark.parametrize(("name", "body", "action", "sent", "reply", "expected"), CASES_201,
                         ids=_ids(CASES_201))
async def test_command_201(api: httpx.AsyncClient, st201: RawStation, name: str, body: Any,
                           action: str, sent: dict[str, Any], reply: dict[str, Any],
                           expected: dict[str, Any]) -> None:
    frame, r = await command(api, st201, f"/stations/C201/commands/{name}", body, reply)
    assert frame[2:] == [action, sent]
    assert r.status_code == 200, r.text
    assert r.json() == expected


async def test_remote_start_201(api: httpx.AsyncClient, st201: RawStation) -> None:
    body = {"id_token": "TAG2", "evse_id": 1}
    frame, r = await command(api, st201, "/stations/C201/commands/remote-start", body,
                             {"status": "Accepted", "transactionId": "tx-new"})
    assert frame[2] == "RequestStartTransaction"
    sent = frame[3]
    assert sent["idToken"] == {"idToken": "TAG2", "type": "Central"}
    assert sent["evseId"] == 1
    assert isinstance(sent["remoteStartId"], int)
    assert r.status_code == 200, r.text
    assert r.json() == {"status": "Accepted", "remote_start_id": sent["remoteStartId"],
                        "transaction_id": "tx-new"}
    frame2, r2 = await command(api, st201, "/stations/C201/commands/remote-start",
                               {"id_token": "TAG2"}, {"status": "Rejected"})
    assert "evseId" not in frame2[3]
    assert frame2[3]["remoteStartId"] != sent["remoteStartId"]
    assert r2.json()["status"] == "Rejected"


async def test_data_transfer_string_data_is_sent_as_is_16(api: httpx.AsyncClient,
                                                          st16: RawStation) -> None:
    frame, r = await command(api, st16, "/stations/C16/commands/data-transfer",
                             {"vendor_id": "v", "data": "raw text"}, {"status": "Rejected"})
    assert frame[3] == {"vendorId": "v", "data": "raw text"}
    assert json.loads(r.text) == {"status": "Rejected", "data": None}


# --- failures -----------------------------------------------------------------------------

async def test_unknown_station_is_404(api: httpx.AsyncClient) -> None:
    r = await api.post("/stations/ghost/commands/reset", json={"type": "soft"})
    assert "ghost" in assert_detail(r, 404)
    assert_detail(await api.post("/stations/ghost/ocpp/Reset", json={"type": "Soft"}), 404)


async def test_offline_station_is_409(api: httpx.AsyncClient) -> None:
    await register(api, "OFF")
    assert_detail(await api.post("/stations/OFF/commands/reset", json={"type": "soft"}), 409)
    assert_detail(await api.post("/stations/OFF/commands/clear-cache"), 409)
    assert_detail(await api.post("/stations/OFF/ocpp/Reset", json={"type": "Soft"}), 409)


async def test_unknown_command_is_404(api: httpx.AsyncClient, st16: RawStation) -> None:
    detail = assert_detail(await api.post("/stations/C16/commands/self-destruct", json={}), 404)
    assert "self-destruct" in detail
    assert_detail(await api.post("/stations/ghost/commands/self-destruct", json={}), 404)
    await _nothing_sent(api, st16)


async def _nothing_sent(api: httpx.AsyncClient, st: RawStation, station: str = "C16") -> None:
    """The next CALL the station sees is this probe: nothing was sent before it."""
    frame, r = await command(api, st, f"/stations/{station}/commands/clear-cache", None,
                             {"status": "Accepted"})
    assert frame[2] == "ClearCache", frame
    assert r.status_code == 200


@pytest.mark.parametrize(("name", "body"), [
    ("remote-start", {}),
    ("remote-start", {"id_token": ""}),
    ("remote-start", {"id_token": "x" * 37}),
    ("remote-start", {"id_token": "T", "connector_id": -1}),
    ("remote-start", {"id_token": "T", "evse_id": "one"}),
    ("remote-start", {"id_token": "T", "colour": "red"}),
    ("remote-start", {"id_token": 5}),
    ("remote-start", ["T"]),
    ("remote-stop", {}),
    ("remote-stop", {"transaction_id": ""}),
    ("reset", {"type": "medium"}),
    ("reset", {"type": "soft", "when": "now"}),
    ("reset", "soft"),
    ("unlock", {}),
    ("unlock", {"connector_id": -2}),
    ("unlock", {"connector_id": 1.5}),
    ("change-availability", {"connector_id": 1}),
    ("change-availability", {"operative": "perhaps"}),
    ("trigger-message", {}),
    ("trigger-message", {"message": "x" * 65}),
    ("get-configuration", {"keys": "HeartbeatInterval"}),
    ("get-configuration", {"keys": [1, 2]}),
    ("set-configuration", {"key": "A"}),
    ("set-configuration", {"key": "", "value": "1"}),
    ("set-configuration", {"key": "A", "value": "v" * 1001}),
    ("clear-cache", {"now": True}),
    ("data-transfer", {}),
    ("data-transfer", {"vendor_id": "v", "message_id": "m" * 51}),
])
async def test_bad_bodies_are_422_and_nothing_is_sent(api: httpx.AsyncClient, st16: RawStation,
                                                      name: str, body: Any) -> None:
    r = await api.post(f"/stations/C16/commands/{name}", json=body)
    assert_detail(r, 422)
    await _nothing_sent(api, st16)


async def test_malformed_json_body_is_422(api: httpx.AsyncClient, st16: RawStation) -> None:
    r = await api.post("/stations/C16/commands/reset", content=b"{not json",
                       headers={"content-type": "application/json"})
    assert_detail(r, 422)
    r = await api.post("/stations/C16/commands/remote-start", content=b'{"id_token": "T"',
                       headers={"content-type": "application/json"})
    assert_detail(r, 422)
    await _nothing_sent(api, st16)


async def test_16_cannot_express_a_non_integer_transaction_id(api: httpx.AsyncClient,
                                                              st16: RawStation) -> None:
    r = await api.post("/stations/C16/commands/remote-stop", json={"transaction_id": "abc"})
    assert "integer" in assert_detail(r, 422)
    await _nothing_sent(api, st16)


async def test_unknown_trigger_message_is_422(api: httpx.AsyncClient, st16: RawStation,
                                              st201: RawStation) -> None:
    r = await api.post("/stations/C16/commands/trigger-message", json={"message": "Coffee"})
    assert_detail(r, 422)
    await _nothing_sent(api, st16)
    # 2.0.1 has no DiagnosticsStatusNotification-only messages like this one
    r = await api.post("/stations/C201/commands/trigger-message",
                       json={"message": "DiagnosticsStatusNotificationX"})
    assert_detail(r, 422)
    await _nothing_sent(api, st201, "C201")


@pytest.mark.parametrize(("name", "body"), [
    ("get-configuration", {}),
    ("get-configuration", {"keys": []}),
    ("get-configuration", {"keys": ["HeartbeatInterval"]}),
    ("set-configuration", {"key": "HeartbeatInterval", "value": "60"}),
    ("set-configuration", {"key": "Comp.", "value": "60"}),
])
async def test_201_cannot_express_plain_keys(api: httpx.AsyncClient, st201: RawStation,
                                             name: str, body: Any) -> None:
    assert_detail(await api.post(f"/stations/C201/commands/{name}", json=body), 422)
    await _nothing_sent(api, st201, "C201")


async def test_16_schema_limits_are_422(api: httpx.AsyncClient, st16: RawStation) -> None:
    """A 1.6 idTag is at most 20 characters; 2.0.1 allows 36."""
    r = await api.post("/stations/C16/commands/remote-start", json={"id_token": "x" * 21})
    assert_detail(r, 422)
    await _nothing_sent(api, st16)


async def test_callerror_is_502_with_its_code(api: httpx.AsyncClient, st16: RawStation,
                                              st201: RawStation) -> None:
    for sid, st in (("C16", st16), ("C201", st201)):
        frame, r = await command(api, st, f"/stations/{sid}/commands/reset", {"type": "hard"},
                                 error=("NotSupported", "no resets here"))
        assert frame[2] == "Reset"
        detail = assert_detail(r, 502)
        assert detail["error_code"] == "NotSupported"
        assert detail["description"] == "no resets here"
        assert detail["details"] == {"hint": "from test"}


@pytest.mark.parametrize(("version", "name", "body", "reply"), [
    ("C201", "reset", {"type": "hard"}, {"statuz": "Accepted"}),
    ("C201", "reset", None, {"status": "Accepted", "statusInfo": "busy"}),
    ("C201", "set-configuration", {"key": "A.B", "value": "1"}, {"setVariableResult": []}),
    ("C201", "get-configuration", {"keys": ["A.B"]}, {"getVariableResult": [{"x": 1}]}),
    ("C16", "unlock", {"connector_id": 1}, {}),
    ("C16", "get-configuration", None, {"configurationKey": [{"value": "no key"}]}),
    ("C16", "data-transfer", {"vendor_id": "v"}, {"data": "no status"}),
])
async def test_reply_breaking_the_schema_is_502(api: httpx.AsyncClient,
                                                stations: tuple[RawStation, RawStation],
                                                version: str, name: str, body: Any,
                                                reply: dict[str, Any]) -> None:
    """An unusable reply is the station's fault: 502 with a detail, never 422 or 500."""
    st = stations[0] if version == "C16" else stations[1]
    _, r = await command(api, st, f"/stations/{version}/commands/{name}", body, reply)
    detail = assert_detail(r, 502)
    assert name in str(detail)


async def test_concurrent_commands_are_each_answered(api: httpx.AsyncClient,
                                                     st16: RawStation) -> None:
    """Two commands at once: each API call gets its own station reply (one CALL at a time)."""
    first = asyncio.create_task(api.post("/stations/C16/commands/unlock", json={"connector_id": 1}))
    second = asyncio.create_task(api.post("/stations/C16/commands/unlock",
                                          json={"connector_id": 2}))
    replies = {1: "Unlocked", 2: "UnlockFailed"}
    for _ in range(2):
        frame = await st16.recv()
        await st16.send([3, frame[1], {"status": replies[frame[3]["connectorId"]]}])
    assert (await first).json() == {"status": "Unlocked"}
    assert (await second).json() == {"status": "UnlockFailed"}


async def test_answer_call_helper_sees_calls_only(st16: RawStation, api: httpx.AsyncClient) -> None:
    request = asyncio.create_task(api.post("/stations/C16/ocpp/ClearCache", json={}))
    frame = await answer_call(st16, {"status": "Accepted"})
    assert frame[0] == 2 and frame[2] == "ClearCache"
    assert (await request).json() == {"status": "Accepted"}


PROFILE_16 = {"chargingProfileId": 1, "stackLevel": 0, "chargingProfilePurpose": "TxProfile",
              "chargingProfileKind": "Relative", "chargingSchedule": {
                  "chargingRateUnit": "A",
                  "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 10.7}]}}


async def test_remote_start_passes_the_charging_profile_through(api: httpx.AsyncClient,
                                                                st16: RawStation) -> None:
    body = {"id_token": "TAGP", "connector_id": 1, "charging_profile": PROFILE_16}
    frame, r = await command(api, st16, "/stations/C16/commands/remote-start", body,
                             {"status": "Accepted"})
    assert frame[3] == {"idTag": "TAGP", "connectorId": 1, "chargingProfile": PROFILE_16}
    assert r.json() == {"status": "Accepted"}
    bad = PROFILE_16 | {"chargingProfilePurpose": "Whatever"}
    r = await api.post("/stations/C16/commands/remote-start",
                       json={"id_token": "TAGP", "charging_profile": bad})
    assert "chargingProfile" in assert_detail(r, 422)
    await _nothing_sent(api, st16)
