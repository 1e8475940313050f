"""Payload validation against the official OCPP JSON schemas shipped with ``ocpp``.

Isolated here so the rest of the simulator never touches the untyped library.
"""

from __future__ import annotations

from typing import Any

from ocpp import messages as _messages
from ocpp.exceptions import OCPPError


class SchemaViolation(ValueError):
    """A payload does not match its schema; ``code`` is the OCPP-J error code to answer with."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _error_code(exc: Exception, version: str) -> str:
    code = str(getattr(exc, "code", "FormatViolation"))
    if version == "1.6":
        return {
            "FormatViolation": "FormationViolation",
            "OccurrenceConstraintViolation": "OccurenceConstraintViolation",
        }.get(code, code)
    return {"FormationViolation": "FormatViolation"}.get(code, code)


def validate_request(action: str, payload: dict[str, Any], version: str) -> None:
    """Raise SchemaViolation if ``payload`` is not a valid ``action`` request."""
    _check(_messages.Call("0", action, payload), version)


def validate_response(action: str, payload: dict[str, Any], version: str) -> None:
    """Raise SchemaViolation if ``payload`` is not a valid ``action`` response."""
    _check(_messages.CallResult("0", payload, action), version)


def _check(message: Any, version: str) -> None:
    try:
        _messages._validate_payload(message, version)
    except OCPPError as exc:
        if exc.code == "NotImplemented":
            raise SchemaViolation("NotImplemented", f"no schema for {message.action}") from exc
        details = exc.details or {}
        cause = details.get("cause", exc.description) if isinstance(details, dict) else exc
        raise SchemaViolation(_error_code(exc, version), f"{message.action}: {cause}") from exc
