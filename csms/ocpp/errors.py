"""The exception that carries a CALLERROR; its code is spelled per version by ocppj."""

from __future__ import annotations

from typing import Any

from ocppj import V16, V201, wire_code

__all__ = ["V16", "V201", "OcppCallError"]

# Canonical codes and their spelling per version live in the OCPP-J core (ocppj.errors):
# "MalformedCall" and the 1.6 spellings of RpcFrameworkError and MessageTypeNotSupported.


class OcppCallError(Exception):
    """An error to answer (or that was answered) as a CALLERROR."""

    def __init__(self, code: str, description: str = "", details: dict[str, Any] | None = None):
        super().__init__(f"{code}: {description}")
        self.code = code
        self.description = description
        self.details = details or {}

    def wire_code(self, version: str) -> str:
        return wire_code(self.code, version)
