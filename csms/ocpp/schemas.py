"""Payload validation against the official JSON schemas shipped with the `ocpp` package.

We use the library's cached Draft-4 validators but call them synchronously (the library's
own path hops to a thread per message, which costs more than the validation) and map each
schema failure to the CALLERROR the specification names.
"""

from __future__ import annotations

import decimal
import json
from typing import Any

from jsonschema.exceptions import ValidationError as SchemaError
from ocpp.messages import get_validator

from csms.ocpp.errors import V16, OcppCallError

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
    try:
        get_validator(CALL, action, version)
    except (OSError, ValueError):
        return False
    return True


def validate(version: str, message_type: int, action: str, payload: Any) -> None:
    """Raise OcppCallError with the spec's code when `payload` breaks the schema."""
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
