"""`python -m bench.planner [--seed N] [--seeds K] [--family NAME] [--jobs J] [--quick]
[--held-out] [--server]`: the planner table.

With `--server`, a second table: csms serve's loop replayed on 5-minute readings
(`bench.planner.server`), scored with immediate and the oracle on the same 5-minute ledger, and
plan-day's own schedule held per 15-minute slot on that ledger (`csms5`).

Without `--held-out`: the families and the forecast-error families open for tuning, from
`--seed`. With it: every family, the held-out forecast-error models included, on the held-out
seeds (from `errors.HELD_OUT_SEED`) — the final table only.

Figures, not assertions: docs/planner.md records a run and the targets it is read against.
"""

from __future__ import annotations

import argparse
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from bench.planner.errors import HELD_OUT_SEED
from bench.planner.run import (
    POLICIES,
    QUICK,
    SERVER,
    Score,
    gain,
    merge,
    run_one,
    step_timing,
)
from bench.planner.scenarios import ERROR_FAMILIES, FAMILIES


def _pct(x: float) -> str:
    return f"{100 * x:6.1f}"


def _row(name: str, s: dict[str, Score]) -> str:
    c, o = s["csms"], s["oracle"]
    ms = np.asarray(c.ms) if c.ms else np.zeros(1)
    delivered = c.energy / o.energy if o.energy else 1.0
    return (
        f"{name:<20}|{_pct(s['immediate'].green / max(s['immediate'].energy, 1e-9))}"
        f"{_pct(c.green / max(c.energy, 1e-9))}{_pct(o.green / max(o.energy, 1e-9))} |"
        f"{_pct(gain(s, 'csms'))}{_pct(gain(s, 'surplus'))}{_pct(gain(s, 'csms-pf'))}"
        f"{_pct(gain(s, 'csms-pn'))}"
        f"{_pct(gain(s, 'csms', 'oracle-safe'))} |{_pct(delivered)}"
        f"{_pct(c.met / c.sessions)}{_pct(o.met / o.sessions)}{_pct(s['surplus'].met / c.sessions)}"
        f" |{c.over_kwh:6.2f}{s['oracle'].over_kwh:6.2f}{s['surplus'].over_kwh:6.2f}"
        f"{c.rule_breaks:5d}"
        f" |{c.sends / max(c.plugged_5min, 1e-9):6.3f}"
        f"{np.percentile(ms, 50):7.1f}{np.percentile(ms, 95):7.1f}"
    )


HEADER = (
    f"{'family':<20}|{'green share %':^18} |{'gain captured % of oracle':^30} |"
    f"{'energy / sessions met %':^24} |{'kWh over limit':^18}{'rule':>5} |{'prof/5m':>6}"
    f"{'step ms':^14}\n"
    f"{'':<20}|{'imm':>6}{'csms':>6}{'orac':>6} |{'csms':>6}{'surpl':>6}{'pf':>6}{'pn':>6}"
    f"{'safe':>6} |"
    f"{'E/orc':>6}{'csms':>6}{'orac':>6}{'surpl':>6} |{'csms':>6}{'orac':>6}{'surpl':>6}"
    f"{'csms':>5} |"
    f"{'csms':>6}{'p50':>7}{'p95':>7}"
)


def _server_row(name: str, s: dict[str, Score]) -> str:
    v, o = s["server"], s["oracle-5"]
    ms = np.asarray(v.ms) if v.ms else np.zeros(1)
    return (
        f"{name:<22}|{_pct(gain(s, 'server', 'oracle-5', 'immediate-5'))}"
        f"{_pct(gain(s, 'csms-5', 'oracle-5', 'immediate-5'))}{_pct(gain(s, 'csms'))} |"
        f"{_pct(v.energy / o.energy if o.energy else 1.0)}"
        f"{_pct(v.met / max(v.sessions, 1))}{_pct(s['csms'].met / max(v.sessions, 1))} |"
        f"{v.over_kwh:6.2f}{v.rule_breaks:5d} |{v.sends / max(v.plugged_5min, 1e-9):6.3f}"
        f"{np.percentile(ms, 50):7.1f}{np.percentile(ms, 95):7.1f}"
    )


SERVER_HEADER = (
    f"{'family (5-min reads)':<22}|{'gain %':^18} |{'E/orc5 met % ':^18} |"
    f"{'over rule':^11} |{'prof/5m':>6}{'step ms':^14}\n"
    f"{'':<22}|{'server':>6}{'csms5':>6}{'csms':>6} |{'E':>6}{'server':>6}{'csms':>6} |"
    f"{'kWh':>6}{'':>5} |{'server':>6}{'p50':>7}{'p95':>7}"
)


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.planner", description=__doc__)
    ap.add_argument("--seed", type=int, default=1, help="first seed (default 1)")
    ap.add_argument("--seeds", type=int, default=None, help="seeds per family (default: family's)")
    ap.add_argument("--family", default=None, help="only families whose name contains this")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--no-timing", action="store_true", help="skip the 200/1000-car step timing")
    ap.add_argument("--quick", action="store_true", help="csms and the references only (no pf, "
                    "pn, safe diagnostics)")
    ap.add_argument("--held-out", action="store_true", help="the final table: every family, "
                    "held-out ones included, on the held-out seeds")
    ap.add_argument("--server", action="store_true", help="also replay the server's loop on "
                    "5-minute readings (second table)")
    ap.add_argument("--server-only", action="store_true", help="the server table alone (csms, "
                    "immediate and the oracle besides it): a third of the CPU of --server")
    ap.add_argument("--exclude", default=None, help="skip families whose name contains this")
    args = ap.parse_args()
    first = HELD_OUT_SEED if args.held_out else args.seed
    fams = [f for f in (*FAMILIES, *ERROR_FAMILIES) if (args.held_out or not f.held_out)
            and (args.family is None or args.family in f.name)
            and (args.exclude is None or args.exclude not in f.name)]
    tasks = [(f, first + k) for f in fams for k in range(args.seeds or f.seeds)]
    pols = (QUICK if args.quick else POLICIES) + (SERVER if args.server else ())
    if args.server_only:
        pols = ("immediate", "csms", "oracle", *SERVER)
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        results = list(pool.map(run_one, [f for f, _ in tasks], [s for _, s in tasks],
                                [pols] * len(tasks)))
    if not args.server_only:
        print(HEADER)
        for f in fams:
            parts = [r for (g, _), r in zip(tasks, results, strict=True) if g is f]
            print(_row(f"{f.name} ({len(parts)})", merge(parts)))
    if args.server or args.server_only:
        print(SERVER_HEADER)
        for f in fams:
            parts = [r for (g, _), r in zip(tasks, results, strict=True) if g is f]
            print(_server_row(f"{f.name} ({len(parts)})", merge(parts)))
    for f in fams:  # what the guard cut is not in the tables: energy the cars did not get
        if f.local_guard:
            t = merge([r for (g, _), r in zip(tasks, results, strict=True) if g is f])
            print(f"{f.name}: the local guard cut " + ", ".join(
                f"{name} {t[name].curtailed_kwh:.2f} kWh" for name in ("csms", "csms-5", "server")
                if name in t))
    if not args.no_timing:
        for cars in (200, 1000):
            p50, p95 = step_timing(cars, 10 if cars == 200 else 6, args.seed)
            print(f"planner step, {cars} cars plugged in, up to 36 h: p50 {p50:.0f} ms, "
                  f"p95 {p95:.0f} ms")


if __name__ == "__main__":
    main()
