"""Ids the CSMS hands to stations (reservationId, requestId) without a table behind them.

An id is the number of seconds since 2025-01-01 UTC, bumped past the last one handed out: it
grows with time, so a restarted process does not reuse its predecessor's ids (unless more than
one id a second was handed out on average), and it fits the int32 most chargers store.
"""

from __future__ import annotations

from datetime import UTC, datetime

_EPOCH = datetime(2025, 1, 1, tzinfo=UTC)


class TimeIds:
    def __init__(self) -> None:
        self._last = 0

    def next(self, now: datetime) -> int:
        self._last = max(self._last + 1, int((now - _EPOCH).total_seconds()), 1)
        return self._last
