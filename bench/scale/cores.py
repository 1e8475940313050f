"""How busy whole cores were (every process on them, not only ours), from /proc/stat.

The machine may be shared: a generator using 35% of its core while the core is 100% busy is
starved by someone else, and its figures are as much a lower bound as a saturated one's.
"""

from __future__ import annotations

from pathlib import Path


def ticks(cores: set[int]) -> tuple[int, int]:
    """(busy, total) jiffies summed over `cores` since boot."""
    busy = total = 0
    for line in Path("/proc/stat").read_text().splitlines():
        name, *fields = line.split()
        if not name.startswith("cpu") or name == "cpu" or int(name[3:]) not in cores:
            continue
        values = [int(v) for v in fields]
        idle = values[3] + values[4]  # idle + iowait
        busy += sum(values[:8]) - idle
        total += sum(values[:8])
    return busy, total


class Busy:
    """Share of the time `cores` were busy between construction and `pct()`, 100 = all."""

    def __init__(self, cores: set[int]) -> None:
        self.cores = cores
        self.start = ticks(cores)

    def pct(self) -> float:
        busy, total = ticks(self.cores)
        spent = total - self.start[1]
        return 100.0 * (busy - self.start[0]) / spent if spent else 0.0
