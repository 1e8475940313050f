"""Back-off for a station that keeps sending what must be refused.

An answer that refuses a station's frame needs no commit, so a station looping over bad
frames is answered at once and comes back sooner than an honest one, whose replies wait for
the group commit: ten such stations took a third of a hundred honest stations' replies.
After a few refusals in a row, csms waits before it reads that station's next frame, twice as
long for each further refusal up to a second; one frame answered normally clears it. Only
that station waits (its frames are read by its own task), and a charger that sent one bad
frame among good ones never notices.
"""

from __future__ import annotations

FREE = 10  # refusals in a row that cost nothing (a test suite of bad frames, a confused boot)
FIRST_S = 0.01
MAX_S = 1.0


class Strikes:
    def __init__(self) -> None:
        self.count = 0

    def refused(self) -> None:
        self.count += 1

    def served(self) -> None:
        self.count = 0

    def delay(self) -> float:
        """Seconds to wait before reading the station's next frame."""
        over = self.count - FREE
        return 0.0 if over <= 0 else min(MAX_S, FIRST_S * 2 ** (over - 1))
