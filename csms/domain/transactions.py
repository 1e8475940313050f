"""Transaction energy: derived from meter registers, robust to late and out-of-order values.

A transaction keeps the earliest and the latest register reading it has seen (by meter
timestamp, not by arrival), so a value that arrives late can only widen the window it falls in.
Energy is `end - start`, where start is the meterStart the station declared (1.6) or the
earliest register (2.0.1), and end is the meterStop or the latest register. Stations that only
report per-interval energy get the sum of their intervals.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from csms.domain.evolve import evolve
from csms.domain.model import Sample, Transaction
from csms.domain.units import ENERGY_INTERVAL, ENERGY_REGISTER

_IGNORED_LOCATIONS = {"Inlet", "EV", "Cable"}


def is_energy_register(sample: Sample) -> bool:
    """A whole-meter import register at the outlet (per-phase registers are not summed)."""
    return (
        sample.measurand == ENERGY_REGISTER
        and sample.phase in (None, "")
        and sample.location not in _IGNORED_LOCATIONS
        and sample.si_value is not None
    )


def apply_samples(tx: Transaction, samples: Iterable[Sample]) -> Transaction:
    """The transaction with these samples folded into its energy window."""
    first_wh, first_at = tx.first_register_wh, tx.first_register_at
    last_wh, last_at = tx.last_register_wh, tx.last_register_at
    interval = tx.interval_energy_wh
    for s in samples:
        if is_energy_register(s):
            wh = float(s.si_value)  # type: ignore[arg-type]
            if first_at is None or s.timestamp < first_at:
                first_wh, first_at = wh, s.timestamp
            if last_at is None or s.timestamp >= last_at:
                last_wh, last_at = wh, s.timestamp
        elif s.measurand == ENERGY_INTERVAL and s.si_value is not None and s.phase in (None, ""):
            interval += max(0.0, float(s.si_value))
    if (first_wh, first_at, last_wh, last_at, interval) == (
            tx.first_register_wh, tx.first_register_at, tx.last_register_wh,
            tx.last_register_at, tx.interval_energy_wh):
        return tx  # no register moved (most samples are power and current): nothing to copy
    return evolve(
        tx,
        first_register_wh=first_wh,
        first_register_at=first_at,
        last_register_wh=last_wh,
        last_register_at=last_at,
        interval_energy_wh=interval,
        energy_wh=_energy(tx.meter_start_wh, tx.meter_stop_wh, first_wh, last_wh, interval),
    )


def energy_of(tx: Transaction) -> float:
    return _energy(tx.meter_start_wh, tx.meter_stop_wh, tx.first_register_wh,
                   tx.last_register_wh, tx.interval_energy_wh)


def _energy(meter_start: float | None, meter_stop: float | None, first: float | None,
            last: float | None, interval: float) -> float:
    start = meter_start if meter_start is not None else first
    end = meter_stop if meter_stop is not None else last
    if start is not None and end is not None:
        return round(max(0.0, end - start), 3)
    return round(interval, 3)


def start(
    tx: Transaction, meter_start_wh: float | None, at: datetime
) -> Transaction:
    """Record the declared start reading (1.6 meterStart) as the first register."""
    if meter_start_wh is None:
        return tx
    tx = evolve(tx, meter_start_wh=meter_start_wh)
    if tx.first_register_at is None or at <= tx.first_register_at:
        tx = evolve(tx, first_register_wh=meter_start_wh, first_register_at=at)
    return evolve(tx, energy_wh=energy_of(tx))


def start_per_session(tx: Transaction, at: datetime) -> Transaction:
    """A register that restarts at 0 for every transaction read 0 at its start, whatever the
    station declared as meterStart (some send their lifetime counter there) and whatever its
    first sample says (a value left over from the last session, or none at all)."""
    return evolve(tx, meter_start_wh=0.0, first_register_wh=0.0, first_register_at=at,
                   energy_wh=energy_of(evolve(tx, meter_start_wh=0.0)))


def stop(
    tx: Transaction,
    at: datetime,
    meter_stop_wh: float | None,
    reason: str | None,
) -> Transaction:
    """Close the transaction; stopping twice keeps the first stop (stations retry)."""
    if tx.stopped_at is not None:
        return tx
    if meter_stop_wh is None and tx.last_register_wh is not None:
        meter_stop_wh = tx.last_register_wh
    tx = evolve(tx, stopped_at=at, meter_stop_wh=meter_stop_wh, stop_reason=reason)
    return evolve(tx, energy_wh=energy_of(tx))
