"""`python -m bench.scale.storm`: 10,000 stations reconnect at once; how long until all boot?

Connects --stations stations (boot until Accepted, status), then either restarts the server
(`--mode restart`, the default: SIGTERM, wait for it to exit, start it again on the same port
and database) or drops every socket from the station side (`--mode drop`, server untouched).
Each station then behaves like a charger: it reconnects at once, and after a refused or
failed attempt retries every 1-3 s (random); once connected it sends BootNotification and,
on `Pending` or `Rejected`, waits the `interval` of the reply before booting again, until
`Accepted`.

Reported: the time from the drop (or from the new server answering its health check) until
the last station was Accepted, and how the attempts went: connections refused while no server
listened, handshakes refused with an HTTP status or timed out (--handshake-timeout),
BootNotifications answered Pending/Rejected, boots that failed (CALLERROR, timeout).

  python -m bench.scale.storm                              # csms (SQLite), 10,000, restart
  python -m bench.scale.storm --mode drop --stations 2000 --target bare
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from bench.load import procs
from bench.load.__main__ import Target
from bench.load.frames import V16, V201
from bench.scale import launch


class Server:
    """The server under test, restartable on the same port and database."""

    def __init__(self, args: argparse.Namespace, workdir: Path, stack: ExitStack) -> None:
        self.args, self.workdir = args, workdir
        self.cores = launch.cpus(args.server_cpus)
        self.port = procs.free_port()
        self.token = secrets.token_urlsafe(24)
        self.db = ""
        if args.target == "csms":
            self.db = launch.sqlite_url(workdir)
        elif args.target == "csms-pg":
            if not args.postgres_url:
                raise SystemExit("csms-pg needs --postgres-url")
            self.db = stack.enter_context(launch.FreshPostgres(args.postgres_url))
        elif args.target not in ("bare", "ocpp-lib"):
            raise SystemExit(f"unknown target {args.target!r} (csms, csms-pg, ocpp-lib, bare)")
        self.runs = 0

    def start(self) -> Target:
        self.runs += 1
        if self.db:
            return launch.start_csms(self.workdir, self.cores, self.db,
                                     name=f"{self.args.target}-{self.runs}", token=self.token,
                                     ocpp_port=self.port)
        return launch.start_reference(self.args.target, self.workdir, self.cores, self.port)


def run(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    with ExitStack() as stack:
        server = Server(args, workdir, stack)
        t = server.start()
        gen: launch.Generator | None = None
        try:
            launch.prepare(t)
            gen = launch.Generator([t.url], args.protocol, args.stations, workdir,
                                   launch.cpus(args.generator_cpus),
                                   call_timeout=args.call_timeout,
                                   setup_timeout=args.handshake_timeout,
                                   connect_concurrency=args.connect_concurrency,
                                   uvloop=not args.asyncio_loop)
            c = gen.ask(f"CONNECT {args.stations}", args.setup_timeout)
            print(f"connected {c['online']} of {args.stations} in {c['wall_s']:.0f} s",
                  file=sys.stderr, flush=True)
            ready = None
            if args.mode == "restart":
                assert gen.proc.stdin is not None
                gen.proc.stdin.write(f"STORM restart {args.deadline}\n")
                gen.proc.stdin.flush()
                gen.expect("ARMED", 30)
                stopped_at = time.monotonic()
                assert t.proc is not None
                procs.stop(t.proc, 60)
                down_s = time.monotonic() - stopped_at
                t = server.start()
                ready = time.monotonic()
                print(f"server stopped in {down_s:.1f} s, up again after "
                      f"{ready - stopped_at:.1f} s", file=sys.stderr, flush=True)
                s = gen.expect("STORM", args.deadline + 120)
            else:
                s = gen.ask(f"STORM drop {args.deadline}", args.deadline + 120)
            s["server_ready"] = ready
            s["connected_before"] = c["online"]
            return s
        finally:
            if gen is not None:
                gen.close()
            if t.proc is not None:
                procs.stop(t.proc)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.scale.storm", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--target", default="csms", help="csms, csms-pg, ocpp-lib or bare")
    p.add_argument("--postgres-url", help="for csms-pg: a fresh database is created beside it")
    p.add_argument("--protocol", choices=[V16, V201], default=V16)
    p.add_argument("--mode", choices=["restart", "drop"], default="restart")
    p.add_argument("--stations", type=int, default=10_000)
    p.add_argument("--deadline", type=float, default=300.0,
                   help="give up waiting for the last boot after this many seconds")
    p.add_argument("--handshake-timeout", type=float, default=10.0)
    p.add_argument("--call-timeout", type=float, default=30.0, help="BootNotification timeout")
    p.add_argument("--connect-concurrency", type=int, default=100, help="for the first connect")
    p.add_argument("--setup-timeout", type=float, default=900.0)
    p.add_argument("--asyncio-loop", action="store_true",
                   help="run the generator on asyncio's own loop, not uvloop")
    launch.common_args(p)
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.stations < 1 or args.deadline <= 0:
        raise SystemExit("--stations and --deadline must be positive")
    launch.cpus(args.server_cpus)  # a bad core list fails here, before anything starts
    os.sched_setaffinity(0, launch.cpus(args.generator_cpus))
    limit = launch.check_fds(args.stations, "storm")
    print(f"open-files limit {limit} (server and generator)", file=sys.stderr)
    workdir = Path(tempfile.mkdtemp(prefix="csms-storm-"))
    try:
        s = run(args, workdir)
    finally:
        if args.keep:
            print(f"logs kept in {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    c = s["counters"]
    start = s["server_ready"] or s["mark"]

    def since(t: float | None) -> str:
        return f"{t - start:.1f}" if t is not None else "-"

    refused = sum(c["handshake_refused"].values())
    rows = [("target", "proto", "mode", "stations", "booted", "all booted s", "p50 s",
             "refused (down)", "handshake refused", "handshake timeouts", "other conn errors",
             "boot Pending", "boot Rejected", "boot errors"),
            (args.target, args.protocol, args.mode, str(s["stations"]), str(s["booted"]),
             since(s["last_booted"]) if s["booted"] == s["stations"] else
             f"not all in {args.deadline:.0f}", since(s["booted_p50"]),
             str(c["connect_refused"]),
             f"{refused} {c['handshake_refused']}" if refused else "0",
             str(c["handshake_timeouts"]), str(c["connect_errors"]), str(c["boot_pending"]),
             str(c["boot_rejected"]), str(c["boot_errors"]))]
    print(launch.markdown(rows))
    print("times are from " + ("the restarted server answering its health check"
                               if s["server_ready"] else "the moment every socket was dropped")
          + "; 'refused (down)': connection attempts while no server listened (expected "
            "during a restart)")
    if args.json:
        Path(args.json).write_text(json.dumps({"args": vars(args), **s}, indent=1))
    return 0 if s["booted"] == s["stations"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
