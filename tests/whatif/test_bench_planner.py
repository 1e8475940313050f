"""The planner benchmark's scoring on one small scenario: every policy runs under the same
ledger, the oracle bounds the others (up to rounding), and nobody exceeds the grid limit."""

from __future__ import annotations

import dataclasses

from bench.planner.nowcast import REFERENCES, errors
from bench.planner.run import POLICIES, gain, run_one
from bench.planner.scenarios import ERROR_FAMILIES, FAMILIES, generate


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


def test_guarded_families_are_the_same_days_at_a_site_with_a_local_guard() -> None:
    by_name = {f.name: f for f in (*FAMILIES, *ERROR_FAMILIES)}
    for strict in ("tight grid on-site", "fc inverter trip"):
        plain = generate(by_name[strict], 2)
        guarded = generate(by_name[f"{strict} guarded"], 2)
        assert guarded["site"].pop("local_guard") is True and "local_guard" not in plain["site"]
        assert guarded == plain


def test_the_nowcast_table_scores_each_reference_on_a_family() -> None:
    fam = next(f for f in FAMILIES if f.name == "pv-rich broken")
    e = errors(fam, range(1, 3))
    assert set(e) == set(REFERENCES)
    assert all(0.0 < v < 50.0 for v in e.values())
    # the clear sky is the smoothest reference there is; the course takes back a good part of
    # what the forecast's every wiggle costs (docs/planner.md, "The nowcast along the
    # forecast's course"): on these days 11.0 -> 9.4, the clear sky 8.9
    assert e["clear sky"] < e["course"] < 0.95 * e["forecast"]
