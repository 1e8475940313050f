"""Honest stations beside stations that send values no database column takes.

Two runs of the same length on fresh servers: honest 1.6 stations alone, sending MeterValues
in a closed loop (one call in flight each), then the same beside poison stations that send
"NaN", "1e999", "-Infinity" and a connectorId of 10^23 as fast as they are answered. The
honest stations' replies and p99 should not move; the poison should get CALLERRORs.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.load.__main__ import TAGS, register_tags
from bench.load.procs import stop
from bench.robustness.client import CallError, Clock, Station, stamp
from bench.scale.launch import sqlite_url, start_csms

POISON_VALUES = ("NaN", "1e999", "-Infinity")


def _meter(at: str, value: str, connector: int = 1, tx: int | None = None) -> dict[str, Any]:
    payload: dict[str, Any] = {"connectorId": connector, "meterValue": [{
        "timestamp": at, "sampledValue": [
            {"value": value, "measurand": "Energy.Active.Import.Register", "unit": "Wh"},
            {"value": "7200", "measurand": "Power.Active.Import", "unit": "W"},
            {"value": "32", "measurand": "Current.Import", "unit": "A"}]}]}
    if tx is not None:
        payload["transactionId"] = tx
    return payload


async def _honest(url: str, sid: str, until: float, latencies: list[float]) -> None:
    st = Station(url, sid, "1.6")
    clock = Clock()
    await st.connect()
    await st.boot()
    r = await st.call("StartTransaction", {"connectorId": 1, "idTag": TAGS[1], "meterStart": 0,
                                          "timestamp": stamp(clock.next())})
    tx, wh = int(r["transactionId"]), 0.0
    while time.monotonic() < until:
        wh += 10
        t0 = time.perf_counter()
        await st.call("MeterValues", _meter(stamp(clock.next()), f"{wh:.1f}", tx=tx))
        latencies.append(time.perf_counter() - t0)
    await st.close()


async def _poison(url: str, sid: str, until: float, codes: Counter[str]) -> None:
    st = Station(url, sid, "1.6")
    clock = Clock()
    await st.connect()
    await st.boot()
    i = 0
    while time.monotonic() < until:
        i += 1
        kind = i % 4
        payload = (_meter(stamp(clock.next()), "100", connector=10**23) if kind == 3
                   else _meter(stamp(clock.next()), POISON_VALUES[kind]))
        try:
            await st.call("MeterValues", payload)
            codes["accepted"] += 1
        except CallError as e:
            codes[e.code] += 1
    await st.close()


async def _one(workdir: Path, name: str, honest: int, poison: int,
               seconds: float) -> dict[str, Any]:
    target = start_csms(workdir / name, {0, 1}, sqlite_url(workdir / name), name=name)
    try:
        register_tags(target)
        latencies: list[float] = []
        codes: Counter[str] = Counter()
        until = time.monotonic() + seconds
        await asyncio.gather(
            *(_honest(target.url, f"H{i:03d}", until, latencies) for i in range(honest)),
            *(_poison(target.url, f"P{i:03d}", until, codes) for i in range(poison)))
    finally:
        assert target.proc is not None
        stop(target.proc)
    latencies.sort()
    p99 = latencies[int(0.99 * (len(latencies) - 1))] * 1000 if latencies else float("nan")
    return {"honest": honest, "poison": poison, "honest_replies": len(latencies),
            "honest_p99_ms": round(p99, 1), "poison_answers": dict(codes)}


async def run(workdir: Path, honest: int, poison: int, seconds: float) -> list[dict[str, Any]]:
    (workdir / "alone").mkdir()
    (workdir / "poisoned").mkdir()
    alone = await _one(workdir, "alone", honest, 0, seconds)
    poisoned = await _one(workdir, "poisoned", honest, poison, seconds)
    return [alone, poisoned]
