"""The set of event sequence numbers a transaction has applied, kept as ranges ("0-41,43").

A 2.0.1 station that did not get our reply before a disconnect sends the same TransactionEvent
again, with the same seqNo; an offline queue may arrive out of order (a Started after its
Updated). Knowing exactly which numbers were applied tells a retransmission from a late
message. Numbers are consecutive in practice, so the ranges stay a few characters long.
"""

from __future__ import annotations

MAX_RANGES = 64  # a station numbering wildly: forget the oldest ranges, never grow unbounded


def _parse(ranges: str | None) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for part in (ranges or "").split(","):
        if not part:
            continue
        low, _, high = part.partition("-") if not part.startswith("-") else (part, "", "")
        out.append((int(low), int(high or low)))
    return out


def _format(spans: list[tuple[int, int]]) -> str:
    return ",".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)


def contains(ranges: str | None, n: int) -> bool:
    return any(a <= n <= b for a, b in _parse(ranges))


def add(ranges: str | None, n: int) -> str:
    spans = sorted([*_parse(ranges), (n, n)])
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return _format(merged[-MAX_RANGES:])
