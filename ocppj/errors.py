"""CALLERROR codes as each OCPP-J version spells them on the wire.

Code here is canonical: the 2.0.1 names, plus "MalformedCall" (a CALL with the wrong number of
elements or an unreadable action). 2.0.1 calls that RpcFrameworkError ("not a valid RPC
request"); 1.6, which has no such code, ProtocolError ("payload for Action is incomplete").
1.6 has no RpcFrameworkError nor MessageTypeNotSupported either: a frame that is not OCPP-J at
all is a FormationViolation there, an unknown message type a ProtocolError. 1.6 also spells two
codes its own way (OCPP-J 1.6 §4.2.3, 2.0.1 Part 4 §4.3).
"""

from __future__ import annotations

V16 = "1.6"
V201 = "2.0.1"

RPC_FRAMEWORK_ERROR = "RpcFrameworkError"
MESSAGE_TYPE_NOT_SUPPORTED = "MessageTypeNotSupported"
MALFORMED_CALL = "MalformedCall"

_SPELLING: dict[str, dict[str, str]] = {
    V16: {
        "FormatViolation": "FormationViolation",
        "OccurrenceConstraintViolation": "OccurenceConstraintViolation",
        RPC_FRAMEWORK_ERROR: "FormationViolation",
        MESSAGE_TYPE_NOT_SUPPORTED: "ProtocolError",
        MALFORMED_CALL: "ProtocolError",
    },
    V201: {
        MALFORMED_CALL: RPC_FRAMEWORK_ERROR,
    },
}


def wire_code(code: str, version: str) -> str:
    """The canonical `code` as `version` spells it in a CALLERROR."""
    return _SPELLING.get(version, {}).get(code, code)
