"""Score every policy on every scenario of every family; aggregate per family."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np

from bench.planner.readings import fine_scenario
from bench.planner.references import oracle_day, surplus_day
from bench.planner.scenarios import Family, clear_sky_kw, generate
from bench.planner.server import held, server_day
from csms.planning import PlanInputs, SessionNeed, plan
from csms.whatif import parse
from csms.whatif.ledger import Ledger
from csms.whatif.simulate import green_day, immediate_day

POLICIES = ("immediate", "surplus", "csms", "oracle", "csms-pf", "csms-pn", "oracle-safe")
QUICK = ("immediate", "surplus", "csms", "oracle")  # the diagnostics columns left empty
# `--server`: the server's loop on 5-minute readings, scored with the references on the same
# 5-minute ledger (immediate and the oracle re-run at that resolution; `csms-5` is plan-day's
# own schedule, held per 15-minute slot, on that ledger)
SERVER = ("server", "immediate-5", "oracle-5", "csms-5")


@dataclass
class Score:
    green: float = 0.0
    energy: float = 0.0
    requested: float = 0.0
    met: int = 0
    sessions: int = 0
    over_kwh: float = 0.0
    rule_breaks: int = 0
    sends: int = 0
    plugged_5min: float = 0.0
    ms: list[float] = field(default_factory=list)
    curtailed_kwh: float = 0.0  # what a site's local guard cut

    def add(self, book: Ledger) -> None:
        s = book.summary()
        self.green += float(s["green_kwh"])
        self.energy += float(s["energy_kwh"])
        self.requested += float(s["requested_kwh"])
        self.met += int(s["sessions_met"])
        self.sessions += len(book.sc.sessions)
        self.over_kwh += book.over_limit_kwh()
        self.rule_breaks += book.rule_breaks()
        self.sends += book.profile_sends
        self.plugged_5min += float(book.frac.sum()) * book.sc.slot_minutes / 5.0
        self.ms += book.planner_ms
        self.curtailed_kwh += book.curtailed_kwh


def run_one(family: Family, seed: int, policies: tuple[str, ...] = POLICIES) -> dict[str, Score]:
    sc = parse(generate(family, seed))
    fine, clear_5 = sc, None
    if any(p in SERVER for p in policies):  # readings every 5 minutes under the sun's course
        clear_5 = clear_sky_kw(family.day, sc.slots * 3, family.pv_peak_kw, 5)
        fine = fine_scenario(sc, seed, clear_kw=clear_5)
    runners = {
        "immediate": lambda: immediate_day(sc),
        "surplus": lambda: surplus_day(sc),
        "csms": lambda: green_day(sc),
        "oracle": lambda: oracle_day(sc),
        "csms-pf": lambda: green_day(sc, perfect_forecast=True),
        "csms-pn": lambda: green_day(sc, perfect_nowcast=True),
        "oracle-safe": lambda: oracle_day(sc, safe=True),
        "server": lambda: server_day(fine, clear_kw=clear_5),
        "immediate-5": lambda: immediate_day(fine),
        "oracle-5": lambda: oracle_day(fine),
    }
    books: dict[str, Ledger] = {}
    runners["csms-5"] = lambda: held(books.get("csms") or green_day(sc), fine)
    out: dict[str, Score] = {}
    for name in policies:
        books[name] = runners[name]()
        out[name] = Score()
        out[name].add(books[name])
    return out


def merge(parts: list[dict[str, Score]]) -> dict[str, Score]:
    total: dict[str, Score] = {}
    for part in parts:
        for name, s in part.items():
            t = total.setdefault(name, Score())
            for f in ("green", "energy", "requested", "met", "sessions", "over_kwh",
                      "rule_breaks", "sends", "plugged_5min", "curtailed_kwh"):
                setattr(t, f, getattr(t, f) + getattr(s, f))
            t.ms += s.ms
    return total


def gain(scores: dict[str, Score], who: str, upper: str = "oracle",
         lower: str = "immediate") -> float:
    if who not in scores or upper not in scores or lower not in scores:
        return float("nan")
    lo, hi = scores[lower].green, scores[upper].green
    return (scores[who].green - lo) / (hi - lo) if hi - lo > 1e-9 else 1.0


def step_timing(cars: int, repeats: int, seed: int) -> tuple[float, float]:
    """p50/p95 ms of one planner step with `cars` plugged in, departures up to 36 h ahead."""
    rng = np.random.default_rng(seed)
    start = datetime(2026, 6, 21, 6, tzinfo=UTC)
    slots = np.arange(144)
    sun = np.clip(np.sin(np.pi * (slots / 4 + 6 - 4) / 16), 0, None)
    # the site's history expects a car per 100 plugged in every slot, 20 kWh each, all day:
    # the newcomers the plan gives capacity to (`planner.newcomers`)
    arriving = np.full(len(slots), cars / 100 * 20.0)
    ms = []
    for _ in range(repeats):
        sessions = []
        for k in range(cars):
            dep = start + timedelta(hours=float(rng.uniform(2, 36)))
            sessions.append(SessionNeed(f"c{k}", start, dep, float(rng.uniform(5, 60)),
                                        float(rng.choice([7.4, 11.0, 22.0])), 4.1 * (k % 2),
                                        mode="fast" if k % 10 == 0 else "green"))
        t = time.perf_counter()
        plan(PlanInputs(start=start, grid_limit_kw=cars * 4.0, green_on_site=False,
                        sessions=sessions, green_kw=(sun * cars * 5).tolist(),
                        arriving_kwh=arriving.tolist()))
        ms.append((time.perf_counter() - t) * 1000)
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 95))
