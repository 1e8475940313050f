"""Energy of a transaction whose register restarts at 0 (per_session) or counts on (lifetime)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from csms.domain import transactions as rules
from csms.domain.model import Sample, Transaction

T0 = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)


def register(minutes: int, wh: float) -> Sample:
    return Sample(T0 + timedelta(minutes=minutes), "Energy.Active.Import.Register", wh, "Wh",
                  wh)


def tx() -> Transaction:
    return Transaction(pk=1, station_id="S", transaction_id="1", evse_id=1, connector_id=1,
                       id_token="T", started_at=T0)


def test_per_session_ignores_a_lifetime_meter_start() -> None:
    """1.6 firmware that declares its lifetime counter as meterStart, then counts from 0."""
    lifetime = rules.start(tx(), 50_000.0, T0)
    assert rules.stop(lifetime, T0 + timedelta(hours=1), 7_000.0, "Local").energy_wh == 0.0
    per_session = rules.start_per_session(tx(), T0)
    stopped = rules.stop(per_session, T0 + timedelta(hours=1), 7_000.0, "Local")
    assert (stopped.meter_start_wh, stopped.energy_wh) == (0.0, 7_000.0)


def test_per_session_counts_from_0_without_a_value_at_the_start() -> None:
    """2.0.1 Started without a meter value: the first sample comes after some charging."""
    samples = [register(10, 1_800.0), register(20, 3_600.0)]
    lifetime = rules.apply_samples(tx(), samples)
    assert lifetime.energy_wh == 1_800.0  # the first ten minutes are lost
    per_session = rules.apply_samples(rules.start_per_session(tx(), T0), samples)
    assert per_session.energy_wh == 3_600.0


def test_per_session_with_a_sample_left_over_from_the_last_session() -> None:
    samples = [register(0, 9_999.0), register(20, 3_600.0)]
    per_session = rules.apply_samples(rules.start_per_session(tx(), T0), samples)
    assert per_session.energy_wh == 3_600.0
