"""Payload validation against the official JSON schemas shipped with the `ocpp` package.

Every payload first meets a compiled validator (jsonschema-rs: about 1 µs for a 2.0.1
TransactionEvent, 25 times less than fastjsonschema and hundreds of times less than jsonschema;
validation was the largest cost per message left on the hot path). Only a payload that fails
it is validated again by the library's own validator, called synchronously (the library's path
hops to a thread per message), whose detailed error we map to the CALLERROR the specification
names; a payload that only the fast validator refuses (it checks formats, the library does
not) is accepted, as before. Both read the same schema files.
"""

from __future__ import annotations

import decimal
import json
import math
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs
import ocpp
from jsonschema.exceptions import ValidationError as SchemaError
from ocpp.messages import get_validator

from csms.ocpp.errors import V16, V201, OcppCallError

CALL, RESULT = 2, 3

# 1.6 schedules declare multipleOf 0.1; floats like 21.4 fail it unless parsed as Decimal.
_DECIMAL_ACTIONS_16 = {
    (CALL, "SetChargingProfile"), (CALL, "RemoteStartTransaction"),
    (RESULT, "GetCompositeSchedule"),
}

_CODE_BY_KEYWORD = {
    "type": "TypeConstraintViolation",
    "required": "OccurrenceConstraintViolation",
    "minItems": "OccurrenceConstraintViolation",
    "maxItems": "OccurrenceConstraintViolation",
    "additionalProperties": "FormatViolation",
}


def has_schema(version: str, action: str) -> bool:
    return _compiled(version, CALL, action) is not None


_SCHEMA_DIRS = {V16: "v16", V201: "v201"}


@cache
def document(version: str, message_type: int, action: str) -> dict[str, Any] | None:
    """The official schema of a message, as JSON (None for an unknown action)."""
    suffix = "Response" if message_type == RESULT else ("" if version == V16 else "Request")
    folder = _SCHEMA_DIRS.get(version)
    if folder is None or not action.isalnum():
        return None
    path = Path(ocpp.__file__).parent / folder / "schemas" / f"{action}{suffix}.json"
    try:
        schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError:
        return None
    return schema


@cache
def _compiled(version: str, message_type: int, action: str) -> Callable[[Any], bool] | None:
    """Compile the schema file itself: the library caches one validator per action whatever
    its float parser, so asking it for the plain one would break its Decimal variant."""
    schema = document(version, message_type, action)
    if schema is None:
        return None
    return jsonschema_rs.validator_for(_bounded(schema)).is_valid  # type: ignore[no-any-return]


# OCPP's integer is 32 bits (2.0.1 Part 2 §2.1.3; 1.6 likewise): a larger one would only fail
# later, in a database column, where it costs its batch a retry.
INT_MIN, INT_MAX = -(2**31), 2**31 - 1


def _bounded(schema: Any) -> Any:
    """The schema with every integer held to 32 bits, for the fast validator."""
    if isinstance(schema, list):
        return [_bounded(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: _bounded(value) for key, value in schema.items()}
    kinds = out.get("type")
    if kinds == "integer" or (isinstance(kinds, list) and "integer" in kinds):
        out["minimum"] = max(out.get("minimum", INT_MIN), INT_MIN)
        out["maximum"] = min(out.get("maximum", INT_MAX), INT_MAX)
    return out


def is_valid(version: str, message_type: int, action: str, payload: Any) -> bool:
    """The fast validator's verdict alone (formats included): True means nothing to repair."""
    fast = _compiled(version, message_type, action)
    try:
        return fast is not None and fast(payload)
    except (ValueError, OverflowError):
        return False


def check_numbers(value: Any, path: str = "payload") -> None:
    """NaN and Infinity are not JSON; integers beyond 32 bits are not OCPP's. Run only where
    the fast validator refused, so it costs nothing on a valid message."""
    if isinstance(value, bool):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise OcppCallError("FormatViolation", f"{path}: {value} is not a JSON number")
    elif isinstance(value, int):
        if not INT_MIN <= value <= INT_MAX:
            raise OcppCallError("TypeConstraintViolation",
                                f"{path}: integer beyond 32 bits"[:500])
    elif isinstance(value, dict):
        for key, item in value.items():
            check_numbers(item, f"{path}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_numbers(item, f"{path}/{index}")


# The (version, type, action)s an empty payload is valid for: most replies csms sends are
# `{}` (MeterValues', StatusNotification's), and the verdict on `{}` never changes.
_EMPTY_VALID: set[tuple[str, int, str]] = set()


def validate(version: str, message_type: int, action: str, payload: Any) -> None:
    """Raise OcppCallError with the spec's code when `payload` breaks the schema."""
    if payload == {}:
        key = (version, message_type, action)
        if key not in _EMPTY_VALID:
            _validate(version, message_type, action, payload)
            _EMPTY_VALID.add(key)
        return
    _validate(version, message_type, action, payload)


def _validate(version: str, message_type: int, action: str, payload: Any) -> None:
    fast = _compiled(version, message_type, action)
    if fast is not None:
        try:
            if fast(payload):
                return
        except (ValueError, OverflowError):
            pass  # an integer beyond 64 bits, for one: named below
        # find out exactly what is wrong below
        check_numbers(payload)
    try:
        if version == V16 and (message_type, action) in _DECIMAL_ACTIONS_16:
            validator = get_validator(message_type, action, version, parse_float=decimal.Decimal)
            payload = json.loads(json.dumps(payload), parse_float=decimal.Decimal)
        else:
            validator = get_validator(message_type, action, version)
    except (OSError, ValueError) as e:
        raise OcppCallError("NotImplemented", f"unknown action {action!r}") from e
    error = next(iter(validator.iter_errors(payload)), None)
    if error is None:
        return
    raise schema_error(error)


def schema_error(error: SchemaError) -> OcppCallError:
    code = _CODE_BY_KEYWORD.get(str(error.validator), "PropertyConstraintViolation")
    where = "/".join(str(p) for p in error.absolute_path) or "payload"
    return OcppCallError(code, f"{where}: {error.message}"[:500])
