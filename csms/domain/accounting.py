"""Green-energy accounting: how much of each session's energy was green, interval by interval.

Energy and green production are both put on one grid of 15-minute intervals (numbered from the
Unix epoch, so every site and day shares it). A session's energy per interval comes from its
meter registers, linearly interpolated at interval boundaries; a session without registers has
its energy spread evenly over its duration. Per interval the green used is
min(total session energy, green energy), split between the sessions in proportion to their
energy: the same rule as the contract's planner summary, so reports and plans agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal, TypeVar

from csms.domain.model import Sample, Transaction
from csms.domain.transactions import is_energy_register

INTERVAL = timedelta(minutes=15)
INTERVAL_S = INTERVAL.total_seconds()
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

K = TypeVar("K")
Profile = dict[int, float]  # interval index -> Wh
GreenKind = Literal["measured", "forecast"]


def interval_of(t: datetime) -> int:
    """The index of the interval containing `t` (aware)."""
    return int((t - _EPOCH).total_seconds() // INTERVAL_S)


def interval_start(index: int) -> datetime:
    return _EPOCH + index * INTERVAL


def register_points(tx: Transaction, samples: Iterable[Sample]) -> list[tuple[datetime, float]]:
    """The transaction's register readings in time order, its declared start and stop included.

    Samples arrive late and out of order; sorting by meter timestamp puts them right.
    """
    points = [(s.timestamp, float(s.si_value)) for s in samples  # type: ignore[arg-type]
              if is_energy_register(s)]
    if tx.meter_start_wh is not None:  # 1.6 meterStart is no sample
        points.append((tx.started_at, tx.meter_start_wh))
    if tx.stopped_at is not None and tx.meter_stop_wh is not None:
        points.append((tx.stopped_at, tx.meter_stop_wh))
    return sorted(set(points))


def energy_profile(
    points: Sequence[tuple[datetime, float]],
    total_wh: float,
    started_at: datetime,
    ended_at: datetime,
) -> Profile:
    """Wh per interval, summing to `total_wh` (the transaction's own energy figure).

    Between consecutive register points the increase is spread evenly over time (a decrease,
    a meter reset, counts as none). Without a usable increase, the energy is spread evenly over
    [started_at, ended_at].
    """
    if total_wh <= 0:
        return {}
    profile: Profile = {}
    for (t0, wh0), (t1, wh1) in zip(points, points[1:], strict=False):
        _spread(profile, t0, t1, max(0.0, wh1 - wh0))
    raw = sum(profile.values())
    if raw <= 0:
        profile = {}
        _spread(profile, started_at, max(ended_at, started_at), total_wh)
        return profile
    return {i: wh * total_wh / raw for i, wh in profile.items()}


def transaction_profile(tx: Transaction, samples: Iterable[Sample], now: datetime) -> Profile:
    """`energy_profile` of a stored transaction (an active one runs until `now`)."""
    end = tx.stopped_at or max(now, tx.last_register_at or now)
    return energy_profile(register_points(tx, samples), tx.energy_wh, tx.started_at, end)


def _spread(profile: Profile, t0: datetime, t1: datetime, wh: float) -> None:
    if wh <= 0:
        return
    span = (t1 - t0).total_seconds()
    if span <= 0:
        i = interval_of(t0)
        profile[i] = profile.get(i, 0.0) + wh
        return
    i = interval_of(t0)
    while interval_start(i) < t1:
        lo, hi = max(t0, interval_start(i)), min(t1, interval_start(i + 1))
        share = (hi - lo).total_seconds() / span
        if share > 0:
            profile[i] = profile.get(i, 0.0) + wh * share
        i += 1


def interval_means(readings: Iterable[tuple[datetime, float]]) -> dict[int, float]:
    """Mean power (kW) of the readings in each interval that has any."""
    sums: dict[int, list[float]] = {}
    for t, kw in readings:
        acc = sums.setdefault(interval_of(t), [0.0, 0.0])
        acc[0] += kw
        acc[1] += 1
    return {i: s / n for i, (s, n) in sums.items()}


def green_supply(
    measured_kw: Mapping[str, Mapping[int, float]],
    forecast_kw: Mapping[str, Mapping[int, float]],
    intervals: Iterable[int],
) -> tuple[dict[int, float], dict[int, GreenKind | Literal["mixed"]]]:
    """Green Wh per interval summed over sources, and where each figure came from.

    A source's interval counts as measured when it has readings in it, else its forecast.
    """
    hours = INTERVAL_S / 3600.0
    wh: dict[int, float] = {}
    kinds: dict[int, GreenKind | Literal["mixed"]] = {}
    sources = sorted(set(measured_kw) | set(forecast_kw))
    for i in intervals:
        total, seen = 0.0, set[str]()
        for src in sources:
            m = measured_kw.get(src, {}).get(i)
            if m is not None:
                total, seen = total + m * hours * 1000.0, seen | {"measured"}
            else:
                total += forecast_kw.get(src, {}).get(i, 0.0) * hours * 1000.0
                seen.add("forecast")
        wh[i] = total
        kinds[i] = "mixed" if len(seen) > 1 else ("measured" if seen == {"measured"}
                                                  else "forecast")
    return wh, kinds


@dataclass(frozen=True)
class IntervalUse:
    """One interval of a site: energy charged, green produced, green used by the sessions."""

    index: int
    energy_wh: float
    green_available_wh: float
    green_used_wh: float

    @property
    def start(self) -> datetime:
        return interval_start(self.index)


def split_green(
    profiles: Mapping[K, Mapping[int, float]], green_wh: Mapping[int, float]
) -> tuple[dict[K, float], list[IntervalUse]]:
    """Green Wh per session, and the site's intervals (those where anything was charged)."""
    load: dict[int, float] = {}
    for prof in profiles.values():
        for i, wh in prof.items():
            load[i] = load.get(i, 0.0) + wh
    used = {i: min(total, max(0.0, green_wh.get(i, 0.0))) for i, total in load.items()}
    per_session = {
        key: sum(wh * used[i] / load[i] for i, wh in prof.items() if load[i] > 0)
        for key, prof in profiles.items()
    }
    intervals = [IntervalUse(i, load[i], green_wh.get(i, 0.0), used[i]) for i in sorted(load)]
    return per_session, intervals
