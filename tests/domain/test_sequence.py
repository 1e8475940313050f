"""Applied seqNos as ranges: a retransmission is known, a late message is not mistaken for one."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from csms.domain import sequence


def test_ranges_grow_and_merge() -> None:
    seen = None
    for n in (0, 1, 2, 4, 3, 7):
        seen = sequence.add(seen, n)
    assert seen == "0-4,7"
    assert sequence.contains(seen, 3) and sequence.contains(seen, 7)
    assert not sequence.contains(seen, 5) and not sequence.contains(None, 0)


@given(st.lists(st.integers(min_value=0, max_value=500), max_size=60))
def test_contains_exactly_what_was_added(numbers: list[int]) -> None:
    seen: str | None = None
    for n in numbers:
        seen = sequence.add(seen, n)
    for n in range(0, 502):
        assert sequence.contains(seen, n) == (n in numbers)
