"""The load generator process: `python -m bench.scale.worker CONFIG_JSON`, driven over stdin.

It prints `READY`, then runs one command per stdin line and answers each with one line
`<WORD> {json}` on stdout:

  CONNECT n               set up stations 0..n-1 (connect, boot until Accepted, status)
  STEP rate seconds       open-loop load: `rate` calls/s spread round-robin over the stations
  STEADY warmup seconds   realistic intervals: heartbeat, status, sessions with meter values
  HEARTBEATS seconds      idle stations: only heartbeats, at the interval the boot reply gave
  STORM drop|restart s    drop every socket (or wait for the server to drop them) and report
                          how the stations got back: reconnect and boot until Accepted
  QUIT

Every answer carries this process's CPU share over the command (100 = one core) and the
scheduler's lateness: when either is high, the generator, not the server, set the pace.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import json
import os
import random
import resource
import sys
import time
from dataclasses import asdict
from typing import Any

from bench.load.report import percentile
from bench.scale.cores import Busy
from bench.scale.fleet import Fleet, Station, Window
from bench.scale.wire import FAST_JSON

TICK = 0.002


def raise_fd_limit(wanted: int) -> int:
    """Raise RLIMIT_NOFILE towards `wanted` (root may lift the hard limit up to nr_open)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= wanted:
        return soft
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, max(hard, wanted)))
    except (ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


class Meter:
    """CPU share and scheduler lateness over one command."""

    def __init__(self) -> None:
        self.wall0, self.cpu0 = time.perf_counter(), time.process_time()
        self.lags: list[float] = []
        self.core = Busy(os.sched_getaffinity(0))

    def lag(self, ms: float) -> None:
        self.lags.append(ms)

    def result(self) -> dict[str, Any]:
        wall = time.perf_counter() - self.wall0
        lags = sorted(self.lags)
        return {"gen_cpu_pct": 100 * (time.process_time() - self.cpu0) / wall if wall else 0.0,
                "gen_core_busy_pct": self.core.pct(),
                "sched_lag_p99_ms": percentile(lags, 99), "wall_s": wall}


def summary(w: Window, seconds: float) -> dict[str, Any]:
    lat = sorted(w.latencies_ms)
    return {"replies": len(lat), "rate": len(lat) / seconds if seconds else 0.0,
            "p50": percentile(lat, 50), "p95": percentile(lat, 95), "p99": percentile(lat, 99),
            "max": lat[-1] if lat else 0.0, "errors": w.errors, "timeouts": w.timeouts,
            "closed": w.closed, "unsent": w.unsent, "by_action": w.by_action}


async def drain(fleet: Fleet) -> None:
    """After a window: drop what is still waiting to be sent, wait for the calls in flight."""
    fleet.drop_backlogs()
    deadline = time.perf_counter() + fleet.call_timeout + 1
    while time.perf_counter() < deadline:
        if not fleet.in_flight():
            break
        await asyncio.sleep(0.05)
    fleet.expire()


async def step(fleet: Fleet, rate: float, seconds: float) -> dict[str, Any]:
    online = [st for st in fleet.stations if st.online]
    if not online or rate <= 0:
        return {"error": "no station online"}
    random.Random(7).shuffle(online)
    meter = Meter()
    t0 = time.perf_counter() + 0.05
    end = t0 + seconds
    fleet.window = w = Window(t0, end)
    sent, n, next_expiry = 0, len(online), t0 + 0.5
    while (now := time.perf_counter()) < end:
        due = min(int((now - t0) * rate), int(seconds * rate))
        if sent < due:
            meter.lag((now - (t0 + sent / rate)) * 1000.0)
        while sent < due:
            fleet.fire(online[sent % n], t0 + sent / rate, "next")
            sent += 1
        if now > next_expiry:
            fleet.expire()
            next_expiry = now + 0.5
        await asyncio.sleep(TICK)
    await drain(fleet)
    fleet.window = None
    return {"offered": rate, "sent_due": sent, **summary(w, seconds), **meter.result()}


async def timed(fleet: Fleet, warmup: float, seconds: float, kinds: dict[str, Any],
                active: float) -> dict[str, Any]:
    """Each station on its own clock: kinds maps a call kind to its period (None: the boot
    reply's interval); `active` of the stations charge, with meter values every 10-60 s."""
    meter = Meter()
    rng = random.Random(11)
    t0 = time.perf_counter()
    start, end = t0 + warmup, t0 + warmup + seconds
    fleet.window = w = Window(start, end)
    fleet.follow_ups = True
    heap: list[tuple[float, int, Station, str, float]] = []
    seq = itertools.count()
    for st in fleet.stations:
        if not st.online:
            continue
        for kind, period in kinds.items():
            p = float(period or st.interval)
            heapq.heappush(heap, (t0 + rng.uniform(0, p), next(seq), st, kind, p))
        if rng.random() < active:
            heapq.heappush(heap, (t0 + rng.uniform(0, min(60.0, warmup or 60.0)), next(seq), st,
                                  "session", rng.uniform(10.0, 60.0)))
    next_expiry = t0 + 0.5
    while (now := time.perf_counter()) < end:
        if heap and heap[0][0] <= now:
            meter.lag((now - heap[0][0]) * 1000.0)
        while heap and heap[0][0] <= now:
            due, _, st, kind, period = heapq.heappop(heap)
            if kind == "session":  # Authorize now (the start follows it), then meter values
                if st.model.tx_id is None:
                    fleet.fire(st, due, "next")
                heapq.heappush(heap, (due + period, next(seq), st, "meter", period))
                continue
            fleet.fire(st, due, kind)
            heapq.heappush(heap, (due + period, next(seq), st, kind, period))
        if now > next_expiry:
            fleet.expire()
            next_expiry = now + 0.5
        wait = (heap[0][0] - now) if heap else 0.05
        await asyncio.sleep(min(max(wait, TICK), 0.05))
    await drain(fleet)
    fleet.window, fleet.follow_ups = None, False
    return {**summary(w, seconds), **meter.result(),
            "online": sum(1 for st in fleet.stations if st.online)}


async def storm(fleet: Fleet, how: str, seconds: float) -> dict[str, Any]:
    """Every station drops and comes back; when were they all booted again?"""
    meter = Meter()
    before = asdict(fleet.counters)
    mark = time.monotonic()
    fleet.reconnect = True
    expected = [st for st in fleet.stations if st.online]
    if how == "drop":
        for st in expected:
            assert st.link is not None
            st.link.abort()
    else:
        print("ARMED " + json.dumps({"mark": mark, "stations": len(expected)}), flush=True)
    deadline = mark + seconds
    while time.monotonic() < deadline:
        if all(st.booted_at > mark and st.online for st in expected):
            break
        await asyncio.sleep(0.05)
    fleet.reconnect = False
    booted = sorted(st.booted_at for st in expected if st.booted_at > mark and st.online)
    after = asdict(fleet.counters)
    delta = {k: (v - before[k]) if isinstance(v, int) else
             {c: n - before[k].get(c, 0) for c, n in v.items()} for k, v in after.items()}
    return {"mark": mark, "stations": len(expected), "booted": len(booted),
            "first_booted": booted[0] if booted else None,
            "last_booted": booted[-1] if booted else None,
            "booted_p50": percentile(booted, 50) if booted else None,
            "counters": delta, **meter.result()}


async def serve(cfg: dict[str, Any]) -> None:
    fleet = Fleet(cfg)
    limit = raise_fd_limit(int(cfg["count"]) + 1024)
    print("READY " + json.dumps({"fd_limit": limit, "fast_json": FAST_JSON,
                                 "loop": type(asyncio.get_running_loop()).__module__}),
          flush=True)
    concurrency = int(cfg.get("connect_concurrency", 100))
    timeout = float(cfg.get("setup_timeout", 30.0))
    while True:
        line = await asyncio.to_thread(sys.stdin.readline)
        words = line.split()
        if not words or words[0] == "QUIT":
            break
        cmd, args = words[0], words[1:]
        out: dict[str, Any]
        if cmd == "CONNECT":
            meter = Meter()
            ok, failed = await fleet.connect(min(int(args[0]), len(fleet.stations)),
                                             concurrency, timeout)
            out = {"ok": ok, "failed": failed, "online": sum(s.online for s in fleet.stations),
                   "counters": asdict(fleet.counters), **meter.result()}
        elif cmd == "STEP":
            out = await step(fleet, float(args[0]), float(args[1]))
        elif cmd == "STEADY":
            kinds = {"heartbeat": float(cfg.get("heartbeat_s", 60)),
                     "status": float(cfg.get("status_s", 120))}
            out = await timed(fleet, float(args[0]), float(args[1]), kinds,
                              float(cfg.get("active", 0.5)))
        elif cmd == "HEARTBEATS":
            out = await timed(fleet, 0.0, float(args[0]), {"heartbeat": None}, 0.0)
        elif cmd == "STORM":
            out = await storm(fleet, args[0], float(args[1]))
        else:
            out = {"error": f"unknown command {cmd!r}"}
        print(f"{cmd} " + json.dumps(out), flush=True)
    for st in fleet.stations:
        if st.link is not None:
            st.link.abort()
    print("BYE {}", flush=True)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    cfg = json.loads(args[0])
    if cfg.get("uvloop", True):
        try:
            import uvloop
        except ImportError:
            pass
        else:
            uvloop.run(serve(cfg))
            return 0
    asyncio.run(serve(cfg))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
