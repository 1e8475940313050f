"""OCPP-J frames (OCPP-J 1.6 §4, 2.0.1 Part 4 §4): JSON arrays read into typed messages and
typed messages written as JSON text, without any I/O.

A frame is `[2, id, action, payload]` (CALL), `[3, id, payload]` (CALLRESULT) or
`[4, id, code, description, details]` (CALLERROR). What cannot be read as one of them becomes
a `BadFrame` naming the CALLERROR to answer it with; a reply is read leniently (missing parts
are empty) because it is never answered, only matched to the call it claims to answer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import orjson

from ocppj.errors import MALFORMED_CALL, MESSAGE_TYPE_NOT_SUPPORTED, RPC_FRAMEWORK_ERROR

CALL, CALLRESULT, CALLERROR = 2, 3, 4
# The id a CALLERROR carries when the frame's own id cannot be read (2.0.1 Part 4 §4.2.3).
UNKNOWN_ID = "-1"

# Messages are built once per frame on the hot path: plain slotted dataclasses (a frozen one
# costs three times as much to build). Treat them as read-only.


@dataclass(slots=True)
class Call:
    """A request from the peer; `payload` is whatever JSON it sent (its type is checked by the
    receiver after routing, so that an unknown action is named before a bad payload)."""

    unique_id: str
    action: str
    payload: Any


@dataclass(slots=True)
class CallResult:
    unique_id: str
    payload: Any


@dataclass(slots=True)
class CallError:
    unique_id: str
    code: str
    description: str
    details: Any


@dataclass(slots=True)
class OutgoingCall:
    """A call we sent and await the reply to, until `deadline` on the caller's clock."""

    unique_id: str
    action: str
    deadline: float


@dataclass(slots=True)
class Answered:
    """The reply to our outstanding call; the call is no longer outstanding."""

    call: OutgoingCall
    reply: CallResult | CallError


@dataclass(slots=True)
class BadFrame:
    """A frame that is not a readable CALL or reply: answer it with a CALLERROR of the
    canonical `code` (see ocppj.errors) to `unique_id`."""

    unique_id: str
    code: str
    description: str


Message = Call | CallResult | CallError | BadFrame
# What a Connection makes of a received frame; a bare CallResult/CallError answers no call we
# have outstanding (unknown, or late after its deadline) and is never answered.
Event = Call | Answered | CallResult | CallError | BadFrame


def decode(text: str | bytes) -> Any:
    """JSON text -> value; ValueError (or RecursionError) when it is not JSON."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        # orjson refuses what the stdlib reads (NaN, Infinity, integers beyond 64 bits, nesting
        # beyond 1024): let those through, for the receiver's validation to name the violation.
        return json.loads(text)


def encode(frame: list[Any]) -> str:
    try:
        return orjson.dumps(frame).decode()
    except TypeError:
        # Integers beyond 64 bits or non-string keys: only a test peer sends those on purpose.
        return json.dumps(frame, separators=(",", ":"))


def parse(text: str | bytes) -> Message:
    """One frame's text as a message; never raises."""
    try:
        msg = decode(text)
    except (ValueError, RecursionError):
        return BadFrame(UNKNOWN_ID, RPC_FRAMEWORK_ERROR, "frame is not JSON")
    return read(msg)


def read(msg: Any) -> Message:
    """A decoded frame as a message; never raises."""
    if not isinstance(msg, list) or not msg:
        return BadFrame(UNKNOWN_ID, RPC_FRAMEWORK_ERROR, "frame is not an OCPP-J message")
    kind = msg[0]
    if kind in (CALLRESULT, CALLERROR) and not isinstance(kind, bool):
        uid = str(msg[1]) if len(msg) > 1 else ""
        if kind == CALLRESULT:
            return CallResult(uid, msg[2] if len(msg) > 2 else {})
        code, description, details = (msg[2:] + ["", "", None])[:3]
        return CallError(uid, str(code), str(description), details)
    uid = msg[1] if len(msg) > 1 and isinstance(msg[1], str) else UNKNOWN_ID
    if not isinstance(kind, int) or isinstance(kind, bool) or uid == UNKNOWN_ID:
        return BadFrame(uid, RPC_FRAMEWORK_ERROR, "frame is not an OCPP-J message")
    if kind != CALL:
        return BadFrame(uid, MESSAGE_TYPE_NOT_SUPPORTED, f"message type {kind} unknown")
    if len(msg) != 4 or not isinstance(msg[2], str):
        return BadFrame(uid, MALFORMED_CALL, "a CALL is [2, messageId, action, payload]")
    return Call(uid, msg[2], msg[3])


def build_call(unique_id: str, action: str, payload: Any) -> str:
    return encode([CALL, unique_id, action, payload])


def build_result(unique_id: str, payload: Any) -> str:
    return encode([CALLRESULT, unique_id, payload])


def build_error(unique_id: str, wire_code: str, description: str = "",
                details: Any = None) -> str:
    """A CALLERROR; `wire_code` is already spelled for the version (ocppj.errors.wire_code),
    the description cut to the 255 characters both versions allow."""
    return encode([CALLERROR, unique_id, wire_code, description[:255],
                   {} if details is None else details])
