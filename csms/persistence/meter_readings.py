"""A meter reading as one row: the samples a station measured at one time, packed.

A MeterValues message (or a TransactionEvent's meter values) carries several samples taken at
one time: the register, power, current per phase, voltage, state of charge. Stored a row per
sample, each paid for its own index entry under (transaction, time), and the index's upkeep
was the largest single cost of the hot path's writes (docs/performance.md). Stored a row per
reading, the index grows by one entry per message; the samples go in one JSON text column,
which SQLite's `json_each` and PostgreSQL's `jsonb_array_elements` still read in plain SQL.

Each sample is the array `[measurand, value, unit, si_value, phase, location, context]`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

import orjson

from csms.domain.model import Sample


def pack(samples: Iterable[Sample]) -> str:
    return orjson.dumps([(s.measurand, s.value, s.unit, s.si_value, s.phase, s.location,
                          s.context) for s in samples]).decode()


def unpack(timestamp: datetime, text: str) -> list[Sample]:
    arrays: Any = orjson.loads(text)
    if not isinstance(arrays, list):
        raise ValueError(f"a meter reading's samples are not a list: {text[:80]!r}")
    return [Sample(timestamp, m, v, u, si, ph, loc, ctx)
            for m, v, u, si, ph, loc, ctx in arrays]


def by_time(samples: Sequence[Sample]) -> Iterator[tuple[datetime, Sequence[Sample]]]:
    """The samples in runs of one time: a message's samples usually share it, so usually
    one run (the identity test first: they share the parsed datetime object)."""
    start = 0
    for i in range(1, len(samples)):
        a, b = samples[i - 1].timestamp, samples[i].timestamp
        if a is not b and a != b:
            yield a, samples[start:i]
            start = i
    if samples:
        yield samples[-1].timestamp, samples[start:]


def find(timestamp: datetime, text: str, measurand: str) -> Sample | None:
    """The last sample of `measurand` without a phase in one reading (the total, not a
    phase's share), or None."""
    return next((s for s in reversed(unpack(timestamp, text))
                 if s.measurand == measurand and s.phase is None), None)
