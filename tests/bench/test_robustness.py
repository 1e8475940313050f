"""The robustness benchmark runs end to end against a real csms, in miniature.

Figures are for the docs; these tests check that every scenario connects, measures and
reports, and that what must be zero is zero at this size too (nothing confirmed lost across
a SIGKILL, no retransmitted sample stored twice).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def run(*args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bench.robustness", *args],
                          capture_output=True, text=True, timeout=timeout)


def test_every_scenario_reports_and_loses_nothing(tmp_path: Path) -> None:
    out = tmp_path / "robust.json"
    p = run("--stations", "6", "--rounds", "1", "--seconds", "3", "--poison", "2",
            "--sockets", "300", "--addresses", "2", "--hold", "1", "--json", str(out))
    assert p.returncode == 0, p.stderr[-3000:]
    got = json.loads(out.read_text())
    [crash] = got["crash"]
    assert crash["confirmed_starts"] > 0 and crash["confirmed_samples"] > 0
    assert crash["lost_starts"] == crash["lost_samples"] == crash["lost_stops"] == 0
    [retransmit] = got["retransmit"]
    assert retransmit["retransmissions"] == 6 and retransmit["duplicate_rows"] == 0
    alone, poisoned = got["poison"]
    assert alone["honest_replies"] > 0 and poisoned["honest_replies"] > 0
    assert poisoned["poison_answers"] and "accepted" not in poisoned["poison_answers"]
    [idle] = got["idle"]
    assert idle["station_handshake"].startswith("booted") and idle["health_ok"] > 0
    assert idle["too_many_open_files_lines"] == 0
    assert "### crash" in p.stdout and "### idle" in p.stdout


def test_an_unknown_scenario_is_refused() -> None:
    p = run("--scenarios", "meteor")
    assert p.returncode != 0 and "unknown scenario" in p.stderr
