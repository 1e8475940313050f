"""`python -m bench.scale.memory`: resident memory of the server per connected station.

Starts the server alone on the server core and reads its RSS (VmRSS) with no station, then
connects stations up to each of --levels (booted until Accepted and one StatusNotification,
then idle: only Heartbeats at the interval of their boot reply, and the server's pings),
waits --settle seconds and reads the RSS again. KB per station = (RSS - RSS with none) /
stations; the marginal figure between two levels is shown too.

More than ~28,000 connections to one server port exhaust the ephemeral ports of one source
address, so the generator binds its sockets to several loopback addresses (127.0.0.1,
127.0.0.2, ...: one per 20,000 stations). Both sides raise their open-files limit.

  python -m bench.scale.memory                            # csms, 0 / 10,000 / 50,000 stations
  python -m bench.scale.memory --levels 1000,5000 --target bare
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


def settle_rss(pid: int, seconds: float) -> int:
    """The RSS after `seconds`: the median of the last few reads, in KB."""
    reads: list[int] = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        reads.append(launch.rss_kb(pid))
        time.sleep(1.0)
    reads.append(launch.rss_kb(pid))
    tail = sorted(reads[-5:])
    return tail[len(tail) // 2]


def run(args: argparse.Namespace, workdir: Path) -> list[dict[str, Any]]:
    cores = launch.cpus(args.server_cpus)
    rows: list[dict[str, Any]] = []
    with ExitStack() as stack:
        t = launch.start_server(args.target, workdir, args, stack, cores)
        assert t.proc is not None
        gen: launch.Generator | None = None
        try:
            launch.prepare(t)
            base = settle_rss(t.proc.pid, args.settle)
            rows.append({"stations": 0, "rss_kb": base})
            print(f"0 stations: RSS {base / 1024:.0f} MB", file=sys.stderr, flush=True)
            gen = launch.Generator([t.url], args.protocol, max(args.levels), workdir,
                                   launch.cpus(args.generator_cpus),
                                   call_timeout=args.call_timeout,
                                   connect_concurrency=args.connect_concurrency,
                                   setup_timeout=args.call_timeout)
            for level in args.levels:
                c = gen.ask(f"CONNECT {level}", args.setup_timeout)
                gen.ask(f"HEARTBEATS {args.settle}", args.settle + args.call_timeout + 60)
                rss = settle_rss(t.proc.pid, min(2.0, args.settle))
                if t.proc.poll() is not None:
                    raise RuntimeError(f"the server exited ({t.proc.returncode}) at {level}")
                rows.append({"stations": c["online"], "rss_kb": rss, "connect_s": c["wall_s"],
                             "failed": c["failed"], "counters": c["counters"]})
                print(f"{c['online']} stations (connected in {c['wall_s']:.0f} s, failed "
                      f"{c['failed']}): RSS {rss / 1024:.0f} MB", file=sys.stderr, flush=True)
        finally:
            if gen is not None:
                gen.close()
            procs.stop(t.proc)
    return rows


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.scale.memory", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--target", default="csms", help="csms, csms-pg, ocpp-lib or bare")
    p.add_argument("--postgres-url", help="for csms-pg: a fresh database is created beside it")
    p.add_argument("--protocol", choices=[V16, V201], default=V16)
    p.add_argument("--levels", type=lambda s: sorted(int(x) for x in s.split(",")),
                   default=[10_000, 50_000], help="station counts, ascending")
    p.add_argument("--settle", type=float, default=20.0, help="idle seconds before each read")
    p.add_argument("--call-timeout", type=float, default=60.0)
    p.add_argument("--connect-concurrency", type=int, default=200)
    p.add_argument("--setup-timeout", type=float, default=3600.0)
    launch.common_args(p)
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if not args.levels or args.levels[0] < 1 or args.settle < 0:
        raise SystemExit("--levels must be positive station counts; --settle >= 0")
    launch.cpus(args.server_cpus)  # a bad core list fails here, before anything starts
    os.sched_setaffinity(0, launch.cpus(args.generator_cpus))
    limit = launch.check_fds(args.levels[-1], "memory")
    print(f"open-files limit {limit} (server and generator)", file=sys.stderr)
    workdir = Path(tempfile.mkdtemp(prefix="csms-memory-"))
    try:
        rows = run(args, workdir)
    finally:
        if args.keep:
            print(f"logs kept in {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    base = rows[0]["rss_kb"]
    table = [("target", "proto", "stations", "RSS MB", "KB/station", "marginal KB/station")]
    prev = rows[0]
    for r in rows:
        n = r["stations"]
        per = f"{(r['rss_kb'] - base) / n:.1f}" if n else "-"
        dn = n - prev["stations"]
        marginal = f"{(r['rss_kb'] - prev['rss_kb']) / dn:.1f}" if dn > 0 and prev is not r \
            else "-"
        table.append((args.target, args.protocol, str(n), f"{r['rss_kb'] / 1024:.0f}", per,
                      marginal))
        prev = r
    print(launch.markdown(table))
    if args.json:
        Path(args.json).write_text(json.dumps({"args": vars(args), "rows": rows}, indent=1))
    wanted = [0, *args.levels]
    return 0 if [r["stations"] for r in rows] == wanted else 1


if __name__ == "__main__":
    raise SystemExit(main())
