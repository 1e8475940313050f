"""Malformed frames get the CALLERROR that OCPP-J names, spelled per version; the connection
and the process live on (every case ends with a normal call on the same socket).

1.6 spells FormationViolation / OccurenceConstraintViolation and has neither
RpcFrameworkError nor MessageTypeNotSupported (see csms/ocpp/errors.py for the mapping).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from csms.app import CsmsServer
from tests.helpers import raw_station
from tests.ocpp.support import boot, register

pytestmark = pytest.mark.asyncio(loop_scope="module")

NOT_RPC = ("-1", "FormationViolation", "RpcFrameworkError")
MALFORMED_CALL = ("bf-1", "ProtocolError", "RpcFrameworkError")
BAD_PAYLOAD = ("bf-1", "FormationViolation", "FormatViolation")

# name -> (frame, (reply id, 1.6 code, 2.0.1 code)); frames valid in both versions
COMMON: dict[str, tuple[Any, tuple[str, str, str]]] = {
    "not-json": ("hello{", NOT_RPC),
    "json-object": ('{"messageTypeId": 2}', NOT_RPC),
    "json-string": ('"[2]"', NOT_RPC),
    "empty-array": ("[]", NOT_RPC),
    "type-id-only": ("[2]", NOT_RPC),
    "type-as-string": (["2", "bf-1", "Heartbeat", {}], ("bf-1", *NOT_RPC[1:])),
    "type-null": ([None, "bf-1", "Heartbeat", {}], ("bf-1", *NOT_RPC[1:])),
    "unknown-type-7": ([7, "bf-1", "Heartbeat", {}], ("bf-1", "ProtocolError",
                                                      "MessageTypeNotSupported")),
    "id-not-string": ([2, 12345, "Heartbeat", {}], NOT_RPC),
    "id-null": ([2, None, "Heartbeat", {}], NOT_RPC),
    "call-3-elements": ([2, "bf-1", "Heartbeat"], MALFORMED_CALL),
    "call-5-elements": ([2, "bf-1", "Heartbeat", {}, {}], MALFORMED_CALL),
    "action-not-string": ([2, "bf-1", 42, {}], MALFORMED_CALL),
    "payload-list": ([2, "bf-1", "Heartbeat", []], BAD_PAYLOAD),
    "payload-null": ([2, "bf-1", "Heartbeat", None], BAD_PAYLOAD),
    "payload-string": ([2, "bf-1", "Heartbeat", "{}"], BAD_PAYLOAD),
    "additional-property": ([2, "bf-1", "Heartbeat", {"uptime": 5}], BAD_PAYLOAD),
}

SCHEMA_16: dict[str, tuple[Any, tuple[str, str, str]]] = {
    "missing-required": (
        [2, "bf-1", "Authorize", {}], ("bf-1", "OccurenceConstraintViolation", "")),
    "wrong-type": (
        [2, "bf-1", "StatusNotification",
         {"connectorId": "1", "errorCode": "NoError", "status": "Available"}],
        ("bf-1", "TypeConstraintViolation", "")),
    "wrong-nested-type": (
        [2, "bf-1", "MeterValues",
         {"connectorId": 1, "meterValue": [{"timestamp": "2025-03-14T09:00:00Z",
                                            "sampledValue": [{"value": 12}]}]}],
        ("bf-1", "TypeConstraintViolation", "")),
    "enum-violation": (
        [2, "bf-1", "StatusNotification",
         {"connectorId": 1, "errorCode": "NoError", "status": "Busy"}],
        ("bf-1", "PropertyConstraintViolation", "")),
    "over-long-string": (
        [2, "bf-1", "Authorize", {"idTag": "X" * 21}],
        ("bf-1", "PropertyConstraintViolation", "")),
    "unparseable-timestamp": (
        [2, "bf-1", "StatusNotification",
         {"connectorId": 1, "errorCode": "NoError", "status": "Available",
          "timestamp": "14/03/2025 09:00"}],
        ("bf-1", "PropertyConstraintViolation", "")),
    "empty-array-minitems": (
        [2, "bf-1", "MeterValues", {"connectorId": 1, "meterValue": []}],
        ("bf-1", "OccurenceConstraintViolation", "")),
}

SCHEMA_201: dict[str, tuple[Any, tuple[str, str, str]]] = {
    "missing-required": (
        [2, "bf-1", "Authorize", {}], ("bf-1", "", "OccurrenceConstraintViolation")),
    "wrong-type": (
        [2, "bf-1", "StatusNotification",
         {"timestamp": "2025-03-14T09:00:00Z", "connectorStatus": "Available",
          "evseId": "1", "connectorId": 1}],
        ("bf-1", "", "TypeConstraintViolation")),
    "wrong-nested-type": (
        [2, "bf-1", "Authorize", {"idToken": {"idToken": 1234, "type": "ISO14443"}}],
        ("bf-1", "", "TypeConstraintViolation")),
    "enum-violation": (
        [2, "bf-1", "StatusNotification",
         {"timestamp": "2025-03-14T09:00:00Z", "connectorStatus": "Busy",
          "evseId": 1, "connectorId": 1}],
        ("bf-1", "", "PropertyConstraintViolation")),
    "over-long-string": (
        [2, "bf-1", "Authorize", {"idToken": {"idToken": "X" * 37, "type": "ISO14443"}}],
        ("bf-1", "", "PropertyConstraintViolation")),
    "unparseable-timestamp": (
        [2, "bf-1", "StatusNotification",
         {"timestamp": "yesterday", "connectorStatus": "Available", "evseId": 1,
          "connectorId": 1}],
        ("bf-1", "", "PropertyConstraintViolation")),
    "nested-additional-property": (
        [2, "bf-1", "Authorize", {"idToken": {"idToken": "AB", "type": "ISO14443", "x": 1}}],
        ("bf-1", "", "FormatViolation")),
}

CASES = (
    [(p, n, f, e) for p in ("ocpp1.6", "ocpp2.0.1") for n, (f, e) in COMMON.items()]
    + [("ocpp1.6", n, f, e) for n, (f, e) in SCHEMA_16.items()]
    + [("ocpp2.0.1", n, f, e) for n, (f, e) in SCHEMA_201.items()]
)


@pytest.mark.parametrize(
    ("protocol", "name", "frame", "expected"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES]
)
async def test_bad_frame_gets_the_specs_callerror(
    shared_server: CsmsServer, shared_api: httpx.AsyncClient, station_id: str,
    protocol: str, name: str, frame: Any, expected: tuple[str, str, str],
) -> None:
    uid, code16, code201 = expected
    await register(shared_api, station_id)
    async with raw_station(shared_server, station_id, protocol) as st:
        await boot(st, protocol)
        await st.send(frame)
        reply = await st.recv()
        assert reply[0] == 4 and reply[1] == uid, reply
        assert reply[2] == (code16 if protocol == "ocpp1.6" else code201), reply
        assert isinstance(reply[3], str) and len(reply[3]) <= 255
        assert isinstance(reply[4], dict)
        assert (await st.call("Heartbeat", {}))[0] == 3


SILENT: dict[str, str | bytes | list[Any]] = {
    "binary-frame": b'[2,"bf-1","Heartbeat",{}]',
    "binary-garbage": b"\x00\xff\x10",
    "callresult-unknown-id": [3, "never-sent", {"status": "Accepted"}],
    "callerror-unknown-id": [4, "never-sent", "GenericError", "", {}],
    "callresult-too-short": [3],
    "callresult-id-not-string": [3, 17, {}],
}


@pytest.mark.parametrize("protocol", ["ocpp1.6", "ocpp2.0.1"])
@pytest.mark.parametrize("name", list(SILENT))
async def test_frame_that_is_not_answered(
    shared_server: CsmsServer, shared_api: httpx.AsyncClient, station_id: str,
    protocol: str, name: str,
) -> None:
    await register(shared_api, station_id)
    async with raw_station(shared_server, station_id, protocol) as st:
        await boot(st, protocol)
        frame = SILENT[name]
        await (st.ws.send(frame) if isinstance(frame, bytes) else st.send(frame))
        # frames are handled in order: the first thing back must be the heartbeat's reply
        await st.send([2, "hb-after", "Heartbeat", {}])
        reply = await st.recv()
        assert reply[:2] == [3, "hb-after"], reply
