"""The scale benchmarks run end to end against the bare reference server, a few seconds each.

They are figures, not assertions: these tests check that every runner connects, loads,
measures and reports (and refuses bad input), not how fast anything is.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

ONE_CORE = ["--server-cpus", "0", "--generator-cpus", "0"]  # CI machines may have one core


def run(module: str, *args: str, timeout: float = 90) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", f"bench.scale.{module}", *args],
                          capture_output=True, text=True, timeout=timeout)


def test_capacity_steps_up_and_reports_every_step(tmp_path: Path) -> None:
    out = tmp_path / "capacity.json"
    p = run("capacity", "--targets", "bare", "--protocols", "2.0.1", "--stations", "20",
            "--rates", "40,80", "--step-seconds", "1", "--refine", "0", "--pause", "0",
            "--warmup-seconds", "1", "--json", str(out), *ONE_CORE)
    assert p.returncode == 0, p.stderr
    [outcome] = json.loads(out.read_text())
    assert outcome["target"] == "bare" and not outcome["error"]
    assert [s["offered"] for s in outcome["steps"]][:1] == [40.0]
    first = outcome["steps"][0]
    assert first["replies"] > 0 and first["p99"] > 0
    assert not first["errors"] and not first["timeouts"] and not first["closed"]
    assert "| bare" in p.stdout
    assert "warm-up" in p.stderr and "(not scored)" in p.stderr


@pytest.mark.parametrize("protocol", ["1.6", "2.0.1"])
def test_the_sans_io_floor_answers_every_call(tmp_path: Path, protocol: str) -> None:
    out = tmp_path / "capacity.json"
    p = run("capacity", "--targets", "bare-sansio", "--protocols", protocol, "--stations", "20",
            "--rates", "40", "--step-seconds", "1", "--refine", "0", "--pause", "0",
            "--warmup-seconds", "0", "--json", str(out), *ONE_CORE)
    assert p.returncode == 0, p.stderr
    [outcome] = json.loads(out.read_text())
    assert outcome["target"] == "bare-sansio" and not outcome["error"]
    step = outcome["steps"][0]
    assert step["replies"] > 0
    assert not step["errors"] and not step["timeouts"] and not step["closed"]


def test_rounds_report_medians_ranges_and_the_median_ratio() -> None:
    from bench.scale.capacity import Outcome, medians, ratios
    step = [{"offered": 1.0}]
    runs = [("csms", 4750, 2250), ("csms", 6250, 2250), ("csms", 5000, 2450)]
    outcomes = []
    for r, (target, mine, ref) in enumerate(runs, start=1):
        outcomes += [Outcome(target, "1.6", capacity=mine, steps=step, round=r),
                     Outcome("ocpp-lib", "1.6", capacity=ref, steps=step, round=r)]
    # a round whose csms figure is only a bound does not count in the ratio
    outcomes += [Outcome("csms", "1.6", capacity=9000, lower_bound=True, steps=step, round=4),
                 Outcome("ocpp-lib", "1.6", capacity=2000, steps=step, round=4)]
    lines = medians(outcomes)
    assert "csms 1.6: median 5625 msg/s (4750-9000 over 4 rounds)" in lines
    assert "ocpp-lib 1.6: median 2250 msg/s (2000-2450 over 4 rounds)" in lines
    assert ("csms / ocpp-lib, 1.6: median 2.11x (2.04-2.78x over 3 rounds; "
            "1 round(s) left out)") in lines
    assert ratios(outcomes)[0] == "round 1: csms / ocpp-lib, 1.6: 2.11x"
    assert medians(outcomes[:2]) == []  # one round: nothing to take a median of


def test_steady_measures_a_window_of_periodic_calls(tmp_path: Path) -> None:
    out = tmp_path / "steady.json"
    p = run("steady", "--target", "bare", "--stations", "20", "--warmup", "0", "--seconds",
            "1.5", "--heartbeat-s", "0.3", "--status-s", "0.5", "--json", str(out), *ONE_CORE)
    assert p.returncode == 0, p.stderr
    s = json.loads(out.read_text())
    assert s["online"] == 20
    assert s["by_action"].get("Heartbeat", 0) > 0 and s["by_action"].get("StatusNotification")
    assert s["timeouts"] == 0 and not s["errors"]


def test_memory_reads_the_server_rss_per_level(tmp_path: Path) -> None:
    out = tmp_path / "memory.json"
    p = run("memory", "--target", "bare", "--levels", "10,30", "--settle", "0",
            "--json", str(out), *ONE_CORE)
    assert p.returncode == 0, p.stderr
    rows = json.loads(out.read_text())["rows"]
    assert [r["stations"] for r in rows] == [0, 10, 30]
    assert all(r["rss_kb"] > 0 for r in rows)


def test_storm_brings_every_dropped_station_back(tmp_path: Path) -> None:
    out = tmp_path / "storm.json"
    p = run("storm", "--target", "bare", "--mode", "drop", "--stations", "30",
            "--json", str(out), *ONE_CORE)
    assert p.returncode == 0, p.stderr
    s = json.loads(out.read_text())
    assert s["booted"] == s["stations"] == 30
    assert s["counters"]["connected"] >= 30


def test_readings_reports_the_writers_cost_and_rows_per_message() -> None:
    p = run("readings", "--samples", "2,5", "--transactions", "3", "--history", "2",
            "--batches", "2", "--batch", "4")
    assert p.returncode == 0, p.stderr
    rows = [line.split("|") for line in p.stdout.splitlines() if line.startswith("| ")]
    assert [(r[1].strip(), r[3].strip()) for r in rows[1:]] == [("2", "1.00"), ("5", "1.00")]
    assert all(float(r[2]) > 0 for r in rows[1:])


@pytest.mark.parametrize(("module", "args", "message"), [
    ("capacity", ["--targets", "nope"], "unknown target"),
    ("capacity", ["--targets", "csms-pg"], "csms-pg needs --postgres-url"),
    ("capacity", ["--protocols", "1.5"], "--protocols"),
    ("capacity", ["--rounds", "0"], "--rounds must be positive"),
    ("capacity", ["--server-cpus", "x"], "not a list of core numbers"),
    ("capacity", ["--server-cpus", "4096"], "not available here"),
    ("steady", ["--active", "2"], "--active"),
    ("memory", ["--levels", "0"], "--levels"),
    ("storm", ["--stations", "0"], "--stations"),
    ("readings", ["--samples", "3,x"], "--samples: not a list"),
    ("readings", ["--batch", "0"], "must be positive"),
    ("cluster", ["--postgres-url", "postgresql+asyncpg://u@h/d", "--redis-url", "http://x"],
     "--redis-url must look like"),
])
def test_bad_input_gets_a_clear_message(module: str, args: list[str], message: str) -> None:
    # Every check runs before the runner pins itself to a core or starts anything.
    main = importlib.import_module(f"bench.scale.{module}").main
    with pytest.raises(SystemExit) as e:
        main(args)
    assert message in str(e.value.code)


def test_the_worker_refuses_a_missing_config() -> None:
    p = run("worker", timeout=30)
    assert p.returncode == 2
    assert "CONNECT" in p.stderr
