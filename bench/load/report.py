"""One row per run, the printed table, and a summary of py-spy's collapsed stacks."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an already sorted list (0.0 when empty)."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(q / 100.0 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


@dataclass
class Row:
    target: str
    protocol: str
    stations: int
    duration_s: float
    replies: int = 0
    window_s: float = 0.0
    p50: float = 0.0
    p95: float = 0.0
    p99: float = 0.0
    max: float = 0.0
    call_errors: dict[str, int] = field(default_factory=dict)
    timeouts: int = 0
    closed: int = 0
    connect_failures: int = 0
    server_cpu_pct: float | None = None  # 100 = one core busy
    generator_cpu_pct: float = 0.0  # summed over generator processes
    batches: int | None = None
    batch_writes: int | None = None
    max_batch: int | None = None
    commit_ms_avg: float | None = None
    tx_started: int = 0
    tx_persisted: int | None = None
    by_action: dict[str, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.replies / self.window_s if self.window_s else 0.0

    def errors_text(self) -> str:
        n = sum(self.call_errors.values())
        parts = [f"{n} CE" if n else "0", f"{self.timeouts} TO" if self.timeouts else ""]
        if self.closed or self.connect_failures:
            parts.append(f"{self.closed + self.connect_failures} conn")
        return "/".join(p for p in parts if p)

    def batch_text(self) -> str:
        if not self.batches or self.batch_writes is None:
            return "-"
        avg = self.batch_writes / self.batches
        return f"{self.batches}x{avg:.1f} (max {self.max_batch}, {self.commit_ms_avg:.1f} ms)"

    def tx_text(self) -> str:
        if self.tx_persisted is None:
            return f"{self.tx_started}/-"
        return f"{self.tx_started}/{self.tx_persisted}"


_HEAD = ("target", "proto", "stations", "dur s", "msg/s", "p50 ms", "p95 ms", "p99 ms",
         "max ms", "errors", "srv CPU", "gen CPU", "db batches n x avg", "tx acked/db")


def table(rows: list[Row]) -> str:
    """A Markdown table, readable in a terminal and pasteable into the README."""
    lines = [_HEAD]
    for r in rows:
        lines.append((
            r.target, r.protocol, str(r.stations), f"{r.window_s:.1f}", f"{r.rate:.0f}",
            f"{r.p50:.1f}", f"{r.p95:.1f}", f"{r.p99:.1f}", f"{r.max:.0f}", r.errors_text(),
            "-" if r.server_cpu_pct is None else f"{r.server_cpu_pct:.0f}%",
            f"{r.generator_cpu_pct:.0f}%", r.batch_text(), r.tx_text(),
        ))
    widths = [max(len(line[i]) for line in lines) for i in range(len(_HEAD))]
    out = ["| " + " | ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) + " |"
           for line in lines]
    out.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(out)


THREADS = {"event loop": "BaseEventLoop.run_forever", "sqlite": "_connection_worker_thread"}


def summarize_collapsed(path: Path, top: int = 25) -> str:
    """py-spy `--format raw` stacks: per thread, own time by package and the top functions."""
    stacks: list[tuple[list[str], int]] = []
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if stack and count_text.isdigit():
            stacks.append(([_short(f) for f in stack.split(";")], int(count_text)))
    total = sum(n for _, n in stacks)
    if not total:
        return "no samples"
    out = [f"{total} samples (all threads; a thread waiting in epoll counts as busy)"]
    for thread, marker in THREADS.items():
        mine = [(fs, n) for fs, n in stacks if any(marker in f for f in fs)]
        share = sum(n for _, n in mine)
        if not share:
            continue
        own: Counter[str] = Counter()
        pkg: Counter[str] = Counter()
        incl: Counter[str] = Counter()
        for frames, n in mine:
            own[frames[-1]] += n
            pkg[_package(frames[-1])] += n
            for f in set(frames):
                incl[f] += n
        out += ["", f"== {thread} thread: {100 * share / total:.1f}% of samples; "
                    "shares below are of this thread", "", "own %  package"]
        out += [f"{100 * n / share:5.1f}  {p}" for p, n in pkg.most_common(12)]
        out += ["", "own %  function"]
        out += [f"{100 * n / share:5.1f}  {f}" for f, n in own.most_common(top)]
        out += ["", "incl %  function"]
        out += [f"{100 * n / share:5.1f}  {f}" for f, n in incl.most_common(top * 2)]
    return "\n".join(out)


def _package(frame: str) -> str:
    """`fn (sqlalchemy/sql/compiler.py)` -> `sqlalchemy`; stdlib modules keep their name."""
    where = frame.partition(" (")[2].rstrip(")")
    head = where.split("/", 1)[0]
    return head.removesuffix(".py") or "?"


def _short(frame: str) -> str:
    """`fn (path/to/site-packages/pkg/mod.py:12)` -> `fn (pkg/mod.py)`."""
    name, _, where = frame.partition(" (")
    where = where.rstrip(")").rsplit(":", 1)[0]
    for marker in ("site-packages/", "/work/main/", "python3.11/"):
        if marker in where:
            where = where.split(marker, 1)[1]
            break
    return f"{name} ({where})" if where else name


def as_dict(row: Row) -> dict[str, Any]:
    from dataclasses import asdict

    return {**asdict(row), "rate": row.rate}
