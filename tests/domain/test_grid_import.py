"""The import csms measures at a site, and when it says a local guard did not act."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from csms.domain import grid_import as gi
from csms.domain.accounting import interval_of, interval_start
from csms.domain.model import GreenSource, Reading, Sample, Transaction

T0 = datetime(2026, 6, 1, 10, tzinfo=UTC)
I0 = interval_of(T0)
LIMIT = 40.0


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def tx(pk: int, start: float, stop: float | None, kw: float) -> Transaction:
    return Transaction(pk=pk, station_id="S", transaction_id=str(pk), evse_id=1,
                       connector_id=1, id_token=None, started_at=at(start),
                       stopped_at=None if stop is None else at(stop), meter_start_wh=0.0,
                       meter_stop_wh=None if stop is None else kw * 1000 * (stop - start) / 60)


def registers(t: Transaction, every: float, until: float, kw: float) -> list[Sample]:
    start = (t.started_at - T0).total_seconds() / 60
    out, m = [], start + every
    while m <= until:
        out.append(Sample(timestamp=at(m), measurand="Energy.Active.Import.Register",
                          value=kw * 1000 * (m - start) / 60, unit="Wh",
                          si_value=kw * 1000 * (m - start) / 60))
        m += every
    return out


def test_dense_needs_readings_around_and_within_the_interval_at_most_5_minutes_apart() -> None:
    lo, hi = at(0), at(15)
    times = [at(m) for m in (0, 5, 10, 15)]
    assert gi.dense(times, lo, hi)
    assert not gi.dense(times[1:], lo, hi)  # nothing at or before the start
    assert not gi.dense(times[:-1], lo, hi)  # nothing at or after the end
    assert not gi.dense([at(m) for m in (0, 10, 15)], lo, hi)  # a 10-minute gap
    assert gi.dense([at(m) for m in (-20, -1, 4, 9, 14, 16, 40)], lo, hi)  # gaps outside
    assert not gi.dense([at(m) for m in (-6, 4, 9, 14, 16)], lo, hi)  # one across the start


def test_two_intervals_in_a_row_above_the_limit_and_its_tolerance_are_a_failure() -> None:
    over = LIMIT + max(gi.TOLERANCE_KW, gi.TOLERANCE_SHARE * LIMIT)
    assert gi.failure({I0: 80.0}, LIMIT) is None  # one interval: a trip between two readings
    assert gi.failure({I0: 80.0, I0 + 2: 80.0}, LIMIT) is None  # not in a row
    assert gi.failure({I0: over, I0 + 1: over}, LIMIT) is None  # within the tolerance
    found = gi.failure({I0 - 1: 30.0, I0: over + 0.1, I0 + 1: 63.0, I0 + 2: 70.0}, LIMIT)
    assert found is not None
    assert (found.at, found.import_kw) == (interval_start(I0), 63.0)
    assert "63.0 kW measured for 30 minutes" in found.describe(LIMIT)


def test_only_intervals_measured_well_enough_are_judged() -> None:
    roof = GreenSource("yard", "roof", "solar", 50.0)
    park = GreenSource("yard", "park", "solar", 500.0, on_site=False)  # not behind the meter
    t = tx(1, 0, 45, 60.0)
    samples = {1: registers(t, 5, 45, 60.0)}
    readings = [("roof", Reading(at(m + 2), 10.0)) for m in range(0, 30, 5)]  # none after 30'
    load = {I0 + k: 60.0 * 1000 / 4 for k in range(3)}
    got = gi.judged_imports([roof, park], [t], samples, readings, load, range(I0, I0 + 3))
    # 60 kW less the roof's 10 (the park is elsewhere on the grid); the last interval has no
    # reading of the roof, so it is not judged
    assert got == {I0: 50.0, I0 + 1: 50.0}
    sparse = {1: registers(t, 15, 45, 60.0)}
    assert gi.judged_imports([roof], [t], sparse, readings, load, range(I0, I0 + 3)) == {}


def test_a_session_that_starts_within_an_interval_is_judged_from_its_start() -> None:
    t = tx(1, 5, 30, 60.0)
    got = gi.judged_imports([], [t], {1: registers(t, 5, 30, 60.0)}, [],
                            {I0: 10_000.0, I0 + 1: 15_000.0}, range(I0, I0 + 2))
    assert got == {I0: 40.0, I0 + 1: 60.0}


@given(st.lists(st.tuples(st.floats(0, 500), st.floats(0, 500)), min_size=1, max_size=12),
       st.floats(1, 400))
def test_a_site_that_kept_its_limit_is_never_accused(
        load_green: list[tuple[float, float]], limit: float) -> None:
    # whatever the load and the green, if the measured import kept within the limit in every
    # interval, no guard failed
    imports = {I0 + k: min(load - green, limit) for k, (load, green) in enumerate(load_green)}
    assert gi.failure(imports, limit) is None
