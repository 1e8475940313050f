"""OCPP timestamps: parse what chargers send, always send UTC with `Z`."""

from __future__ import annotations

from datetime import UTC, datetime

from csms.ocpp.errors import OcppCallError


def parse(value: str) -> datetime:
    """ISO 8601; a missing zone is taken as UTC (many 1.6 chargers omit it)."""
    try:
        dt = datetime.fromisoformat(value)  # the usual "...Z" is read as it comes
    except (ValueError, TypeError):
        dt = _lenient(value)  # a lower-case "z", blanks around it
    tz = dt.tzinfo
    if tz is UTC:  # most stations' times: nothing to convert (every meter value has one)
        return dt
    if tz is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def _lenient(value: str) -> datetime:
    try:
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        return datetime.fromisoformat(text)
    except (ValueError, AttributeError) as e:
        raise OcppCallError("PropertyConstraintViolation", f"bad timestamp {value!r}") from e


def format_utc(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"
