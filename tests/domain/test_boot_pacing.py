"""Boot pacing: boots are spread `1/rate` apart; a station keeps its slot when it returns."""

from __future__ import annotations

from csms.services.stations.boot_pacing import BootPacer


def test_no_rate_means_no_waiting() -> None:
    pacer = BootPacer(0)
    assert all(pacer.wait_s(f"S{i}", 0.0) == 0 for i in range(1000))


def test_a_storm_is_spread_over_slots_and_every_station_gets_its_turn() -> None:
    pacer = BootPacer(10)  # 10 boots a second
    waits = {f"S{i}": pacer.wait_s(f"S{i}", 100.0) for i in range(100)}
    assert sum(1 for w in waits.values() if w == 0) == 6  # slots 100.0..100.5
    assert max(waits.values()) == 10  # the 100th slot is 9.9 s away
    # Newcomers arriving meanwhile do not push back a station that comes for its slot.
    for i in range(50):
        pacer.wait_s(f"late{i}", 104.0)
    assert pacer.wait_s("S60", 106.0) == 0
    assert pacer.wait_s("S99", 105.0) == 5  # still its own slot, not behind the newcomers


def test_a_returning_station_is_admitted_within_tolerance() -> None:
    pacer = BootPacer(1)
    assert pacer.wait_s("A", 0.0) == 0
    assert pacer.wait_s("B", 0.0) == 1
    assert pacer.wait_s("B", 0.6) == 0  # its slot (1.0) is within half a second
