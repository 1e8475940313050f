"""A site's import from the grid as csms can measure it, and whether a local guard kept it
within the site's limit.

A site that declares a local guard (a controller at the connection point that cuts the
chargers within seconds when the import exceeds the limit) lets its plans count on part of
the on-site green above the limit: if the inverter trips, the guard, not the plan, keeps the
limit. csms takes the site's word for it, so it checks the word against what it measures: the
import is the chargers' load (their energy registers) less the on-site sources' output (their
readings). A guard that acts leaves a 15-minute mean within a hair of the limit; a mean well
above it, held for two intervals in a row, says the guard did not act (or is not there).

Only intervals csms measured well enough are judged, so that a sparse meter cannot accuse a
guard: every charging session's register readings at most `MAX_GAP` apart across the
interval, and every on-site source with readings in it. Two intervals in a row, because the
readings are points and a trip between two of them moves one interval's mean either way.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta

from csms.domain.accounting import INTERVAL, interval_means, interval_start, register_points
from csms.domain.model import GreenSource, GuardFailure, Reading, Sample, Transaction

MAX_GAP = timedelta(minutes=5)  # register readings further apart smear a load over a trip
RUN = 2  # intervals in a row above the limit (as GuardFailure.describe says)
TOLERANCE_SHARE = 0.05  # meters and sampled readings: above the limit by more than this
TOLERANCE_KW = 1.0  # (and by more than this on a small connection)


def dense(times: Sequence[datetime], lo: datetime, hi: datetime) -> bool:
    """Whether register readings at `times` (sorted) cover [lo, hi) with no gap wider than
    `MAX_GAP`, from at or before `lo` to at or after `hi`."""
    first = bisect_right(times, lo) - 1  # the last at or before lo
    last = bisect_left(times, hi)  # the first at or after hi
    if first < 0 or last >= len(times):
        return False
    return all(times[k + 1] - times[k] <= MAX_GAP for k in range(first, last))


def judged_imports(
    sources: Sequence[GreenSource], transactions: Sequence[Transaction],
    samples: Mapping[int, Sequence[Sample]], readings: Iterable[tuple[str, Reading]],
    load_wh: Mapping[int, float], intervals: Iterable[int],
) -> dict[int, float]:
    """The mean import (kW) of each of `intervals` measured well enough to judge; `load_wh`:
    the chargers' energy per interval (accounting's split of their registers)."""
    on_site = [s.id for s in sources if s.on_site]
    mine = list(readings)
    green = {sid: interval_means((r.timestamp, r.power_kw) for s, r in mine if s == sid)
             for sid in on_site}
    times = {t.pk: [p for p, _ in register_points(t, samples.get(t.pk, ()))]
             for t in transactions}
    out: dict[int, float] = {}
    for i in intervals:
        lo, hi = interval_start(i), interval_start(i) + INTERVAL
        live = [t for t in transactions
                if t.started_at < hi and (t.stopped_at is None or t.stopped_at > lo)]
        if not all(dense(times[t.pk], max(lo, t.started_at),
                         min(hi, t.stopped_at or hi)) for t in live):
            continue
        if not all(i in green[sid] for sid in on_site):
            continue
        out[i] = import_kw(load_wh.get(i, 0.0), [green[sid][i] for sid in on_site])
    return out


def import_kw(load_wh: float, on_site_green_kw: Iterable[float]) -> float:
    """The mean import over one interval: the chargers' mean power less the on-site green."""
    return load_wh / 1000 / (INTERVAL.total_seconds() / 3600) - sum(on_site_green_kw)


def failure(import_by_interval: Mapping[int, float], limit_kw: float) -> GuardFailure | None:
    """The first run of `RUN` consecutive judged intervals above the limit (with the
    tolerance), or None. Intervals missing from the mapping were not measured well enough."""
    above = max(TOLERANCE_KW, TOLERANCE_SHARE * limit_kw)
    for i in sorted(import_by_interval):
        run = [import_by_interval.get(i + k, -math.inf) for k in range(RUN)]
        if min(run) > limit_kw + above:
            return GuardFailure(interval_start(i), round(max(run), 2))
    return None
