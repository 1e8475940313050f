"""`python -m bench.scale.steady`: latency at 10,000 stations with realistic intervals.

The server runs alone on the server core; one generator process on the other core connects
--stations stations (boot until Accepted, status), then every station runs on its own clock:
Heartbeat every --heartbeat-s (60), StatusNotification every --status-s (120), and --active of
them (half) start a session (Authorize, start, status) and send meter values every 10-60 s
(drawn per session). After --warmup seconds (so every session has started), latencies are
measured for --seconds: from when each call fell due to its reply.

Both the generator and the server launcher raise their open-files limit (RLIMIT_NOFILE) to
fit the stations: the generator with `resource.setrlimit`, the server in its `preexec_fn`
(as root the hard limit may go up to /proc/sys/fs/nr_open).

  python -m bench.scale.steady                                  # csms (SQLite), 10,000, 1.6
  python -m bench.scale.steady --protocol 2.0.1 --seconds 300
  python -m bench.scale.steady --target csms-pg --postgres-url postgresql+asyncpg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from bench.load import procs
from bench.load.frames import V16, V201
from bench.scale import launch
from bench.scale.cores import Busy


def run(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    cores = launch.cpus(args.server_cpus)
    with ExitStack() as stack:
        t = launch.start_server(args.target, workdir, args, stack, cores)
        gen: launch.Generator | None = None
        try:
            launch.prepare(t)
            gen = launch.Generator([t.url], args.protocol, args.stations, workdir,
                                   launch.cpus(args.generator_cpus),
                                   call_timeout=args.call_timeout,
                                   heartbeat_s=args.heartbeat_s, status_s=args.status_s,
                                   active=args.active,
                                   connect_concurrency=args.connect_concurrency)
            c = gen.ask(f"CONNECT {args.stations}", args.setup_timeout)
            print(f"connected {c['online']} of {args.stations} in {c['wall_s']:.0f} s "
                  f"(failed {c['failed']})", file=sys.stderr, flush=True)
            assert t.proc is not None
            cpu0, wall0 = procs.cpu_seconds(t.proc.pid), time.monotonic()
            core = Busy(cores)
            s = gen.ask(f"STEADY {args.warmup} {args.seconds}",
                        args.warmup + args.seconds + args.call_timeout + 120)
            s["srv_cpu_pct"] = 100 * (procs.cpu_seconds(t.proc.pid) - cpu0) / (
                time.monotonic() - wall0)
            s["srv_core_busy_pct"] = core.pct()
            s["srv_rss_mb"] = launch.rss_kb(t.proc.pid) / 1024
            s["connect"] = c
            return s
        finally:
            if gen is not None:
                gen.close()
            if t.proc is not None:
                procs.stop(t.proc)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.scale.steady", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--target", default="csms", help="csms, csms-pg, ocpp-lib or bare")
    p.add_argument("--postgres-url", help="for csms-pg: a fresh database is created beside it")
    p.add_argument("--protocol", choices=[V16, V201], default=V16)
    p.add_argument("--stations", type=int, default=10_000)
    p.add_argument("--warmup", type=float, default=60.0)
    p.add_argument("--seconds", type=float, default=120.0, help="the measured window")
    p.add_argument("--heartbeat-s", type=float, default=60.0)
    p.add_argument("--status-s", type=float, default=120.0)
    p.add_argument("--active", type=float, default=0.5, help="share of stations charging")
    p.add_argument("--call-timeout", type=float, default=10.0)
    p.add_argument("--connect-concurrency", type=int, default=100)
    p.add_argument("--setup-timeout", type=float, default=900.0)
    launch.common_args(p)
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.stations < 1 or args.seconds <= 0 or args.warmup < 0 or not 0 <= args.active <= 1:
        raise SystemExit("--stations and --seconds must be positive, --warmup >= 0, "
                         "--active within 0..1")
    launch.cpus(args.server_cpus)  # a bad core list fails here, before anything starts
    os.sched_setaffinity(0, launch.cpus(args.generator_cpus))
    limit = launch.check_fds(args.stations, "steady")
    print(f"open-files limit {limit} (server and generator)", file=sys.stderr)
    workdir = Path(tempfile.mkdtemp(prefix="csms-steady-"))
    try:
        s = run(args, workdir)
    finally:
        if args.keep:
            print(f"logs kept in {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    rows = [("target", "proto", "stations", "window s", "msg/s", "p50 ms", "p95 ms", "p99 ms",
             "max ms", "errors", "srv CPU", "srv RSS MB", "gen CPU", "cores busy srv/gen"),
            (args.target, args.protocol, str(s["online"]), f"{args.seconds:.0f}",
             f"{s['rate']:.0f}", f"{s['p50']:.1f}", f"{s['p95']:.1f}", f"{s['p99']:.1f}",
             f"{s['max']:.0f}", launch.error_text(s), f"{s['srv_cpu_pct']:.0f}%",
             f"{s['srv_rss_mb']:.0f}", f"{s['gen_cpu_pct']:.0f}%",
             f"{s['srv_core_busy_pct']:.0f}%/{s['gen_core_busy_pct']:.0f}%")]
    print(launch.markdown(rows))
    mix = ", ".join(f"{a} {n}" for a, n in sorted(s["by_action"].items(), key=lambda x: -x[1]))
    print(f"mix in the window: {mix}")
    if s["gen_cpu_pct"] >= 90 or s["sched_lag_p99_ms"] > 50:
        print("the generator was saturated or late (sched lag p99 "
              f"{s['sched_lag_p99_ms']:.0f} ms): the latencies are an upper bound")
    if args.json:
        Path(args.json).write_text(json.dumps({"args": vars(args), **s}, indent=1))
    return 0 if s["online"] == args.stations else 1


if __name__ == "__main__":
    raise SystemExit(main())
