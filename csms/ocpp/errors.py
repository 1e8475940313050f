"""CALLERROR codes and the exception that carries one; spelled per version (1.6 has typos)."""

from __future__ import annotations

from typing import Any

V16 = "1.6"
V201 = "2.0.1"

# Canonical name -> spelling on the wire, per version (OCPP-J 1.6 §4.2.3, 2.0.1 Part 4 §4.3).
# Canonical names are the 2.0.1 codes, plus "MalformedCall": a CALL with the wrong number of
# elements or an unreadable action. 2.0.1 calls that RpcFrameworkError ("not a valid RPC
# request"); 1.6, which has no such code, ProtocolError ("payload for Action is incomplete").
# 1.6 has no RpcFrameworkError nor MessageTypeNotSupported either: a frame that is not OCPP-J
# at all is a FormationViolation there, an unknown message type a ProtocolError.
_SPELLING: dict[str, dict[str, str]] = {
    V16: {
        "FormatViolation": "FormationViolation",
        "OccurrenceConstraintViolation": "OccurenceConstraintViolation",
        "RpcFrameworkError": "FormationViolation",
        "MessageTypeNotSupported": "ProtocolError",
        "MalformedCall": "ProtocolError",
    },
    V201: {
        "MalformedCall": "RpcFrameworkError",
    },
}


class OcppCallError(Exception):
    """An error to answer (or that was answered) as a CALLERROR."""

    def __init__(self, code: str, description: str = "", details: dict[str, Any] | None = None):
        super().__init__(f"{code}: {description}")
        self.code = code
        self.description = description
        self.details = details or {}

    def wire_code(self, version: str) -> str:
        return _SPELLING.get(version, {}).get(self.code, self.code)
