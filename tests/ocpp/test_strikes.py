"""The back-off for a station looping over refused frames (end to end in
test_hostile_values.py)."""

from __future__ import annotations

from csms.ocpp import strikes


def test_the_wait_doubles_after_the_free_refusals_up_to_its_cap() -> None:
    s = strikes.Strikes()
    waits = []
    for _ in range(strikes.FREE + 12):
        s.refused()
        waits.append(s.delay())
    assert waits[:strikes.FREE] == [0.0] * strikes.FREE
    assert waits[strikes.FREE:strikes.FREE + 3] == [strikes.FIRST_S, 2 * strikes.FIRST_S,
                                                    4 * strikes.FIRST_S]
    assert waits[-1] == strikes.MAX_S
    s.served()
    assert s.delay() == 0.0
