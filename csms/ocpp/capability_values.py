"""Reading the values chargers give for their smart-charging settings, whatever the version:
lenient, since chargers write them loosely (" W,A ", "TRUE"); what does not read stays unknown."""

from __future__ import annotations

_UNITS = {"current": "A", "power": "W", "a": "A", "w": "W"}


def count(value: str | None) -> int | None:
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return n if n >= 0 else None


def amount(value: str | None) -> float | None:
    try:
        x = float(str(value).strip())
    except (TypeError, ValueError):
        return None
    return x if x == x and x >= 0 else None


def units(value: str | None) -> tuple[str, ...]:
    """Rate units as csms names them (A, W), from 1.6 "Current,Power" or 2.0.1 "A,W"."""
    if value is None:
        return ()
    found = {_UNITS.get(u.strip().lower()) for u in value.split(",")}
    return tuple(u for u in ("A", "W") if u in found)


def flag(value: str | None) -> bool | None:
    text = None if value is None else value.strip().lower()
    return {"true": True, "false": False}.get(text or "")
