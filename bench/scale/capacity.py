"""`python -m bench.scale.capacity`: the highest rate each server sustains, side by side.

For every protocol and every target, in one run: start the server alone on the server core,
connect 1000 stations from the generator core (boot, status), then offer an open-loop load of
R calls/s spread round-robin over the stations (the `bench.load` mix: sessions of Authorize,
start, ~84% meter values, heartbeats, status, stop) for --step-seconds at each rate of
--rates, upward. A step passes when p99 <= --p99-ms (latency counted from when each call fell
due), there were no CALLERRORs, timeouts or dropped connections, and the replies reached
--min-achieved of the offered rate. After the first failing step the gap is bisected
--refine times. The capacity is the highest passing rate.

If the generator was saturated (CPU >= 90% of its core, or its schedule running late) at the
step that failed, the capacity is only a lower bound: the table says so with `>=`.

Near saturation the p99 is what fails a step, and it varies from run to run: on a 2-core
machine runs of the same code an hour apart gave 4,750 and 6,250. `--rounds N` repeats the
whole search N times, every target once per round in turn (so slow spells of the machine fall
on all of them), and ends with each target's median and range and the median of the rounds'
ratios: the figure to compare, rather than one run's.

  python -m bench.scale.capacity                               # csms (SQLite), ocpp-lib, bare
  python -m bench.scale.capacity --postgres-url postgresql+asyncpg://postgres@127.0.0.1:5432/test
  python -m bench.scale.capacity --targets csms,bare --protocols 1.6 --step-seconds 5
  python -m bench.scale.capacity --targets csms,ocpp-lib --protocols 1.6 --rounds 3
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from pathlib import Path
from subprocess import Popen
from typing import Any

from bench.load import procs
from bench.load.frames import V16, V201
from bench.scale import launch
from bench.scale.cores import Busy

RATES = [100, 250, 500, 1000, 2000, 3000, 4000, 6000, 8000, 10000, 12000, 16000, 20000]
TARGETS = ("csms", "csms-pg", "ocpp-lib", "bare", "bare-sansio")
GEN_CPU_LIMIT = 90.0
LAG_LIMIT_MS = 50.0
FOREIGN_LIMIT = 15.0  # % of a core used by other processes on our cores that taints a step


@dataclass
class Outcome:
    target: str
    protocol: str
    capacity: float = 0.0
    lower_bound: bool = False  # the next step failed for the generator, or none failed
    bound_reason: str = ""  # "generator" or "rates"
    at_capacity: dict[str, Any] = field(default_factory=dict)
    steps: list[dict[str, Any]] = field(default_factory=list)
    error: str = ""
    round: int = 1

    def capacity_text(self) -> str:
        if self.error:
            return "error"
        if not self.capacity:
            lowest = min((s["offered"] for s in self.steps), default=0)
            return f"< {lowest:.0f}"
        return f"{'>= ' if self.lower_bound else ''}{self.capacity:.0f}"


def verdict(s: dict[str, Any], args: argparse.Namespace) -> list[str]:
    """Why a step fails (empty: it passes)."""
    why = []
    if s["p99"] > args.p99_ms:
        why.append(f"p99 {s['p99']:.0f} ms")
    if s["errors"]:
        why.append("CALLERROR " + ",".join(f"{k}:{v}" for k, v in s["errors"].items()))
    if s["timeouts"]:
        why.append(f"{s['timeouts']} timeouts")
    if s["closed"]:
        why.append(f"{s['closed']} dropped")
    if s["rate"] < args.min_achieved * s["offered"]:
        why.append(f"achieved {s['rate']:.0f}/s")
    return why


def contended(s: dict[str, Any]) -> bool:
    """Other processes took a noticeable share of the server's or the generator's core."""
    return bool(s["srv_core_busy_pct"] - s.get("srv_cpu_pct", 0) > FOREIGN_LIMIT
                or s["gen_core_busy_pct"] - s["gen_cpu_pct"] > FOREIGN_LIMIT)


def generator_bound(s: dict[str, Any]) -> bool:
    return bool(s["gen_cpu_pct"] >= GEN_CPU_LIMIT or s["sched_lag_p99_ms"] > LAG_LIMIT_MS)


def run_step(gen: launch.Generator, name: str, servers: list[Popen[str]], rate: float,
             args: argparse.Namespace) -> dict[str, Any]:
    """One step; the server CPU is summed over `servers` (100 = one core)."""
    cpu0, wall0 = sum(procs.cpu_seconds(p.pid) for p in servers), time.monotonic()
    core = Busy(launch.cpus(args.server_cpus))
    s = gen.ask(f"STEP {rate} {args.step_seconds}", args.step_seconds + 60)
    s["srv_core_busy_pct"] = core.pct()
    wall = time.monotonic() - wall0
    s["srv_cpu_pct"] = 100 * (sum(procs.cpu_seconds(p.pid) for p in servers) - cpu0) / wall
    if any(p.poll() is not None for p in servers):
        s["closed"] = s.get("closed", 0) + 1
    s["fail"] = verdict(s, args)
    s["gen_bound"] = generator_bound(s)
    s["contended"] = contended(s)
    print(f"  {name:8} {gen.protocol} {rate:>7.0f}/s -> {s['rate']:7.0f}/s p50 {s['p50']:6.1f}"
          f" p99 {s['p99']:7.1f} ms srv {s['srv_cpu_pct']:3.0f}% gen "
          f"{s['gen_cpu_pct']:3.0f}% (cores {s['srv_core_busy_pct']:3.0f}%/"
          f"{s['gen_core_busy_pct']:3.0f}%) lag99 {s['sched_lag_p99_ms']:5.1f} ms "
          f"{'FAIL ' + '; '.join(s['fail']) if s['fail'] else 'ok'}"
          f"{' (generator-bound)' if s['gen_bound'] else ''}"
          f"{' (cores shared with other processes)' if s['contended'] else ''}",
          file=sys.stderr, flush=True)
    time.sleep(args.pause)
    return s


def warm_up(gen: launch.Generator, args: argparse.Namespace) -> None:
    """An unscored step at half the first rate: every server starts cold (a fresh database,
    its first statements, the first transaction of each station), which is not the steady
    capacity the search measures; every target gets the same warm-up."""
    rate = args.rates[0] / 2
    s = gen.ask(f"STEP {rate} {args.warmup_seconds}", args.warmup_seconds + 60)
    print(f"  warm-up  {gen.protocol} {rate:>7.0f}/s -> {s['rate']:7.0f}/s p99 "
          f"{s['p99']:7.1f} ms (not scored)", file=sys.stderr, flush=True)
    time.sleep(args.pause)


def search(gen: launch.Generator, servers: list[Popen[str]], out: Outcome,
           args: argparse.Namespace) -> None:
    good: dict[str, Any] | None = None
    bad: dict[str, Any] | None = None
    for rate in args.rates:
        s = run_step(gen, out.target, servers, rate, args)
        out.steps.append(s)
        if s["fail"]:
            bad = s
            break
        good = s
    for _ in range(args.refine if bad is not None else 0):
        lo = good["offered"] if good else 0.0
        mid = round((lo + bad["offered"]) / 2 / 50) * 50  # type: ignore[index]
        if mid <= lo or mid >= bad["offered"]:  # type: ignore[index]
            break
        s = run_step(gen, out.target, servers, mid, args)
        out.steps.append(s)
        if s["fail"]:
            bad = s
        else:
            good = s
    if good is not None:
        out.capacity, out.at_capacity = good["offered"], good
    if bad is None:
        out.lower_bound, out.bound_reason = True, "rates"
    elif bad["gen_bound"]:
        out.lower_bound, out.bound_reason = True, "generator"


def run_one(name: str, protocol: str, args: argparse.Namespace, workdir: Path) -> Outcome:
    out = Outcome(name, protocol)
    workdir.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        try:
            t = launch.start_server(name, workdir, args, stack, launch.cpus(args.server_cpus))
        except RuntimeError as e:  # the next target may still run
            out.error = str(e)
            print(f"{name} {protocol}: {e}", file=sys.stderr)
            return out
        gen: launch.Generator | None = None
        try:
            launch.prepare(t)
            gen = launch.Generator([t.url], protocol, args.stations, workdir,
                                   launch.cpus(args.generator_cpus),
                                   call_timeout=args.call_timeout)
            c = gen.ask(f"CONNECT {args.stations}", args.setup_timeout)
            if c["failed"]:
                raise RuntimeError(f"{c['failed']} of {args.stations} stations failed to "
                                   f"connect and boot: {c['counters']}")
            assert t.proc is not None
            if args.warmup_seconds > 0:
                warm_up(gen, args)
            search(gen, [t.proc], out, args)
        except RuntimeError as e:
            out.error = str(e)
            print(f"{name} {protocol}: {e}", file=sys.stderr)
        finally:
            if gen is not None:
                gen.close()
            if t.proc is not None:
                procs.stop(t.proc)
    return out


def table(outcomes: list[Outcome]) -> str:
    rows = [("target", "proto", "capacity msg/s", "p50 ms", "p99 ms", "srv CPU", "gen CPU",
             "steps (offered:p99, x = failed)", "note")]
    several = len({o.round for o in outcomes}) > 1
    for o in outcomes:
        a = o.at_capacity
        steps = " ".join(f"{s['offered']:.0f}:{s['p99']:.0f}{'x' if s['fail'] else ''}"
                         for s in o.steps)
        rows.append((f"{o.target} #{o.round}" if several else o.target, o.protocol,
                     o.capacity_text(),
                     f"{a['p50']:.1f}" if a else "-", f"{a['p99']:.1f}" if a else "-",
                     f"{a.get('srv_cpu_pct', 0):.0f}%" if a else "-",
                     f"{a['gen_cpu_pct']:.0f}%" if a else "-", steps or o.error[:60],
                     "cores shared" if any(s["contended"] for s in o.steps) else ""))
    return launch.markdown(rows)


def ratios(outcomes: list[Outcome]) -> list[str]:
    rounds = sorted({o.round for o in outcomes})
    out = []
    for r in rounds:
        prefix = f"round {r}: " if len(rounds) > 1 else ""
        out += [prefix + line for line in _ratios([o for o in outcomes if o.round == r])]
    return out


def _ratios(outcomes: list[Outcome]) -> list[str]:
    by = {(o.target, o.protocol): o for o in outcomes}
    out = []
    for (target, proto), o in by.items():
        ref = by.get(("ocpp-lib", proto))
        if not (target.startswith("csms") and ref and ref.capacity and o.steps):
            continue
        if o.capacity:
            note = " (a bound is involved)" if o.lower_bound or ref.lower_bound else ""
            out.append(f"{target} / ocpp-lib, {proto}: {o.capacity / ref.capacity:.2f}x{note}")
        else:  # it failed even the lowest rate tried
            lowest = min(s["offered"] for s in o.steps)
            out.append(f"{target} / ocpp-lib, {proto}: < {lowest / ref.capacity:.2f}x")
    return out


def medians(outcomes: list[Outcome]) -> list[str]:
    """Over several rounds: each target's median capacity and range, and the median of the
    rounds' ratios to ocpp-lib (a round whose figures are missing or bounds is left out of
    the ratio and counted)."""
    rounds = sorted({o.round for o in outcomes})
    if len(rounds) < 2:
        return []
    out = []
    keys = list(dict.fromkeys((o.target, o.protocol) for o in outcomes))
    for target, proto in keys:
        caps = [o.capacity for o in outcomes
                if (o.target, o.protocol) == (target, proto) and o.capacity and not o.error]
        if caps:
            out.append(f"{target} {proto}: median {statistics.median(caps):.0f} msg/s "
                       f"({min(caps):.0f}-{max(caps):.0f} over {len(caps)} rounds)")
    for target, proto in keys:
        if not target.startswith("csms"):
            continue
        found, skipped = [], 0
        for r in rounds:
            mine = [o for o in outcomes if (o.target, o.protocol, o.round) == (target, proto, r)]
            ref = [o for o in outcomes
                   if (o.target, o.protocol, o.round) == ("ocpp-lib", proto, r)]
            if (mine and ref and mine[0].capacity and ref[0].capacity
                    and not mine[0].lower_bound and not ref[0].lower_bound):
                found.append(mine[0].capacity / ref[0].capacity)
            else:
                skipped += 1
        if found:
            left = f"; {skipped} round(s) left out" if skipped else ""
            out.append(f"{target} / ocpp-lib, {proto}: median {statistics.median(found):.2f}x "
                       f"({min(found):.2f}-{max(found):.2f}x over {len(found)} rounds{left})")
    return out


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.scale.capacity", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--targets", default="csms,ocpp-lib,bare",
                   help=f"comma-separated, of {', '.join(TARGETS)} (csms-pg is added when "
                        "--postgres-url is given)")
    p.add_argument("--protocols", default=f"{V16},{V201}")
    p.add_argument("--postgres-url", help="postgresql+asyncpg://USER@HOST:PORT/DB: a fresh "
                                          "database is created beside DB for each run")
    p.add_argument("--stations", type=int, default=1000)
    p.add_argument("--rates", type=lambda s: [float(x) for x in s.split(",")], default=RATES)
    p.add_argument("--step-seconds", type=float, default=10.0)
    p.add_argument("--refine", type=int, default=2, help="bisections after the first failure")
    p.add_argument("--p99-ms", type=float, default=200.0)
    p.add_argument("--min-achieved", type=float, default=0.95)
    p.add_argument("--call-timeout", type=float, default=10.0)
    p.add_argument("--setup-timeout", type=float, default=300.0)
    p.add_argument("--pause", type=float, default=1.0, help="seconds between steps")
    p.add_argument("--rounds", type=int, default=1,
                   help="repeat the whole search, every target once per round in turn, and "
                        "report medians")
    p.add_argument("--warmup-seconds", type=float, default=5.0,
                   help="an unscored step at half the first rate before the search (0: none)")
    launch.common_args(p)
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    names = [n.strip() for n in args.targets.split(",") if n.strip()]
    if args.postgres_url and "csms-pg" not in names:
        names.insert(names.index("csms") + 1 if "csms" in names else 0, "csms-pg")
    bad = [n for n in names if n not in TARGETS]
    if bad or ("csms-pg" in names and not args.postgres_url):
        raise SystemExit(f"unknown target(s) {bad} (of {TARGETS}); csms-pg needs --postgres-url")
    protocols = [p.strip() for p in args.protocols.split(",") if p.strip()]
    if not protocols or any(p not in (V16, V201) for p in protocols):
        raise SystemExit(f"--protocols: {V16} and/or {V201}")
    if args.stations < 1 or args.step_seconds <= 0 or not args.rates or args.rounds < 1:
        raise SystemExit("--stations, --step-seconds, --rates and --rounds must be positive")
    launch.cpus(args.server_cpus)  # a bad core list fails here, before anything starts
    os.sched_setaffinity(0, launch.cpus(args.generator_cpus))  # keep off the server core
    workdir = Path(tempfile.mkdtemp(prefix="csms-capacity-"))
    outcomes: list[Outcome] = []
    try:
        for r in range(1, args.rounds + 1):
            for protocol in protocols:
                for name in names:
                    print(f"{name} {protocol}" + (f" (round {r})" if args.rounds > 1 else "")
                          + ":", file=sys.stderr, flush=True)
                    outcome = run_one(name, protocol, args, workdir / f"{name}-{protocol}-{r}")
                    outcome.round = r
                    outcomes.append(outcome)
    finally:
        if args.keep:
            print(f"logs kept in {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print(table(outcomes))
    for line in ratios(outcomes) + medians(outcomes):
        print(line)
    for o in outcomes:
        if o.bound_reason == "generator":
            print(f">= {o.target} {o.protocol}: the generator saturated its core (or fell "
                  "behind its schedule) at the step that failed; the capacity is a lower bound.")
        elif o.bound_reason == "rates":
            print(f">= {o.target} {o.protocol}: passed every step of --rates; offer higher rates.")
    if any(s["contended"] for o in outcomes for s in o.steps):
        print("cores shared: other processes used more than 15% of the server's or the "
              "generator's core during some steps; those figures are noisy.")
    if args.json:
        Path(args.json).write_text(json.dumps([asdict(o) for o in outcomes], indent=1))
    return 1 if any(o.error for o in outcomes) else 0


if __name__ == "__main__":
    raise SystemExit(main())
