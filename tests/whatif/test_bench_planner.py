"""The planner benchmark's scoring on one small scenario: every policy runs under the same
ledger, the oracle bounds the others (up to rounding), and nobody exceeds the grid limit."""

from __future__ import annotations

import dataclasses

from bench.planner.run import POLICIES, gain, run_one
from bench.planner.scenarios import FAMILIES


def test_one_small_scenario_is_scored_for_every_policy() -> None:
    family = dataclasses.replace(
        next(f for f in FAMILIES if f.name == "tight grid on-site"), workplace=6, visitors=2)
    scores = run_one(family, seed=3)
    assert set(scores) == set(POLICIES)
    for name, s in scores.items():
        assert s.over_kwh == 0.0, name
        assert 0 < s.energy <= s.requested + 1e-6, name
    # an upper bound up to its single rounding pass (docs/planner.md)
    assert scores["oracle"].green >= 0.98 * max(s.green for s in scores.values())
    assert scores["immediate"].green < scores["csms"].green
    assert 0.0 < gain(scores, "csms") <= gain(scores, "csms-pn") + 0.05
