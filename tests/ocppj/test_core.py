"""The OCPP-J core on its own: frames in, events out; calls out, text to write. No sockets,
no event loop, no clock but the numbers the tests pass in."""

from __future__ import annotations

import json

import pytest

import ocppj
from ocppj import (
    Answered,
    BadFrame,
    Call,
    CallError,
    CallInFlight,
    CallResult,
    Connection,
    OutgoingCall,
)


def ids() -> Connection:
    counter = iter(range(1, 1000))
    return Connection(ocppj.V201, new_id=lambda: f"id-{next(counter)}")


def test_a_call_received_is_an_event_and_its_answer_is_text() -> None:
    c = ids()
    event = c.receive('[2,"m1","Heartbeat",{}]')
    assert event == Call("m1", "Heartbeat", {})
    text = c.send_result("m1", {"currentTime": "2026-06-21T12:00:00Z"})
    assert json.loads(text) == [3, "m1", {"currentTime": "2026-06-21T12:00:00Z"}]


@pytest.mark.parametrize(("text", "expected"), [
    ("not json", BadFrame("-1", "RpcFrameworkError", "frame is not JSON")),
    ("{}", BadFrame("-1", "RpcFrameworkError", "frame is not an OCPP-J message")),
    ("[]", BadFrame("-1", "RpcFrameworkError", "frame is not an OCPP-J message")),
    ('[2, 5, "Heartbeat", {}]', BadFrame("-1", "RpcFrameworkError",
                                         "frame is not an OCPP-J message")),
    ('[true, "m", "Heartbeat", {}]', BadFrame("m", "RpcFrameworkError",
                                              "frame is not an OCPP-J message")),
    ('[2.0, "m", "Heartbeat", {}]', BadFrame("m", "RpcFrameworkError",
                                             "frame is not an OCPP-J message")),
    ('[2, "-1", "Heartbeat", {}]', BadFrame("-1", "RpcFrameworkError",
                                            "frame is not an OCPP-J message")),
    ('[7, "m"]', BadFrame("m", "MessageTypeNotSupported", "message type 7 unknown")),
    ('[2, "m", "Heartbeat"]', BadFrame("m", "MalformedCall",
                                       "a CALL is [2, messageId, action, payload]")),
    ('[2, "m", 5, {}]', BadFrame("m", "MalformedCall",
                                 "a CALL is [2, messageId, action, payload]")),
])
def test_frames_that_are_not_ocpp_j_name_the_error_to_answer(text: str,
                                                            expected: BadFrame) -> None:
    assert ids().receive(text) == expected


def test_a_payload_of_the_wrong_type_is_left_for_the_receiver_to_judge() -> None:
    """An unknown action is named before a bad payload: routing comes first."""
    assert ids().receive('[2,"m","Heartbeat",5]') == Call("m", "Heartbeat", 5)


def test_what_orjson_refuses_still_reaches_validation() -> None:
    c = ids()
    big = c.receive('[2,"m","DataTransfer",{"n":123456789012345678901234567890}]')
    assert isinstance(big, Call) and big.payload["n"] == pytest.approx(1.2345678901e29)
    nan = c.receive('[2,"m","DataTransfer",{"n":NaN}]')
    assert isinstance(nan, Call) and nan.payload["n"] != nan.payload["n"]
    deep = c.receive('[2,"m","DataTransfer",' + "[" * 2000 + "]" * 2000 + "]")
    assert isinstance(deep, Call | BadFrame)  # never an exception
    assert c.receive("[" * 100_000) == BadFrame("-1", "RpcFrameworkError", "frame is not JSON")


def test_the_reply_to_our_call_is_matched_and_ends_it() -> None:
    c = ids()
    call, text = c.send_call("Reset", {"type": "Soft"}, now=100.0, timeout=30.0)
    assert call == OutgoingCall("id-1", "Reset", 130.0)
    assert json.loads(text) == [2, "id-1", "Reset", {"type": "Soft"}]
    assert c.outstanding is call and c.next_deadline == 130.0
    event = c.receive('[3,"id-1",{"status":"Accepted"}]')
    assert event == Answered(call, CallResult("id-1", {"status": "Accepted"}))
    assert c.outstanding is None and c.next_deadline is None
    # the same reply again answers nothing
    assert c.receive('[3,"id-1",{"status":"Accepted"}]') == CallResult(
        "id-1", {"status": "Accepted"})


def test_a_callerror_is_matched_and_read_leniently() -> None:
    c = ids()
    call, _ = c.send_call("Reset", {"type": "Soft"}, now=0.0, timeout=1.0)
    assert c.receive('[4,"id-1","NotSupported","no",{"a":1}]') == Answered(
        call, CallError("id-1", "NotSupported", "no", {"a": 1}))
    call, _ = c.send_call("Reset", {"type": "Soft"}, now=0.0, timeout=1.0)
    assert c.receive('[4,"id-2"]') == Answered(call, CallError("id-2", "", "", None))
    call, _ = c.send_call("Reset", {"type": "Soft"}, now=0.0, timeout=1.0)
    assert c.receive('[3,"id-3"]') == Answered(call, CallResult("id-3", {}))


def test_one_call_in_flight_at_a_time() -> None:
    c = ids()
    c.send_call("Reset", {}, now=0.0, timeout=5.0)
    with pytest.raises(CallInFlight):
        c.send_call("ClearCache", {}, now=1.0, timeout=5.0)
    assert c.receive('[3,"other",{}]') == CallResult("other", {})  # not ours: still waiting
    assert c.outstanding is not None
    c.receive('[3,"id-1",{}]')
    c.send_call("ClearCache", {}, now=2.0, timeout=5.0)


def test_the_deadline_is_on_the_callers_clock_and_a_late_reply_matches_nothing() -> None:
    c = ids()
    call, _ = c.send_call("Reset", {}, now=10.0, timeout=5.0)
    assert c.expire(14.9) is None
    assert c.outstanding is call
    assert c.expire(15.0) is call
    assert c.outstanding is None
    assert c.receive('[3,"id-1",{}]') == CallResult("id-1", {})
    c.send_call("ClearCache", {}, now=16.0, timeout=5.0)  # the slot is free again


def test_an_abandoned_call_frees_the_slot_only_for_its_own_id() -> None:
    c = ids()
    call, _ = c.send_call("Reset", {}, now=0.0, timeout=5.0)
    assert c.abandon("someone-else") is None
    assert c.abandon("id-1") is call and c.outstanding is None


def test_a_payload_that_cannot_be_written_leaves_no_call_behind() -> None:
    c = ids()
    with pytest.raises(TypeError):
        c.send_call("DataTransfer", {"data": object()}, now=0.0, timeout=5.0)
    assert c.outstanding is None


@pytest.mark.parametrize(("version", "code", "wire"), [
    ("1.6", "RpcFrameworkError", "FormationViolation"),
    ("1.6", "FormatViolation", "FormationViolation"),
    ("1.6", "OccurrenceConstraintViolation", "OccurenceConstraintViolation"),
    ("1.6", "MessageTypeNotSupported", "ProtocolError"),
    ("1.6", "MalformedCall", "ProtocolError"),
    ("2.0.1", "MalformedCall", "RpcFrameworkError"),
    ("2.0.1", "FormatViolation", "FormatViolation"),
    ("2.0.1", "MessageTypeNotSupported", "MessageTypeNotSupported"),
])
def test_callerror_codes_are_spelled_per_version(version: str, code: str, wire: str) -> None:
    text = Connection(version).send_error("m", code, "x" * 300)
    frame = json.loads(text)
    assert frame == [4, "m", wire, "x" * 255, {}]


def test_big_integers_are_still_written() -> None:
    text = ids().send_result("m", {"n": 2**70})
    assert json.loads(text) == [3, "m", {"n": 2**70}]
