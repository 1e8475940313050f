"""Thousands of idle and half-sent HTTP connections on the API port.

Opens `sockets` connections to the API port from `addresses` loopback addresses (127.0.0.2
and up: the server exempts only 127.0.0.1 from its per-address cap); one in ten sends half a
request head and stops (slowloris). While they are held, the health check is timed from
127.0.0.1 and a new station connects and boots. Reported: the server's open descriptors at
their peak and at the end, how many of our sockets it had closed by then, health latency,
the station's handshake, and how often the log said "Too many open files".
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from typing import Any

import httpx

from bench.load.procs import stop
from bench.robustness.client import Station
from bench.scale.launch import check_fds, sqlite_url, start_csms


def _fds(pid: int) -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return -1


async def _hold(host: str, port: int, source: str, slow: bool,
                writers: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]],
                refused: list[int]) -> None:
    try:
        r, w = await asyncio.open_connection(host, port, local_addr=(source, 0))
    except OSError:
        refused.append(1)
        return
    if slow:
        w.write(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n")  # and never the blank line
    writers.append((r, w))


async def run(workdir: Path, sockets: int, addresses: int, hold: float) -> dict[str, Any]:
    check_fds(sockets, "idle")
    target = start_csms(workdir, {0, 1}, sqlite_url(workdir), name="idle")
    assert target.proc is not None and target.api is not None
    pid, port = target.proc.pid, int(target.api.rsplit(":", 1)[1])
    writers: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    refused: list[int] = []
    latencies: list[float] = []
    peak = 0
    try:
        batch = 500
        for first in range(0, sockets, batch):
            await asyncio.gather(*(
                _hold("127.0.0.1", port, f"127.0.0.{2 + i % addresses}", i % 10 == 0,
                      writers, refused) for i in range(first, min(sockets, first + batch))))
            peak = max(peak, _fds(pid))
        station = Station(target.url, "IDLE-PROBE", "1.6")
        t0 = time.perf_counter()
        handshake: str
        try:
            await station.connect()
            await station.boot()
            handshake = f"booted in {1000 * (time.perf_counter() - t0):.0f} ms"
            await station.close()
        except Exception as e:
            handshake = f"failed: {e!r}"[:120]
        until = time.monotonic() + hold
        async with httpx.AsyncClient(timeout=10) as client:
            while time.monotonic() < until:
                t0 = time.perf_counter()
                try:
                    r = await client.get(f"{target.api}/api/v1/health",
                                         headers={"Connection": "close"})
                    if r.status_code == 200:
                        latencies.append(time.perf_counter() - t0)
                except httpx.HTTPError:
                    pass
                peak = max(peak, _fds(pid))
                await asyncio.sleep(0.2)
        closed = sum(1 for r, _ in writers if _eof(r))
        end_fds = _fds(pid)
    finally:
        for _, w in writers:
            w.close()
        stop(target.proc)
    log = (workdir / "idle.log").read_text(errors="replace")
    latencies.sort()

    def pick(q: float) -> float | None:
        return round(1000 * latencies[int(q * (len(latencies) - 1))], 1) if latencies else None

    return {"sockets": sockets, "addresses": addresses, "connect_refused": len(refused),
            "server_fds_peak": peak, "server_fds_after": end_fds,
            "closed_by_server_after_hold": closed, "held_s": hold,
            "health_ok": len(latencies), "health_p50_ms": pick(0.5),
            "health_p99_ms": pick(0.99), "station_handshake": handshake,
            "too_many_open_files_lines": log.count("Too many open files")}


def _eof(reader: asyncio.StreamReader) -> bool:
    """The server closed its end (what it sent before, a 429 or a 408, may still be unread)."""
    return bool(getattr(reader, "_eof", False))
