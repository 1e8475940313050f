"""csms-sim argument parsing, fleet runs against the fake CSMS, and clean failures."""

from __future__ import annotations

import subprocess
import sys

import pytest

from simulators.cli import build_parser, configs, main, run_fleet, station_ids
from tests.simulators.fake_csms import FakeCsms


def test_defaults() -> None:
    args = build_parser().parse_args([])
    assert (args.url, args.protocol, args.stations, args.scenario) == (
        "ws://127.0.0.1:9000/ocpp", "2.0.1", 1, "charge")
    assert (args.sessions, args.duration, args.speed, args.evses) == (0, None, 1.0, 1)


def test_all_options() -> None:
    args = build_parser().parse_args([
        "--url", "ws://h:1/ocpp", "--protocol", "1.6", "--stations", "12", "--scenario", "idle",
        "--id-prefix", "LOAD", "--password", "pw", "--sessions", "3", "--duration", "9.5",
        "--speed", "60", "--meter-interval", "15", "--evses", "2", "--id-token", "TAG9",
        "--log-level", "DEBUG", "--seed", "7", "--charge-seconds", "600-900"])
    cfgs = configs(args)
    assert len(cfgs) == 12
    first = cfgs[0]
    assert (first.station_id, first.protocol, first.password, first.evses) == (
        "LOAD-001", "1.6", "pw", 2)
    assert (first.speed, first.meter_interval_s, first.id_token, first.seed) == (
        60.0, 15.0, "TAG9", 7)
    assert cfgs[-1].station_id == "LOAD-012" and cfgs[-1].seed == 18
    assert first.charge_s == (600.0, 900.0)
    assert configs(build_parser().parse_args(["--charge-seconds", "3600"]))[0].charge_s == (
        3600.0, 3600.0)


@pytest.mark.parametrize("bad", [["--stations", "0"], ["--protocol", "2.1"],
                                 ["--scenario", "nope"], ["--speed", "-1"],
                                 ["--sessions", "-2"], ["--charge-seconds", "0"],
                                 ["--charge-seconds", "90-30"], ["--charge-seconds", "x"],
                                 ["--charge-seconds", "inf"]])
def test_invalid_arguments(bad: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args(bad)
    assert exc.value.code == 2


def test_station_ids_are_zero_padded() -> None:
    assert station_ids("SIM", 3) == ["SIM-001", "SIM-002", "SIM-003"]
    assert station_ids("X", 1200)[-1] == "X-1200"


async def test_fleet_runs_sessions(csms: FakeCsms, capsys: pytest.CaptureFixture[str]) -> None:
    args = build_parser().parse_args([
        "--url", csms.url, "--protocol", "1.6", "--stations", "3", "--sessions", "1",
        "--speed", "1000", "--stagger", "0.01", "--seed", "3"])
    assert await run_fleet(args) == 0
    out = capsys.readouterr().out
    assert "3 stations (0 failed), 3 sessions completed (0 failed)" in out
    assert set(csms.connects) == {"SIM-001", "SIM-002", "SIM-003"}
    assert csms.errors == []


async def test_fleet_duration_stops_idle_stations(csms: FakeCsms) -> None:
    args = build_parser().parse_args([
        "--url", csms.url, "--stations", "2", "--scenario", "idle", "--duration", "0.3"])
    assert await run_fleet(args) == 0
    assert len(csms.connects) == 2


async def test_fleet_reports_refused_handshake(csms: FakeCsms,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    csms.password = "right"
    args = build_parser().parse_args(["--url", csms.url, "--password", "wrong",
                                      "--scenario", "idle"])
    assert await run_fleet(args) == 1
    err = capsys.readouterr().err
    assert "HTTP 401" in err and "could not connect" in err


def test_main_exits_nonzero_when_nothing_listens(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--url", "ws://127.0.0.1:1/ocpp", "--scenario", "idle"]) == 1
    err = capsys.readouterr().err
    assert "could not connect" in err and "Traceback" not in err


def test_python_dash_m_help() -> None:
    out = subprocess.run([sys.executable, "-m", "simulators", "--help"], capture_output=True,
                         text=True, check=True, timeout=30)
    assert "--scenario" in out.stdout and "csms-sim" in out.stdout
