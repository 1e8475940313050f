"""`csms plan-day`: the information rule, the summary arithmetic, and bad input."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from csms.cli import main
from csms.whatif import parse, run
from csms.whatif.simulate import arrival_model

START = "2026-06-21T00:00:00Z"


def _t(h: int, m: int = 0) -> str:
    return f"2026-06-21T{h:02d}:{m:02d}:00Z"


def scenario(**site: Any) -> dict[str, Any]:
    """96 quarter-hours; 40 kW of sun 10:00-14:00 (forecast: 30 kW); a 22 kW on-site limit."""
    fc = [30.0 if 40 <= k < 56 else 0.0 for k in range(96)]
    act = [40.0 if 40 <= k < 56 else 0.0 for k in range(96)]
    return {
        "site": {"grid_limit_kw": 22.0, "green_on_site": True, **site},
        "start": START, "slot_minutes": 15, "slots": 96,
        "green": {"forecast_kw": fc, "actual_kw": act},
        "sessions": [
            {"id": "ev1", "arrival": _t(7, 10), "departure": _t(16, 40), "energy_kwh": 24.0,
             "max_kw": 11.0, "min_kw": 4.1},
            {"id": "ev2", "arrival": _t(5), "departure": _t(8), "energy_kwh": 10.0,
             "max_kw": 7.4, "min_kw": 1.4},
        ],
    }


def _write(tmp_path: Path, data: Any, name: str = "s.json") -> Path:
    p = tmp_path / name
    p.write_text(data if isinstance(data, str) else json.dumps(data))
    return p


def test_plan_day_writes_the_contract_result(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    assert main(["plan-day", str(_write(tmp_path, scenario())), "--out", str(out)]) == 0
    r = json.loads(out.read_text())
    assert r["slot_minutes"] == 15 and set(r["sessions"]) == {"ev1", "ev2"}
    assert all(len(v) == 96 for v in r["sessions"].values())
    s = r["summary"]
    assert set(s) == {"energy_kwh", "green_kwh", "green_share", "requested_kwh",
                      "delivered_share", "sessions_met", "max_grid_kw", "planner_ms_p95"}
    # summary arithmetic, recomputed from the per-slot powers
    frac = {"ev1": _plugged(7 * 60 + 10, 16 * 60 + 40), "ev2": _plugged(300, 480)}
    need = {"ev1": 24.0, "ev2": 10.0}
    drawn = {k: _drawn(v, frac[k], need[k]) for k, v in r["sessions"].items()}
    energy = {k: sum(v) for k, v in drawn.items()}
    act = scenario()["green"]["actual_kw"]
    load = [sum(drawn[k][i] / 0.25 for k in frac) for i in range(96)]
    green = sum(min(load[i], act[i]) * 0.25 for i in range(96))
    assert s["energy_kwh"] == pytest.approx(sum(energy.values()), abs=0.01)
    assert s["green_kwh"] == pytest.approx(green, abs=0.01)
    assert s["requested_kwh"] == 34.0 and s["sessions_met"] == 2
    assert s["delivered_share"] == pytest.approx(s["energy_kwh"] / 34.0, abs=1e-3)
    assert s["green_share"] == pytest.approx(s["green_kwh"] / s["energy_kwh"], abs=1e-3)
    assert s["max_grid_kw"] <= 22.0 + 1e-6
    assert s["green_kwh"] > 20  # ev1 waits for the sun
    assert r["sessions"]["ev1"][4 * 8] == 0.0  # not charging at 08:00


def test_a_scenario_shorter_than_the_forecast_corrections_reach_is_planned(
    tmp_path: Path,
) -> None:
    # an hour and a half whose panels give output while the forecast has the sun down: the
    # search for a forecast issued for the wrong hour moves it by more slots than the day has
    short = {
        "site": {"grid_limit_kw": 30.0, "green_on_site": True},
        "start": "2026-06-21T06:00:00Z", "slot_minutes": 15, "slots": 6,
        "green": {"forecast_kw": [0, 0, 5, 10, 10, 5], "actual_kw": [3, 4, 6, 10, 9, 4]},
        "sessions": [{"id": "a", "arrival": _t(6), "departure": _t(7, 30), "energy_kwh": 5.0,
                      "max_kw": 11.0, "min_kw": 4.1}],
    }
    out = tmp_path / "r.json"
    assert main(["plan-day", str(_write(tmp_path, short)), "--out", str(out)]) == 0
    r = json.loads(out.read_text())
    assert r["summary"]["energy_kwh"] == pytest.approx(5.0, abs=0.01)


def _drawn(kw: list[float], frac: list[float], need: float) -> list[float]:
    """kWh per slot: the power while plugged in, until the car is full (it stops drawing)."""
    out: list[float] = []
    for p, f in zip(kw, frac, strict=True):
        out.append(min(p * f * 0.25, need - sum(out)))
    return out


def _plugged(a_min: int, d_min: int) -> list[float]:
    return [max(0, min(d_min, 15 * (i + 1)) - max(a_min, 15 * i)) / 15 for i in range(96)]


def test_immediate_policy_charges_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["plan-day", str(_write(tmp_path, scenario())), "--policy", "immediate"]) == 0
    r = json.loads(capsys.readouterr().out)
    assert r["sessions"]["ev1"][28] == 11.0  # 07:00 slot: plugged in at 07:10, full power
    assert r["summary"]["sessions_met"] == 2


def test_future_actuals_do_not_change_earlier_decisions() -> None:
    """A planner that read actual_kw ahead would decide differently before slot 44."""
    a, b = scenario(), scenario()
    b["green"]["actual_kw"] = a["green"]["actual_kw"][:44] + [0.0] * 52
    ra, rb = run(parse(a)).result(), run(parse(b)).result()
    for sid in ("ev1", "ev2"):
        assert ra["sessions"][sid][:45] == rb["sessions"][sid][:45]
    assert ra["sessions"]["ev1"] != rb["sessions"]["ev1"]  # later slots do react


def test_off_site_green_keeps_the_load_itself_within_the_limit() -> None:
    sc = scenario(green_on_site=False, grid_limit_kw=10.0)
    book = run(parse(sc))
    assert book.summary()["max_grid_kw"] <= 10.0 + 1e-6
    assert book.over_limit_kwh() == 0.0


def test_arrival_slot_delivers_for_the_plugged_in_part() -> None:
    sc = scenario()
    sc["sessions"] = [{"id": "x", "arrival": _t(12, 10), "departure": _t(13), "energy_kwh": 50,
                       "max_kw": 11.0}]
    book = run(parse(sc), "immediate")
    assert book.energy[0, 48] == pytest.approx(11.0 * 5 / 60, abs=1e-6)


def _bad(**change: Any) -> dict[str, Any]:
    sc = copy.deepcopy(scenario())
    for path, value in change.items():
        node = sc
        *keys, last = path.split("__")
        for k in keys:
            node = node[int(k)] if isinstance(node, list) else node[k]
        node[last] = value
    return sc


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("{not json", "not valid JSON"),
        (_bad(site__grid_limit_kw=-5), "site.grid_limit_kw must be non-negative"),
        (_bad(sessions__0__departure=_t(7)), "departure is not after arrival"),
        (_bad(sessions__1__arrival="2026-06-20T01:00:00Z",
              sessions__1__departure="2026-06-20T03:00:00Z"), "outside the simulated day"),
        (_bad(green__actual_kw=[0.0] * 95), "green.actual_kw has 95 values"),
        (_bad(slots=0), "slots must be a positive integer"),
        (_bad(start="yesterday"), "start is not an ISO 8601 time"),
        (_bad(sessions__0__max_kw="fast"), "max_kw must be a number"),
        ({"site": {"grid_limit_kw": 1}}, "site.green_on_site"),
        ({**scenario(), "history": {"days": 28, "sessions": [
            {"arrival": _t(9), "departure": _t(10), "energy_kwh": 5, "max_kw": 11}]}},
         "history.sessions[0]: must arrive before start"),
        ({**scenario(), "history": {"sessions": []}}, "missing field history.days"),
        ([], "must be an object"),
    ],
)
def test_bad_input_is_one_clear_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], data: Any, message: str
) -> None:
    assert main(["plan-day", str(_write(tmp_path, data))]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_a_history_gives_the_planner_the_cars_of_past_weeks() -> None:
    # two cars every week at 12:00 on this weekday: expected from 11:00, none from today's cars
    day = datetime(2026, 6, 21, 12, tzinfo=UTC)
    iso = "%Y-%m-%dT%H:%M:%SZ"
    past = [{"arrival": (day - timedelta(weeks=w, minutes=-c)).strftime(iso),
             "departure": (day - timedelta(weeks=w, hours=-4)).strftime(iso),
             "energy_kwh": 20.0, "max_kw": 11.0} for w in range(1, 5) for c in range(2)]
    sc = parse({**scenario(), "history": {"days": 28, "sessions": past}})
    assert sc.history_days == 28 and len(sc.history) == 8
    at = sc.slot_start(44)  # 11:00
    coming = arrival_model(sc, at).arriving_kwh(8)
    assert coming[4] == pytest.approx(40.0) and coming.sum() == pytest.approx(40.0)
    assert not arrival_model(parse(scenario()), at).arriving_kwh(8).any()
    assert run(sc).summary()["sessions_met"] == run(parse(scenario())).summary()["sessions_met"]


def test_unknown_policy_and_missing_file_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(_write(tmp_path, scenario()))
    assert main(["plan-day", path, "--policy", "cheapest"]) == 2
    assert "unknown policy" in capsys.readouterr().err
    assert main(["plan-day", str(tmp_path / "nope.json")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_on_a_terminal_the_summary_comes_first_and_each_session_is_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path,
) -> None:
    scenario = Path(__file__).parents[2] / "docs" / "examples" / "plan-day-scenario.json"
    assert main(["plan-day", str(scenario), "--policy", "immediate"]) == 0
    text = capsys.readouterr().out
    result = json.loads(text)
    assert text.splitlines()[2].startswith(' "summary"')
    assert len(text.splitlines()) == len(result["sessions"]) + 6
    # With --out the file has the whole result and the terminal only the summary.
    out = tmp_path / "r.json"
    assert main(["plan-day", str(scenario), "--out", str(out)]) == 0
    assert json.loads(capsys.readouterr().out) == json.loads(out.read_text())["summary"]


def test_a_long_day_reports_its_progress_slot_by_slot() -> None:
    scenario = parse(json.loads(
        (Path(__file__).parents[2] / "docs" / "examples" / "plan-day-scenario.json").read_text()))
    seen: list[tuple[int, int]] = []
    run(scenario, "green", progress=lambda slot, slots: seen.append((slot, slots)))
    assert seen == [(i, scenario.slots) for i in range(scenario.slots)]


def test_a_heavy_day_in_the_history_leaves_capacity_for_its_newcomers() -> None:
    # An 11 kW connection and a weak sun 10:00-14:00: car a (06:00-14:00, 30 kWh) could wait
    # for it, but three cars come at 10:00 every week (36 kWh until 14:00), and today too. With
    # the history the plan charges car a before they come, and the day delivers more.
    day = datetime(2026, 6, 21, tzinfo=UTC)
    iso = "%Y-%m-%dT%H:%M:%SZ"

    def at(h: int, m: int = 0, weeks: int = 0) -> str:
        return (day + timedelta(hours=h, minutes=m) - timedelta(weeks=weeks)).strftime(iso)

    sun = [3.0 if 40 <= k < 56 else 0.0 for k in range(96)]
    today = {
        "site": {"grid_limit_kw": 11.0, "green_on_site": False},
        "start": at(0), "slot_minutes": 15, "slots": 96,
        "green": {"forecast_kw": sun, "actual_kw": sun},
        "sessions": [
            {"id": "a", "arrival": at(6), "departure": at(14), "energy_kwh": 30.0,
             "max_kw": 11.0},
            *({"id": f"n{c}", "arrival": at(10, c), "departure": at(14), "energy_kwh": 12.0,
               "max_kw": 11.0} for c in range(3)),
        ],
    }
    past = [{"arrival": at(10, c, w), "departure": at(14, 0, w), "energy_kwh": 12.0,
             "max_kw": 11.0} for w in range(1, 5) for c in range(3)]
    alone = run(parse(today)).summary()
    known = run(parse({**today, "history": {"days": 28, "sessions": past}})).summary()
    assert float(known["energy_kwh"]) > float(alone["energy_kwh"]) + 8.0  # 64.8 against 53.7
    assert known["green_kwh"] == pytest.approx(alone["green_kwh"])  # all 12 kWh of sun either way
