"""Repairing what a lenient station sends, guided by its version's official schema.

A pure function of the schema and the payload: it walks both together and returns a payload
the schema accepts where the breach is one chargers are known for, with a finding per repair:
- an unknown field where the schema allows none is dropped;
- a number or boolean sent as a string (`"1"`, `"12.5"`, `"true"`) is read as one, and a
  number sent where a string is due (a 1.6 sampled value) is written as one;
- a string longer than the schema's maxLength is cut to it;
- an enumeration value in the wrong case takes the schema's spelling;
- a timestamp without an offset is taken in the assumed zone (UTC without one) and written
  in UTC with `Z`; this one applies to strict stations with a zone too.
Findings name no values, so that the same breach in every message is one kind of violation.
Anything else (a missing required field, a value of no usable type) is left for validation to
refuse with the CALLERROR the specification names.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from csms.ocpp.timestamps import format_utc

_UTC = ZoneInfo("UTC")


@dataclass(frozen=True, slots=True)
class Finding:
    path: str
    message: str


@dataclass(slots=True)
class _Walk:
    root: dict[str, Any]
    lenient: bool
    zone: ZoneInfo | None
    findings: list[Finding] = field(default_factory=list)

    def note(self, path: str, message: str) -> None:
        self.findings.append(Finding(path or "payload", message))


def repair(schema: dict[str, Any], payload: dict[str, Any], *, lenient: bool,
           zone: ZoneInfo | None) -> tuple[dict[str, Any], list[Finding]]:
    """The payload with the known breaches repaired, and what was repaired. Strict (not
    lenient): only timestamps without an offset are rewritten, and only with a zone."""
    walk = _Walk(schema, lenient, zone)
    fixed = _value(walk, schema, payload, "")
    return (fixed if isinstance(fixed, dict) else payload), walk.findings


def _resolve(walk: _Walk, schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if not isinstance(ref, str) or not ref.startswith("#/"):
        return schema
    node: Any = walk.root
    for part in ref[2:].split("/"):
        node = node.get(part) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else schema


def _value(walk: _Walk, schema: dict[str, Any], value: Any, path: str) -> Any:
    schema = _resolve(walk, schema)
    kind = schema.get("type")
    if kind == "object" and isinstance(value, dict):
        return _object(walk, schema, value, path)
    if kind == "array" and isinstance(value, list):
        items = schema.get("items")
        if isinstance(items, dict):
            return [_value(walk, items, v, f"{path}/{i}") for i, v in enumerate(value)]
        return value
    if kind == "string" and isinstance(value, str) and schema.get("format") == "date-time":
        return _timestamp(walk, value, path)
    if not walk.lenient:
        return value
    if kind in ("integer", "number", "boolean") and isinstance(value, str):
        return _from_string(walk, kind, value, path)
    if kind == "string":
        return _string(walk, schema, value, path)
    return value


def _object(walk: _Walk, schema: dict[str, Any], value: dict[str, Any], path: str
            ) -> dict[str, Any]:
    props: dict[str, Any] = schema.get("properties") or {}
    closed = schema.get("additionalProperties") is False
    out: dict[str, Any] = {}
    for key, item in value.items():
        sub = props.get(key)
        if isinstance(sub, dict):
            out[key] = _value(walk, sub, item, f"{path}/{key}")
        elif closed and walk.lenient:
            walk.note(f"{path}/{key}", "unknown field ignored")
        else:
            out[key] = item
    return out


def _from_string(walk: _Walk, kind: str, text: str, path: str) -> Any:
    word = text.strip()
    if kind == "boolean":
        if word.lower() in ("true", "false"):
            walk.note(path, "boolean sent as a string")
            return word.lower() == "true"
        return text
    try:
        number = float(word)
    except ValueError:
        return text
    if not math.isfinite(number):
        return text
    if kind == "integer":
        if not number.is_integer():
            return text
        walk.note(path, "integer sent as a string")
        return int(number)
    walk.note(path, "number sent as a string")
    return int(word) if word.lstrip("+-").isdigit() else number


def _string(walk: _Walk, schema: dict[str, Any], value: Any, path: str) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        if isinstance(value, float) and not math.isfinite(value):
            return value
        walk.note(path, "number sent where a string is due")
        value = repr(value) if isinstance(value, float) else str(value)
    if not isinstance(value, str):
        return value
    enum = schema.get("enum")
    if isinstance(enum, list) and value not in enum:
        spelled = next((e for e in enum if isinstance(e, str) and e.lower() == value.lower()),
                       None)
        if spelled is not None:
            walk.note(path, f"{value!r} taken as {spelled!r}")
            return spelled
    limit = schema.get("maxLength")
    if isinstance(limit, int) and len(value) > limit:
        walk.note(path, f"longer than the {limit} characters allowed, cut")
        return value[:limit]
    return value


def _timestamp(walk: _Walk, text: str, path: str) -> str:
    """A timestamp without an offset in the assumed zone; any other left as it is."""
    if walk.zone is None and not walk.lenient:
        return text
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        return text  # not a timestamp at all: validation and the handler say so
    if parsed.tzinfo is not None:
        return text
    zone = walk.zone or _UTC
    walk.note(path, f"timestamp without an offset, taken as {zone.key}")
    return format_utc(parsed.replace(tzinfo=zone))
