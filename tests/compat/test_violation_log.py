"""The violation log: the same violation once a minute, ever new ones at most PER_MINUTE."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from csms.domain.compatibility import Outcome, Violation
from csms.services.devices import compatibility as c


async def test_the_violation_log_is_throttled_and_bounded() -> None:
    """The same violation once a minute; ever new ones at most PER_MINUTE times a minute."""
    stored: list[Violation] = []

    class Store:
        async def write(self, work: Any) -> Any:
            class Repo:
                def add_violations(self, vs: list[Violation], keep: int) -> None:
                    stored.extend(vs)
            return work(Repo())

    book = c.CompatibilityBook(Store())  # type: ignore[arg-type]
    t0 = datetime(2026, 6, 1, tzinfo=UTC)

    def v(at: datetime, message: str = "m") -> Violation:
        return Violation("S", at, "Heartbeat", "/x", message, Outcome.REFUSED)

    await book.record([v(t0)])
    await book.record([v(t0 + timedelta(seconds=30))])
    assert len(stored) == 1
    await book.record([v(t0 + timedelta(seconds=61))])
    assert len(stored) == 2
    for i in range(3 * c.PER_MINUTE):
        await book.record([v(t0 + timedelta(seconds=62), f"new {i}")])
    assert len(stored) == 1 + c.PER_MINUTE  # the one at 61 s opened this minute
