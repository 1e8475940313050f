"""Transaction energy rules: registers, units, late and out-of-order values, stops."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from csms.domain import transactions as rules
from csms.domain.model import Sample, Transaction
from csms.domain.units import normalise

T0 = datetime(2026, 6, 21, 8, 0, tzinfo=UTC)


def tx() -> Transaction:
    return Transaction(pk=1, station_id="S", transaction_id="1", evse_id=1, connector_id=1,
                       id_token="T", started_at=T0)


def reg(minutes: float, wh: float, unit: str | None = "Wh", **kw: object) -> Sample:
    si, _ = normalise(wh, unit, "Energy.Active.Import.Register")
    return Sample(timestamp=T0 + timedelta(minutes=minutes),
                  measurand="Energy.Active.Import.Register", value=wh, unit=unit, si_value=si,
                  **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(("value", "unit", "expected"), [
    (1.5, "kWh", 1500.0), (1500, "Wh", 1500.0), (2, "KWH", 2000.0), (3, None, 3.0),
    (7.4, "kW", 7400.0),
])
def test_normalise_energy_and_power(value: float, unit: str | None, expected: float) -> None:
    measurand = "Power.Active.Import" if unit == "kW" else "Energy.Active.Import.Register"
    assert normalise(value, unit, measurand)[0] == pytest.approx(expected)


def test_a_unit_reads_the_same_every_time_and_odd_spellings_stay_bounded() -> None:
    for _ in range(3):  # the first reading of a spelling, and the remembered ones
        assert normalise(2, " kwh ", "Energy.Active.Import.Register") == (2000.0, "Wh")
        assert normalise(2, "furlongs", "Energy.Active.Import.Register") == (2, "furlongs")
    for n in range(1000):
        assert normalise(1, f"unit{n}", "SoC") == (1, f"unit{n}")
    from csms.domain import units
    assert len(units._BY_SPELLING) <= 256


def test_meter_start_and_registers_give_energy() -> None:
    t = rules.start(tx(), 10_000, T0)
    t = rules.apply_samples(t, [reg(5, 10_500), reg(10, 11_250)])
    assert t.energy_wh == 1250


def test_late_and_out_of_order_values_do_not_shrink_energy() -> None:
    t = rules.start(tx(), 0, T0)
    t = rules.apply_samples(t, [reg(30, 3000)])
    t = rules.apply_samples(t, [reg(10, 1000)])  # arrives late, older timestamp
    assert t.energy_wh == 3000
    assert t.last_register_wh == 3000


def test_2_0_1_registers_only_use_earliest_as_start() -> None:
    t = rules.apply_samples(tx(), [reg(20, 5.0, "kWh"), reg(0, 2.0, "kWh")])
    assert t.energy_wh == pytest.approx(3000)


def test_stop_uses_meter_stop_and_is_idempotent() -> None:
    t = rules.start(tx(), 1000, T0)
    t = rules.stop(t, T0 + timedelta(hours=1), 4000, "Local")
    assert (t.energy_wh, t.stop_reason) == (3000, "Local")
    again = rules.stop(t, T0 + timedelta(hours=2), 9000, "Remote")
    assert again == t


def test_stop_without_meter_stop_takes_last_register() -> None:
    t = rules.apply_samples(rules.start(tx(), 100, T0), [reg(15, 600)])
    t = rules.stop(t, T0 + timedelta(minutes=20), None, None)
    assert (t.meter_stop_wh, t.energy_wh) == (600, 500)


@pytest.mark.parametrize("ignored", [
    {"location": "Inlet"}, {"location": "EV"}, {"location": "Cable"},
    {"phase": "L1"}, {"phase": "L2-N"},
])
def test_inlet_and_per_phase_registers_are_ignored(ignored: dict[str, str]) -> None:
    """The ignored register is the latest and the earliest reading: were it taken, it would
    become the end (and, without a meterStart, the start) of the window."""
    t = rules.apply_samples(rules.start(tx(), 0, T0), [reg(6, 100), reg(9, 9999, **ignored)])
    assert t.energy_wh == 100
    t = rules.apply_samples(tx(), [reg(5, 1000), reg(10, 1400), reg(1, 7, **ignored),
                                   reg(20, 9999, **ignored)])
    assert t.energy_wh == 400


def test_declared_meter_start_wins_over_an_earlier_register() -> None:
    """1.6: a Transaction.Begin sample stamped before StartTransaction, or a late register
    from before the start, must not move the start of the window away from meterStart."""
    t = rules.start(tx(), 10_000, T0 + timedelta(minutes=1))
    t = rules.apply_samples(t, [reg(0, 9_000), reg(30, 12_000)])
    assert (t.meter_start_wh, t.energy_wh) == (10_000, 2_000)
    t = rules.stop(t, T0 + timedelta(minutes=40), 12_500, "Local")
    assert t.energy_wh == 2_500


def test_interval_energy_is_summed_when_no_register() -> None:
    s = [Sample(T0 + timedelta(minutes=m), "Energy.Active.Import.Interval", v, "Wh", v)
         for m, v in ((5, 200), (10, 300))]
    assert rules.apply_samples(tx(), s).energy_wh == 500


def test_decreasing_register_never_gives_negative_energy() -> None:
    t = rules.apply_samples(rules.start(tx(), 5000, T0), [reg(5, 10)])
    assert t.energy_wh == 0
