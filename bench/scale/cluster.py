"""`python -m bench.scale.cluster`: capacity of two csms nodes sharing PostgreSQL and Redis.

Starts two `csms serve` processes on the same fresh PostgreSQL database and the same
CSMS_REDIS_URL, on different ports, splits the stations between them (even indexes on node A,
odd on node B) and runs the step search of `bench.scale.capacity` over both. Before the load
it checks that the two processes really are one cluster: an API command sent to node B for a
station connected to node A (and the reverse) must reach the station (HTTP 200), as
CONTRACT.md promises; a 409 (offline) means each node only knows its own sockets.
Unless --no-baseline is given, one node alone (the same PostgreSQL, no Redis) runs the same
search first, for the ratio.

Both nodes run on --server-cpus (default core 0, shared by the two): on a two-core machine
this measures what the cluster costs, not how it scales; give each more cores where there are.

  python -m bench.scale.cluster --postgres-url postgresql+asyncpg://postgres@127.0.0.1:5432/test \\
      --redis-url redis://127.0.0.1:6379/15
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import socket
import sys
import tempfile
from contextlib import ExitStack
from dataclasses import asdict
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from bench.load import procs
from bench.load.__main__ import Target
from bench.load.frames import V16, V201
from bench.scale import capacity, launch


def redis_ping(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss") or not parts.hostname:
        raise SystemExit(f"--redis-url must look like redis://HOST:PORT/DB, not {url!r}")
    try:
        with socket.create_connection((parts.hostname, parts.port or 6379), timeout=5) as s:
            s.sendall(b"PING\r\n")
            if not s.recv(64).startswith(b"+PONG"):
                raise SystemExit(f"{url}: no PONG from Redis")
    except OSError as e:
        raise SystemExit(f"cannot reach Redis at {url}: {e}") from e


def check_one_cluster(a: Target, b: Target, station_a: str, station_b: str) -> None:
    """A command through one node reaches a station held by the other, both ways."""
    for via, station, held in ((b, station_a, a), (a, station_b, b)):
        assert via.api is not None
        r = httpx.post(f"{via.api}/api/v1/stations/{station}/commands/trigger-message",
                       json={"message": "Heartbeat"}, headers=via.headers(), timeout=60)
        if r.status_code != 200:
            raise RuntimeError(
                f"cluster mode is not working (yet): a command sent to {via.name} for "
                f"{station}, connected to {held.name}, answered HTTP {r.status_code} "
                f"{r.text[:200]}. Two nodes sharing PostgreSQL and CSMS_REDIS_URL must route "
                "it through Redis (CONTRACT.md, cluster mode).")


def run_nodes(nodes: int, protocol: str, args: argparse.Namespace, workdir: Path,
              stack: ExitStack) -> capacity.Outcome:
    name = "csms x2" if nodes == 2 else "csms x1"
    out = capacity.Outcome(name, protocol)
    workdir.mkdir(parents=True, exist_ok=True)
    cores = launch.cpus(args.server_cpus)
    db = stack.enter_context(launch.FreshPostgres(args.postgres_url))
    env = {"CSMS_REDIS_URL": args.redis_url} if nodes == 2 else {}
    token = secrets.token_urlsafe(24)
    targets: list[Target] = []
    gen: launch.Generator | None = None
    try:
        for i in range(nodes):
            node = f"node-{'AB'[i]}" if nodes == 2 else "node"
            try:
                targets.append(launch.start_csms(workdir, cores, db, name=node, env=env,
                                                 token=token))
            except RuntimeError as e:
                raise RuntimeError(f"{node} did not start with CSMS_REDIS_URL set: cluster "
                                   f"mode may not be available in this build.\n{e}") from e
        launch.prepare(targets[0])
        gen = launch.Generator([t.url for t in targets], protocol, args.stations, workdir,
                               launch.cpus(args.generator_cpus), call_timeout=args.call_timeout)
        c = gen.ask(f"CONNECT {args.stations}", args.setup_timeout)
        if c["failed"]:
            raise RuntimeError(f"{c['failed']} of {args.stations} stations failed to connect "
                               f"and boot: {c['counters']}")
        if nodes == 2:
            check_one_cluster(targets[0], targets[1], "SCALE00000", "SCALE00001")
        capacity.search(gen, [t.proc for t in targets if t.proc is not None], out, args)
    except RuntimeError as e:
        out.error = str(e)
        print(f"{name} {protocol}: {e}", file=sys.stderr)
    finally:
        if gen is not None:
            gen.close()
        for t in targets:
            if t.proc is not None:
                procs.stop(t.proc)
    return out


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.scale.cluster", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--postgres-url", required=True,
                   help="postgresql+asyncpg://USER@HOST:PORT/DB (a fresh database is made)")
    p.add_argument("--redis-url", required=True, help="redis://HOST:PORT/DB shared by the nodes")
    p.add_argument("--protocols", default=V16)
    p.add_argument("--no-baseline", action="store_true", help="skip the one-node run")
    p.add_argument("--stations", type=int, default=1000)
    p.add_argument("--rates", type=lambda s: [float(x) for x in s.split(",")],
                   default=capacity.RATES)
    p.add_argument("--step-seconds", type=float, default=10.0)
    p.add_argument("--refine", type=int, default=2)
    p.add_argument("--p99-ms", type=float, default=200.0)
    p.add_argument("--min-achieved", type=float, default=0.95)
    p.add_argument("--call-timeout", type=float, default=10.0)
    p.add_argument("--setup-timeout", type=float, default=300.0)
    p.add_argument("--pause", type=float, default=1.0)
    launch.common_args(p)
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    protocols = [p.strip() for p in args.protocols.split(",") if p.strip()]
    if not protocols or any(p not in (V16, V201) for p in protocols):
        raise SystemExit(f"--protocols: {V16} and/or {V201}")
    if args.stations < 2:
        raise SystemExit("--stations: at least 2 (one per node)")
    redis_ping(args.redis_url)
    launch.cpus(args.server_cpus)  # a bad core list fails here, before anything starts
    os.sched_setaffinity(0, launch.cpus(args.generator_cpus))
    workdir = Path(tempfile.mkdtemp(prefix="csms-cluster-"))
    outcomes: list[capacity.Outcome] = []
    try:
        for protocol in protocols:
            for nodes in ((2,) if args.no_baseline else (1, 2)):
                print(f"{nodes} node(s), {protocol}:", file=sys.stderr, flush=True)
                with ExitStack() as stack:
                    outcomes.append(run_nodes(nodes, protocol, args,
                                              workdir / f"{nodes}-{protocol}", stack))
    finally:
        if args.keep:
            print(f"logs kept in {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print(capacity.table(outcomes))
    by = {(o.target, o.protocol): o for o in outcomes}
    for protocol in protocols:
        one, two = by.get(("csms x1", protocol)), by.get(("csms x2", protocol))
        if one and two and one.capacity and two.capacity:
            print(f"two nodes / one node, {protocol}: {two.capacity / one.capacity:.2f}x")
    for o in outcomes:
        if o.error:
            print(f"{o.target} {o.protocol}: {o.error}")
    if args.json:
        Path(args.json).write_text(json.dumps([asdict(o) for o in outcomes], indent=1))
    return 1 if any(o.error for o in outcomes) else 0


if __name__ == "__main__":
    raise SystemExit(main())
