"""Properties of the forecast correction over random forecasts and readings (hypothesis): what
the planner is given is always a finite, non-negative power per slot, whatever the readings
hold (gaps, zeros, outliers), and the forecast's course has no sun where the forecast has none.
"""

from __future__ import annotations

import os

import numpy as np
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
