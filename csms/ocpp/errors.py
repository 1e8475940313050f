"""CALLERROR codes and the exception that carries one; spelled per version (1.6 has typos)."""

from __future__ import annotations

from typing import Any

V16 = "1.6"
V201 = "2.0.1"

# Canonical name -> spelling on the wire, per version (OCPP-J 1.6 §4.2.3, 2.0.1 §4.3).
_SPELLING: dict[str, dict[str, str]] = {
    V16: {
        "FormatViolation": "FormationViolation",
        "OccurrenceConstraintViolation": "OccurenceConstraintViolation",
        "RpcFrameworkError": "FormationViolation",
        "MessageTypeNotSupported": "ProtocolError",
    },
    V201: {},
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
