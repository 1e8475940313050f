"""`csms plan-day` over random scenarios (hypothesis): short and long days, any slot length that
divides a day, readings that contradict the forecast, cars at the day's edges, a history, and
values a hand-written file gets wrong (negative powers, a minimum above the maximum, series of
the wrong length). Every run either plans the day (exit 0, a result whose powers keep the rule
and the limit) or says what is wrong in one line (exit 2); none ends in a traceback."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csms.cli import main

START = datetime(2026, 6, 21, 4, tzinfo=UTC)
EXAMPLES = int(os.environ.get("CSMS_PLAN_DAY_FUZZ_EXAMPLES", "40"))
ISO = "%Y-%m-%dT%H:%M:%SZ"
kw = st.floats(0.0, 120.0)
MISTAKES = ("negative forecast", "negative limit", "minimum above maximum", "short series",
            "unknown mode", "departure before arrival", "car outside the day", "negative need")


def _at(minutes: int) -> str:
    return (START + timedelta(minutes=minutes)).strftime(ISO)


@st.composite
def car(draw: st.DrawFn, k: int, day_minutes: int) -> dict[str, Any]:
    arrive = draw(st.integers(-30, day_minutes - 1))
    stay = draw(st.integers(1, day_minutes + 60))
    max_kw = draw(st.sampled_from([3.7, 7.4, 11.0, 22.0]))
    return {"id": f"c{k}", "arrival": _at(arrive), "departure": _at(arrive + stay),
            "energy_kwh": draw(st.floats(0.0, 80.0)), "max_kw": max_kw,
            "min_kw": min(max_kw, draw(st.sampled_from([0.0, 1.4, 4.1, 6.0]))),
            "mode": draw(st.sampled_from(["green", "green", "fast"]))}


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    minutes = draw(st.sampled_from([5, 15, 30, 60]))
    slots = draw(st.integers(1, 36))
    series = st.lists(kw, min_size=slots, max_size=slots)
    sc: dict[str, Any] = {
        "site": {"grid_limit_kw": draw(st.sampled_from([0.0, 11.0, 30.0, 100.0])),
                 "green_on_site": draw(st.booleans()), "local_guard": draw(st.booleans())},
        "start": START.strftime(ISO), "slot_minutes": minutes, "slots": slots,
        "green": {"forecast_kw": draw(series), "actual_kw": draw(series)},
        "sessions": [draw(car(k, slots * minutes)) for k in range(draw(st.integers(0, 4)))],
    }
    if draw(st.booleans()):
        past = [{"arrival": (START - timedelta(days=d, minutes=-m)).strftime(ISO),
                 "departure": (START - timedelta(days=d, minutes=-m - 240)).strftime(ISO),
                 "energy_kwh": 20.0, "max_kw": 11.0}
                for d in (7, 14) for m in (60, 120)]
        sc["history"] = {"days": draw(st.sampled_from([14, 28])), "sessions": past}
    mistake = draw(st.one_of(st.none(), st.none(), st.sampled_from(MISTAKES)))
    cars = sc["sessions"]
    if mistake == "negative forecast":
        sc["green"]["forecast_kw"][-1] = -1.0
    elif mistake == "negative limit":
        sc["site"]["grid_limit_kw"] = -5.0
    elif mistake == "short series":
        sc["green"]["actual_kw"] = sc["green"]["actual_kw"][:-1]
    elif cars and mistake == "minimum above maximum":
        cars[0]["min_kw"] = cars[0]["max_kw"] + 1.0
    elif cars and mistake == "unknown mode":
        cars[0]["mode"] = "cheap"
    elif cars and mistake == "departure before arrival":
        cars[0]["departure"] = _at(-60)
    elif cars and mistake == "car outside the day":
        cars[0]["arrival"], cars[0]["departure"] = _at(-300), _at(-200)
    elif cars and mistake == "negative need":
        cars[0]["energy_kwh"] = -2.0
    return sc


@given(scenarios())
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_plan_day_plans_or_says_what_is_wrong(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], sc: dict[str, Any],
) -> None:
    path, out = tmp_path / "s.json", tmp_path / "r.json"
    path.write_text(json.dumps(sc))
    out.unlink(missing_ok=True)
    code = main(["plan-day", str(path), "--out", str(out)])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    if code == 2:
        assert err.count("\n") == 1 and err.strip(), err
        return
    assert code == 0
    result = json.loads(out.read_text())
    limit = sc["site"]["grid_limit_kw"]
    cars = {c["id"]: c for c in sc["sessions"]}
    for sid, powers in result["sessions"].items():
        lo, hi = cars[sid]["min_kw"], cars[sid]["max_kw"]
        assert len(powers) == sc["slots"]
        assert all(p == 0.0 or lo - 1e-9 <= p <= hi + 1e-9 for p in powers)  # the power rule
    if not sc["site"]["green_on_site"] or not sc["site"]["local_guard"]:
        assert result["summary"]["max_grid_kw"] <= limit + 1e-6
