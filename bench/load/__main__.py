"""`python -m bench.load`: run the closed-loop station load and print the figures table.

Examples (all traffic stays on 127.0.0.1):
  python -m bench.load                                    # csms, 1.6, 200 stations, 20 s
  python -m bench.load --target csms,bare,ocpp-lib --protocol 2.0.1
  python -m bench.load --url ws://127.0.0.1:9000/ocpp --api-url http://127.0.0.1:8000 \
      --admin-token T                                     # an already running server
"""

from __future__ import annotations

import argparse
import json
import secrets
import shutil
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from subprocess import Popen
from typing import Any

import httpx

from bench.load import procs
from bench.load.frames import V16, V201
from bench.load.generator import WorkerConfig
from bench.load.report import Row, as_dict, percentile, summarize_collapsed, table

PY = sys.executable
TAGS = [f"BENCHTAG{i:03d}" for i in range(50)]


class Target:
    """A server under test: where to connect, its process (if we started it), its API."""

    def __init__(self, name: str, url: str, proc: Popen[str] | None = None,
                 api: str | None = None, token: str | None = None,
                 stats_file: Path | None = None) -> None:
        self.name, self.url, self.proc = name, url, proc
        self.api, self.token, self.stats_file = api, token, stats_file

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def stats(self) -> dict[str, Any] | None:
        if self.stats_file is None or not self.stats_file.exists():
            return None
        try:
            return dict(json.loads(self.stats_file.read_text()))
        except (OSError, ValueError):
            return None


def start_csms(workdir: Path, args: argparse.Namespace) -> Target:
    ocpp_port, api_port = procs.free_port(), procs.free_port()
    token = secrets.token_urlsafe(24)
    stats = workdir / "writer-stats.json"
    serve = ["serve", "--ocpp-host", "127.0.0.1", "--ocpp-port", str(ocpp_port),
             "--api-host", "127.0.0.1", "--api-port", str(api_port),
             "--database-url", f"sqlite+aiosqlite:///{workdir / 'csms.db'}",
             "--unknown-stations", "accept", f"--admin-token={token}",
             "--log-level", args.log_level]
    if args.plain_cli:
        cmd, stats_file = [PY, "-m", "csms", *serve], None
    else:
        cmd = [PY, "-m", "bench.load.csms_host", "--stats-file", str(stats)]
        if args.cprofile:
            cmd += ["--cprofile", str(Path(args.cprofile).resolve())]
        cmd, stats_file = [*cmd, "--", *serve], stats
    log = (workdir / "server.log").open("w")
    proc = procs.start(cmd, log)
    api = f"http://127.0.0.1:{api_port}"
    procs.wait_healthy(f"{api}/api/v1/health", proc)
    return Target("csms", f"ws://127.0.0.1:{ocpp_port}/ocpp", proc, api, token, stats_file)


def start_reference(kind: str, workdir: Path) -> Target:
    log = (workdir / f"{kind}.log").open("w")
    proc = procs.start([PY, "-m", "bench.load.servers", kind, "--port", "0"], log)
    port = procs.Lines(proc).wait_for("LISTENING ", 30)
    return Target(kind, f"ws://127.0.0.1:{port}/ocpp", proc)


def register_tags(t: Target) -> None:
    """Known, accepted id tokens, so Authorize and starts go the normal way."""
    if t.api is None or t.token is None:
        return
    with httpx.Client(base_url=t.api, headers=t.headers(), timeout=10) as c:
        for tag in TAGS:
            r = c.post("/api/v1/id-tokens", json={"id_token": tag, "status": "Accepted"})
            if r.status_code not in (201, 200, 409):
                print(f"registering {tag}: HTTP {r.status_code} {r.text[:200]}", file=sys.stderr)


def count_transactions(t: Target) -> int | None:
    """Rows behind GET /api/v1/transactions (paged, bounded to 1000 pages)."""
    if t.api is None or t.token is None:
        return None
    total = 0
    with httpx.Client(base_url=t.api, headers=t.headers(), timeout=30) as c:
        for page in range(1000):
            r = c.get("/api/v1/transactions", params={"limit": 1000, "offset": page * 1000})
            if r.status_code != 200:
                print(f"GET /api/v1/transactions: HTTP {r.status_code}", file=sys.stderr)
                return None
            rows = r.json()
            total += len(rows)
            if len(rows) < 1000:
                break
    return total


def start_workers(t: Target, args: argparse.Namespace, workdir: Path) -> list[Popen[str]]:
    n = max(1, min(args.workers, args.stations))
    share, extra = divmod(args.stations, n)
    workers, first = [], 0
    for w in range(n):
        count = share + (1 if w < extra else 0)
        cfg = WorkerConfig(url=t.url, version=args.protocol, first=first, count=count,
                           duration=args.duration, tags=TAGS, call_timeout=args.call_timeout,
                           connect_concurrency=args.connect_concurrency,
                           setup_timeout=args.setup_timeout,
                           compression=not args.no_compression, prefix=args.prefix,
                           seed=args.seed)
        first += count
        log = (workdir / f"generator-{t.name}-{w}.log").open("w")
        workers.append(procs.start([PY, "-m", "bench.load.generator", json.dumps(asdict(cfg))],
                                   log, stdin=True))
    return workers


def run_load(t: Target, args: argparse.Namespace, workdir: Path) -> Row:
    row = Row(t.name, args.protocol, args.stations, args.duration)
    workers = start_workers(t, args, workdir)
    try:
        lines = [procs.Lines(w) for w in workers]
        for lw in lines:
            lw.wait_for("READY ", args.setup_timeout + 30)
        spy = start_py_spy(t, args, workdir)
        server_cpu0 = procs.cpu_seconds(t.proc.pid) if t.proc else 0.0
        stats0 = t.stats()
        t0 = time.monotonic()
        for w in workers:
            assert w.stdin is not None
            w.stdin.write("GO\n")
            w.stdin.flush()
        results = [json.loads(lw.wait_for("RESULT ", args.duration + args.call_timeout + 90))
                   for lw in lines]
        wall = time.monotonic() - t0
        if t.proc:
            row.server_cpu_pct = 100 * (procs.cpu_seconds(t.proc.pid) - server_cpu0) / wall
        stats1 = t.stats()
        finish_py_spy(spy, args)
        for w in workers:
            w.wait(30)
        row.generator_cpu_pct = sum(100 * r["cpu_s"] / r["window_s"] for r in results)
    finally:
        for w in workers:
            if w.poll() is None:
                w.kill()
    _fill(row, results, stats0, stats1)
    return row


def _fill(row: Row, results: list[dict[str, Any]], s0: dict[str, Any] | None,
          s1: dict[str, Any] | None) -> None:
    latencies = sorted(x for r in results for x in r["latencies_ms"])
    row.replies = len(latencies)
    row.window_s = max(r["window_s"] for r in results)
    row.p50, row.p95 = percentile(latencies, 50), percentile(latencies, 95)
    row.p99, row.max = percentile(latencies, 99), (latencies[-1] if latencies else 0.0)
    for r in results:
        for code, n in r["errors"].items():
            row.call_errors[code] = row.call_errors.get(code, 0) + n
        for action, n in r["by_action"].items():
            row.by_action[action] = row.by_action.get(action, 0) + n
        row.timeouts += r["timeouts"]
        row.closed += r["closed"]
        row.connect_failures += r["connect_failures"] + r["setup_errors"]
        row.tx_started += r["tx_started"]
    if s0 is not None and s1 is not None:
        row.batches = s1["batches"] - s0["batches"]
        row.batch_writes = s1["writes"] - s0["writes"]
        row.max_batch = s1["max_batch"]
        if row.batches:
            row.commit_ms_avg = 1000 * (s1["commit_s"] - s0["commit_s"]) / row.batches


def start_py_spy(t: Target, args: argparse.Namespace, workdir: Path) -> Popen[str] | None:
    if not args.py_spy or t.proc is None:
        return None
    exe = shutil.which("py-spy") or str(Path(PY).parent / "py-spy")
    out = Path(args.py_spy).resolve()
    cmd = [exe, "record", "--pid", str(t.proc.pid), "--rate", "200", "--duration",
           str(int(args.duration)), "--format", "raw", "--output", str(out), "--nonblocking"]
    return procs.start(cmd, (workdir / "py-spy.log").open("w"))


def finish_py_spy(spy: Popen[str] | None, args: argparse.Namespace) -> None:
    if spy is None:
        return
    spy.wait(60)
    out = Path(args.py_spy).resolve()
    if out.exists():
        summary = summarize_collapsed(out, top=args.top)
        out.with_suffix(".txt").write_text(summary + "\n")
        print(f"py-spy: {out} (summary in {out.with_suffix('.txt')})", file=sys.stderr)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--target", default="csms",
                   help="comma-separated: csms, bare, ocpp-lib (run one after the other)")
    p.add_argument("--url", help="ws://HOST:PORT/ocpp of an already running server")
    p.add_argument("--api-url", help="with --url: http://HOST:PORT of its API (for row counts)")
    p.add_argument("--admin-token", help="with --url: the admin token of that server")
    p.add_argument("--protocol", choices=[V16, V201], default=V16)
    p.add_argument("--stations", type=int, default=200)
    p.add_argument("--duration", type=float, default=20.0)
    p.add_argument("--workers", type=int, default=1, help="generator processes")
    p.add_argument("--call-timeout", type=float, default=10.0)
    p.add_argument("--connect-concurrency", type=int, default=50)
    p.add_argument("--setup-timeout", type=float, default=180.0)
    p.add_argument("--no-compression", action="store_true",
                   help="do not offer permessage-deflate (many real chargers do not)")
    p.add_argument("--prefix", default="BENCH", help="station id prefix")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--plain-cli", action="store_true",
                   help="start exactly `python -m csms serve` (no writer batch statistics)")
    p.add_argument("--log-level", default="INFO", help="csms log level")
    p.add_argument("--py-spy", metavar="OUT", help="record the server with py-spy (raw format)")
    p.add_argument("--cprofile", metavar="OUT", help="cProfile the csms event loop into OUT")
    p.add_argument("--top", type=int, default=25, help="functions in the py-spy summary")
    p.add_argument("--json", metavar="OUT", help="also write the rows as JSON")
    p.add_argument("--keep", action="store_true", help="keep the temp dir (logs, database)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    names = [n.strip() for n in args.target.split(",") if n.strip()]
    if args.url:
        names = ["url"]
    workdir = Path(tempfile.mkdtemp(prefix="csms-bench-"))
    rows: list[Row] = []
    try:
        for name in names:
            rows.append(run_target(name, args, workdir / name))
            print(table(rows[-1:]), file=sys.stderr)
    finally:
        if args.keep:
            print(f"logs and database kept in {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print(table(rows))
    for r in rows:
        mix = ", ".join(f"{a} {n}" for a, n in sorted(r.by_action.items(), key=lambda x: -x[1]))
        errs = ", ".join(f"{c} {n}" for c, n in r.call_errors.items()) or "none"
        print(f"{r.target} {r.protocol}: mix {mix}; CALLERRORs {errs}")
    if args.json:
        Path(args.json).write_text(json.dumps([as_dict(r) for r in rows], indent=1))
    return 0


def run_target(name: str, args: argparse.Namespace, workdir: Path) -> Row:
    workdir.mkdir(parents=True, exist_ok=True)
    if name == "url":
        t = Target(args.url.split("//", 1)[-1].split("/", 1)[0], args.url, None,
                   args.api_url, args.admin_token)
    elif name == "csms":
        t = start_csms(workdir, args)
    elif name in ("bare", "ocpp-lib"):
        t = start_reference(name, workdir)
    else:
        raise SystemExit(f"unknown target {name!r} (csms, bare, ocpp-lib)")
    try:
        register_tags(t)
        row = run_load(t, args, workdir)
        row.tx_persisted = count_transactions(t)
        return row
    finally:
        if t.proc is not None:
            procs.stop(t.proc)


if __name__ == "__main__":
    raise SystemExit(main())
