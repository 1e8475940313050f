"""OCPP timestamps: parse what chargers send, always send UTC with `Z`."""

from __future__ import annotations

from datetime import UTC, datetime

from csms.ocpp.errors import OcppCallError


def parse(value: str) -> datetime:
    """ISO 8601; a missing zone is taken as UTC (many 1.6 chargers omit it)."""
    try:
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        dt = datetime.fromisoformat(text)
    except (ValueError, AttributeError) as e:
        raise OcppCallError("PropertyConstraintViolation", f"bad timestamp {value!r}") from e
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def format_utc(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"
