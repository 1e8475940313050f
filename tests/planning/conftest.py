"""Helpers for planner tests: a day starting at midnight UTC, a bell-shaped sun."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

T0 = datetime(2026, 6, 21, tzinfo=UTC)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def sun(peak_kw: float, slots: int = 96) -> list[float]:
    """Green output per 15-minute slot: 0 at night, `peak_kw` at 12:00."""
    h = np.arange(slots) / 4 + 0.125
    bell = np.clip(np.cos((h - 12) / 7 * np.pi / 2), 0, None) * ((h > 5) & (h < 19))
    return [float(x) for x in peak_kw * bell]


def slot_hours(power: tuple[float, ...]) -> list[float]:
    return [k / 4 for k, p in enumerate(power) if p > 1e-6]
