"""Properties of the forecast correction over random forecasts and readings (hypothesis): what
the planner is given is always a finite, non-negative power per slot, whatever the readings
hold (gaps, zeros, outliers), and the forecast's course has no sun where the forecast has none.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csms.planning.forecast import correct, shape, spread

EXAMPLES = int(os.environ.get("CSMS_PROPERTY_EXAMPLES", "150"))
power = st.floats(0.0, 500.0)
reading = st.one_of(power, st.just(float("nan")))


@st.composite
def days(draw: st.DrawFn) -> tuple[list[float], list[float], int, int]:
    slot_minutes = draw(st.sampled_from([5, 15, 30, 60]))
    forecast = draw(st.lists(power, min_size=1, max_size=120))
    now = draw(st.integers(0, len(forecast)))
    measured = draw(st.lists(reading, min_size=0, max_size=now))
    return forecast, measured, now, slot_minutes


@given(days(), st.one_of(st.none(), power))
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True)
def test_the_corrected_forecast_is_finite_and_never_negative(
    day: tuple[list[float], list[float], int, int], latest: float | None,
) -> None:
    forecast, measured, now, slot_minutes = day
    out = correct(forecast, measured, now, slot_minutes=slot_minutes, in_progress_kw=latest)
    assert len(out) == len(forecast) - now
    assert np.all(np.isfinite(out)) and np.all(out >= 0.0)
    unsure = spread(forecast, measured, now, len(forecast) - now, slot_minutes=slot_minutes)
    assert np.all(np.isfinite(unsure)) and np.all((unsure >= 0.0) & (unsure <= 1.0))


@given(st.lists(power, min_size=0, max_size=200), st.sampled_from([5, 15, 30, 60]))
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True)
def test_the_forecasts_course_stays_within_the_forecast(
    forecast: list[float], minutes: int,
) -> None:
    fc = np.asarray(forecast, dtype=float)
    course = shape(fc, minutes)
    assert course.shape == fc.shape
    assert np.all(course[fc == 0] == 0.0)  # no sun where the forecast has none
    if len(fc):
        assert np.all(course >= 0.0) and np.all(course <= fc.max() * (1 + 1e-12))


@given(st.lists(st.tuples(power, st.booleans()), min_size=1, max_size=200),
       st.sampled_from([5, 15, 30, 60]))
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True)
def test_the_course_of_each_part_is_its_own(
    slots: list[tuple[float, bool]], minutes: int,
) -> None:
    """A forecast given for part of the day beside the clear sky's guess: each run of slots
    of one part is averaged alone, as if the other part were not there."""
    fc = np.asarray([kw for kw, _ in slots], dtype=float)
    parts = np.asarray([given for _, given in slots], dtype=int)
    course = shape(fc, minutes, parts)
    edges = [0, *(np.flatnonzero(np.diff(parts)) + 1), len(fc)]
    for lo, hi in zip(edges, edges[1:], strict=False):
        assert course[lo:hi] == pytest.approx(shape(fc[lo:hi], minutes), abs=1e-9)
