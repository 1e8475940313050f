"""Stations' timestamps: every ISO 8601 form they send is read as an instant in UTC; what is
not a time is refused with the specification's error."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csms.ocpp.errors import OcppCallError
from csms.ocpp.timestamps import format_utc, parse

NOON = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("text", [
    "2026-12-07T12:00:00Z", "2026-12-07T12:00:00.000Z", "2026-12-07T12:00:00z",
    " 2026-12-07T12:00:00Z ", "2026-12-07T12:00:00+00:00", "2026-12-07T14:00:00+02:00",
    "2026-12-07T07:00:00-05:00", "2026-12-07T12:00:00",  # no zone: UTC
])
def test_forms_stations_send_read_as_the_same_instant_in_utc(text: str) -> None:
    got = parse(text)
    assert got == NOON and got.tzinfo is UTC


@pytest.mark.parametrize("text", ["", "noon", "2026-13-07T12:00:00Z", "12:00", "2026-12-07T25:00Z"])
def test_what_is_not_a_time_is_refused(text: str) -> None:
    with pytest.raises(OcppCallError) as e:
        parse(text)
    assert e.value.code == "PropertyConstraintViolation"


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1),
                    timezones=st.sampled_from([UTC, timezone(timedelta(hours=3))])))
def test_a_time_csms_sends_reads_back_to_the_millisecond(at: datetime) -> None:
    back = parse(format_utc(at))
    assert back.tzinfo is UTC
    assert abs(back - at) < timedelta(milliseconds=1)
