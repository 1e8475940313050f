"""Start what a scale benchmark needs: servers pinned to their core, generators on theirs.

Each child gets its CPU affinity and a raised open-files limit in `preexec_fn` (as
`taskset -c N prlimit --nofile=...` would): the server on `--server-cpus` (default core 0),
the generator on `--generator-cpus` (default core 1). csms runs unchanged through
`python -m csms serve`; on PostgreSQL every run gets a fresh database, dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import secrets
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any

from bench.load import procs
from bench.load.__main__ import TAGS, Target, register_tags

PY = sys.executable
FD_LIMIT = 200_000


def cpus(text: str) -> set[int]:
    try:
        chosen = {int(c) for c in text.split(",") if c.strip()}
    except ValueError:
        chosen = set()
    if not chosen:
        raise SystemExit(f"--server-cpus/--generator-cpus: not a list of core numbers: {text!r}")
    every = set(range(os.cpu_count() or 1))
    if not chosen <= every:
        raise SystemExit(f"cores {text!r} are not available here ({sorted(every)})")
    return chosen


def fd_ceiling(wanted: int = FD_LIMIT) -> int:
    """Raise this process's open-files limit towards `wanted` (children inherit it) and
    return what it got. Lifting the hard limit needs CAP_SYS_RESOURCE (root outside most
    containers); without it the hard limit is the ceiling."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, max(hard, wanted)))
    except (ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def check_fds(stations: int, what: str) -> int:
    """Exit with a clear message when `stations` sockets cannot fit under the fd limit."""
    ceiling = fd_ceiling()
    if stations + 200 > ceiling:
        raise SystemExit(
            f"{what}: {stations} stations need about {stations + 200} open files per process, "
            f"but the limit here is {ceiling} and cannot be raised (raising the hard limit "
            "needs CAP_SYS_RESOURCE, e.g. root outside a container: `ulimit -Hn 1048576`). "
            "Lower the station count or run where the limit can be raised.")
    return ceiling


def pinned(cores: set[int], fds: int = FD_LIMIT) -> Callable[[], None]:
    def setup() -> None:
        os.sched_setaffinity(0, cores)
        _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        with suppress(ValueError, OSError):  # not root: keep what we have
            resource.setrlimit(resource.RLIMIT_NOFILE, (fds, max(hard, fds)))
    return setup


def start(cmd: list[str], log: Path, cores: set[int], env: dict[str, str] | None = None,
          stdin: bool = False) -> subprocess.Popen[str]:
    return subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=log.open("w"),
        stdin=subprocess.PIPE if stdin else subprocess.DEVNULL, text=True, bufsize=1,
        env={**os.environ, **(env or {})}, preexec_fn=pinned(cores))


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


# --- servers ------------------------------------------------------------------------------

def start_reference(kind: str, workdir: Path, cores: set[int], port: int = 0) -> Target:
    log = workdir / f"{kind}.log"
    proc = start([PY, "-m", "bench.load.servers", kind, "--port", str(port)], log, cores)
    port = procs.Lines(proc).wait_for("LISTENING ", 30)
    return Target(kind, f"ws://127.0.0.1:{port}/ocpp", proc)


def start_csms(workdir: Path, cores: set[int], database_url: str, name: str = "csms",
               env: dict[str, str] | None = None, token: str | None = None,
               ocpp_port: int | None = None, log_level: str = "WARNING") -> Target:
    """`python -m csms serve` with its defaults, but on free ports and accepting unknown
    stations (the bench stations are not registered one by one)."""
    ocpp_port = ocpp_port or procs.free_port()
    api_port = procs.free_port()
    token = token or secrets.token_urlsafe(24)
    cmd = [PY, "-m", "csms", "serve", "--ocpp-host", "127.0.0.1", "--ocpp-port", str(ocpp_port),
           "--api-host", "127.0.0.1", "--api-port", str(api_port), "--database-url",
           database_url, "--unknown-stations", "accept", f"--admin-token={token}",
           "--log-level", log_level]
    log = workdir / f"{name}.log"
    # The metering set-up csms sends each station once after its boot (about five calls per
    # station) would land in the first load step; the benchmarks measure the steady rate.
    proc = start(cmd, log, cores, {"CSMS_STATION_SETUP": "false", **(env or {})})
    api = f"http://127.0.0.1:{api_port}"
    try:
        procs.wait_healthy(f"{api}/api/v1/health", proc, timeout=120)
    except RuntimeError as e:
        procs.stop(proc, 10)
        raise RuntimeError(f"{name} did not start: {e}\n--- {log} ---\n{tail(log)}") from e
    return Target(name, f"ws://127.0.0.1:{ocpp_port}/ocpp", proc, api, token)


def sqlite_url(workdir: Path) -> str:
    return f"sqlite+aiosqlite:///{workdir / 'csms.db'}"


class FreshPostgres:
    """A new, empty database next to the one `url` names; dropped on exit."""

    def __init__(self, url: str) -> None:
        if not url.startswith("postgresql"):
            raise SystemExit(f"--postgres-url must be postgresql+asyncpg://..., not {url!r}")
        self.base = url
        self.name = f"csms_bench_{secrets.token_hex(4)}"
        head, _, _ = url.rpartition("/")
        self.url = f"{head}/{self.name}"

    def _admin_dsn(self) -> str:
        return self.base.replace("postgresql+asyncpg://", "postgresql://", 1)

    async def _run(self, sql: str) -> None:
        import asyncpg

        conn = await asyncpg.connect(self._admin_dsn(), timeout=10)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    def __enter__(self) -> str:
        try:
            asyncio.run(self._run(f'CREATE DATABASE "{self.name}"'))
        except (OSError, Exception) as e:
            raise SystemExit(f"cannot create a database on {self.base}: {e}") from e
        return self.url

    def __exit__(self, *_: object) -> None:
        with suppress(Exception):
            asyncio.run(self._run(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))


def prepare(t: Target) -> None:
    """Known, accepted id tokens, so Authorize and starts go the normal way (csms only)."""
    register_tags(t)


# --- the generator ------------------------------------------------------------------------

class Generator:
    """One worker process on the generator core, and its stdin/stdout command channel."""

    def __init__(self, urls: list[str], version: str, stations: int, workdir: Path,
                 cores: set[int], **extra: Any) -> None:
        self.protocol = version
        sources = max(1, -(-stations // 20_000))  # ~28k ephemeral ports per source address
        cfg = {"urls": urls, "version": version, "first": 0, "count": stations, "tags": TAGS,
               "prefix": extra.pop("prefix", "SCALE"), "sources": sources, **extra}
        self.log = workdir / f"generator-{secrets.token_hex(2)}.log"
        self.proc = start([PY, "-m", "bench.scale.worker", json.dumps(cfg)], self.log, cores,
                          stdin=True)
        self.lines = procs.Lines(self.proc)
        self.ready = json.loads(self.lines.wait_for("READY ", 60))
        print(f"generator: {'orjson' if self.ready['fast_json'] else 'json (slower: no orjson)'}"
              f", loop {self.ready['loop']}, open-files limit {self.ready['fd_limit']}",
              file=sys.stderr, flush=True)

    def ask(self, command: str, timeout: float) -> dict[str, Any]:
        word = command.split()[0]
        assert self.proc.stdin is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return self.expect(word, timeout)

    def expect(self, word: str, timeout: float) -> dict[str, Any]:
        try:
            return dict(json.loads(self.lines.wait_for(word + " ", timeout)))
        except RuntimeError as e:
            with suppress(subprocess.TimeoutExpired):
                self.proc.wait(5)  # a crash closes stdout a moment before the exit status
            raise RuntimeError(f"the generator gave no {word} line (exit {self.proc.poll()})"
                               f"\n--- {self.log} ---\n{tail(self.log)}") from e

    def close(self) -> None:
        if self.proc.poll() is None:
            with suppress(OSError, ValueError):
                assert self.proc.stdin is not None
                self.proc.stdin.write("QUIT\n")
                self.proc.stdin.flush()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


def common_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--server-cpus", default="0", help="cores of the server(s) (default 0)")
    p.add_argument("--generator-cpus", default="1", help="cores of the generator (default 1)")
    p.add_argument("--keep", action="store_true", help="keep the temp dir (logs, databases)")
    p.add_argument("--json", metavar="OUT", help="also write the results as JSON")


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise RuntimeError(f"timed out after {timeout:.0f} s waiting for {what}")


def markdown(rows: list[tuple[str, ...]]) -> str:
    """The first row is the header; a Markdown table readable in a terminal."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |"
             for r in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def start_server(name: str, workdir: Path, args: argparse.Namespace, stack: Any,
                 cores: set[int]) -> Target:
    """csms on SQLite (`csms`) or on a fresh PostgreSQL database (`csms-pg`), or a reference."""
    if name == "csms":
        return start_csms(workdir, cores, sqlite_url(workdir))
    if name == "csms-pg":
        if not getattr(args, "postgres_url", None):
            raise SystemExit("csms-pg needs --postgres-url postgresql+asyncpg://USER@HOST/DB")
        url = stack.enter_context(FreshPostgres(args.postgres_url))
        return start_csms(workdir, cores, url, name="csms-pg")
    if name in ("bare", "bare-sansio", "ocpp-lib"):
        return start_reference(name, workdir, cores)
    raise SystemExit(f"unknown target {name!r} (csms, csms-pg, ocpp-lib, bare, bare-sansio)")


def error_text(s: dict[str, Any]) -> str:
    parts = [f"{sum(s['errors'].values())} CE" if s["errors"] else "",
             f"{s['timeouts']} TO" if s["timeouts"] else "",
             f"{s['closed']} dropped" if s["closed"] else "",
             f"{s['unsent']} unsent" if s.get("unsent") else ""]
    return "/".join(p for p in parts if p) or "0"
