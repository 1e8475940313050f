"""Open-Meteo's answer read as a source's forecast: its conventions (period-end times, azimuth
0 = south, nulls) and everything a provider can answer instead of a forecast."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from csms.planning import solar
from csms.settings import Settings
from csms.weather.open_meteo import Plane, ProviderError, parse, query

ROOF = solar.PvArray(40.0, 30.0, 180.0)
MIDNIGHT = datetime(2026, 6, 21, tzinfo=UTC)


def answer(values: list[float | None], step_s: int = 900, **extra: Any) -> bytes:
    ends = [int(MIDNIGHT.timestamp()) + step_s * (i + 1) for i in range(len(values))]
    return orjson.dumps({"minutely_15": {"time": ends, "global_tilted_irradiance": values},
                         **extra})


@pytest.mark.parametrize(("azimuth", "theirs"), [(180, "0"), (90, "-90"), (270, "90"),
                                                 (0, "-180"), (135, "-45")])
def test_the_query_names_the_plane_in_open_meteos_terms(azimuth: float, theirs: str) -> None:
    q = query(Plane(42.7, 23.3, 35.0, azimuth))
    assert q["azimuth"] == theirs
    assert (q["latitude"], q["longitude"], q["tilt"]) == ("42.7000", "23.3000", "35")
    assert (q["minutely_15"], q["timeformat"], q["timezone"]) == (
        "global_tilted_irradiance", "unixtime", "GMT")


def test_a_value_is_the_mean_of_the_quarter_hour_before_its_time() -> None:
    got = parse(answer([0.0, 500.0, 1000.0, -2.0]))
    assert got.start == MIDNIGHT and got.slot_minutes == 15
    # 40 kW of panels at 1000 W/m² give 40 x 0.85 kW; a model's small negative is 0
    assert got.kw(ROOF) == (0.0, 17.0, 34.0, 0.0)
    assert got.kw(solar.PvArray(10.0)) == (0.0, 4.25, 8.5, 0.0)  # the same plane, smaller


def test_irradiance_above_the_panels_rating_is_capped_at_their_peak() -> None:
    assert parse(answer([1300.0, 1100.0])).kw(ROOF) == (40.0, 37.4)


def test_nulls_at_the_ends_are_cut_and_one_within_is_refused() -> None:
    got = parse(answer([None, 100.0, 200.0, None, None]))
    assert got.start == MIDNIGHT + timedelta(minutes=15)
    assert got.kw(ROOF) == (3.4, 6.8)
    with pytest.raises(ProviderError, match="no value at 2026-06-21T00:30:00"):
        parse(answer([100.0, None, 200.0]))


def test_hourly_values_give_an_hourly_forecast() -> None:
    got = parse(answer([100.0, 200.0], step_s=3600))
    assert (got.start, got.slot_minutes) == (MIDNIGHT, 60)


@pytest.mark.parametrize(("body", "reason"), [
    (b"<html>Bad gateway</html>", "not JSON"),
    (b'{"error": true, "reason": "Latitude must be in range of -90 to 90"}',
     "refused: Latitude must be in range"),
    (b'{"hourly": {}}', "minutely_15: Field required"),
    (b'[1, 2]', "unexpected answer"),
    (orjson.dumps({"minutely_15": {"time": [1, 2, 3], "global_tilted_irradiance": [1.0]}}),
     "3 times but 1 values"),
    (orjson.dumps({"minutely_15": {"time": [900, 1800, 3600],
                                   "global_tilted_irradiance": [1.0, 2.0, 3.0]}}),
     "not evenly spaced"),
    (orjson.dumps({"minutely_15": {"time": [900, 1300],
                                   "global_tilted_irradiance": [1.0, 2.0]}}),
     "not evenly spaced"),
    (answer([None, None, 5.0]), "no irradiance"),
    (answer([100.0, 250000.0]), "not a sun's"),
    (orjson.dumps({"minutely_15": {"time": [10**15, 10**15 + 900],
                                   "global_tilted_irradiance": [1.0, 2.0]}}),
     "out of range"),
])
def test_what_is_no_forecast_is_refused_with_its_reason(body: bytes, reason: str) -> None:
    with pytest.raises(ProviderError, match=reason):
        parse(body)


def test_more_than_a_week_is_cut_to_a_week() -> None:
    got = parse(answer([100.0] * (10 * 96)))
    assert len(got.w_m2) == len(got.kw(ROOF)) == 7 * 96


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(max_size=8),
    lambda kids: st.lists(kids, max_size=5) | st.dictionaries(st.text(max_size=8), kids,
                                                              max_size=5),
    max_leaves=20)


def _check(body: bytes) -> None:
    try:
        got = parse(body)
    except ProviderError as e:
        assert str(e)
        return
    assert got.w_m2 and 60 % got.slot_minutes == 0
    assert all(math.isfinite(v) and 0.0 <= v <= ROOF.peak_kw for v in got.kw(ROOF))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200) | json_values.map(lambda v: json.dumps(v).encode()))
def test_any_answer_is_a_forecast_or_a_clear_refusal(body: bytes) -> None:
    _check(body)


@settings(max_examples=300, deadline=None)
@given(times=st.lists(st.integers(min_value=-(2**40), max_value=2**40), max_size=6),
       values=st.lists(st.none() | st.floats(allow_nan=True, allow_infinity=True), max_size=6))
def test_any_series_is_a_forecast_or_a_clear_refusal(times: list[int],
                                                     values: list[float | None]) -> None:
    _check(json.dumps({"minutely_15": {"time": times,
                                       "global_tilted_irradiance": values}}).encode())


@pytest.mark.parametrize(("field", "value"), [
    ("forecast_provider", "solcast"), ("forecast_provider_url", "api.open-meteo.com"),
    ("forecast_provider_url", "ftp://mirror/v1"), ("forecast_provider_key", ""),
    ("forecast_fetch_interval_s", 5),
])
def test_provider_settings_refuse_what_cannot_work(field: str, value: object) -> None:
    with pytest.raises(ValidationError, match=field):
        Settings(**{field: value})
