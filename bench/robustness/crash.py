"""Kill the server with SIGKILL while stations charge; nothing it confirmed may be missing.

Each round starts `csms serve` on the same SQLite file, lets stations of both versions run
sessions (start, register readings, stop) as fast as the server answers, kills the server at
a random moment, and compares what the server confirmed (every reply received) with what the
file holds once SQLite has recovered its journal.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sqlite3
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.load.__main__ import TAGS, register_tags
from bench.robustness.client import Clock, Station, register_sample, stamp
from bench.scale.launch import sqlite_url, start_csms

Key = tuple[str, str]


@dataclass
class Confirmed:
    starts: set[Key] = field(default_factory=set)
    stops: set[Key] = field(default_factory=set)
    samples: set[tuple[str, str, str]] = field(default_factory=set)
    replies: int = 0


def _db_time(at: datetime) -> str:
    return at.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


async def _session_16(st: Station, tag: str, clock: Clock, seen: Confirmed) -> None:
    wh = float(random.randint(0, 10_000))
    at = clock.next()
    r = await st.call("StartTransaction", {"connectorId": 1, "idTag": tag,
                                          "meterStart": int(wh), "timestamp": stamp(at)})
    tx = str(r["transactionId"])
    seen.starts.add((st.station_id, tx))
    seen.replies += 1
    for _ in range(random.randint(2, 8)):
        wh += random.uniform(10, 500)
        at = clock.next()
        await st.call("MeterValues", {"connectorId": 1, "transactionId": int(tx),
                                      "meterValue": [register_sample(at, wh, "1.6")]})
        seen.samples.add((st.station_id, tx, _db_time(at)))
        seen.replies += 1
    await st.call("StopTransaction", {"transactionId": int(tx), "meterStop": int(wh) + 1,
                                      "timestamp": stamp(clock.next()), "idTag": tag})
    seen.stops.add((st.station_id, tx))
    seen.replies += 1


async def _session_201(st: Station, tag: str, clock: Clock, seen: Confirmed) -> None:
    tx = uuid.uuid4().hex[:20]
    wh = float(random.randint(0, 10_000))
    base: dict[str, Any] = {"transactionInfo": {"transactionId": tx}}
    seq = 0

    async def event(kind: str, trigger: str, extra: dict[str, Any]) -> None:
        nonlocal seq, wh
        at = clock.next()
        await st.call("TransactionEvent", {
            **base, **extra, "eventType": kind, "timestamp": stamp(at),
            "triggerReason": trigger, "seqNo": seq,
            "meterValue": [register_sample(at, wh, "2.0.1")]})
        seen.samples.add((st.station_id, tx, _db_time(at)))
        seen.replies += 1
        seq += 1
        wh += random.uniform(10, 500)

    await event("Started", "Authorized", {"idToken": {"idToken": tag, "type": "ISO14443"},
                                          "evse": {"id": 1, "connectorId": 1}})
    seen.starts.add((st.station_id, tx))
    for _ in range(random.randint(2, 8)):
        await event("Updated", "MeterValuePeriodic", {})
    await event("Ended", "StopAuthorized",
                {"transactionInfo": {"transactionId": tx, "stoppedReason": "Local"}})
    seen.stops.add((st.station_id, tx))


async def _station(url: str, sid: str, version: str, seen: Confirmed) -> None:
    st = Station(url, sid, version)
    clock = Clock()
    tag = TAGS[hash(sid) % len(TAGS)]
    try:
        await st.connect()
        await st.boot()
        while True:
            if version == "1.6":
                await _session_16(st, tag, clock, seen)
            else:
                await _session_201(st, tag, clock, seen)
    except Exception:  # the server was killed: this station is done for the round
        return


def stored(db: Path) -> tuple[set[Key], set[Key], set[tuple[str, str, str]]]:
    with sqlite3.connect(db) as con:
        starts = {(s, t) for s, t in con.execute(
            "SELECT station_id, transaction_id FROM transactions")}
        stops = {(s, t) for s, t in con.execute(
            "SELECT station_id, transaction_id FROM transactions WHERE stopped_at IS NOT NULL")}
        samples = {(s, t, at) for s, t, at in con.execute(
            "SELECT t.station_id, t.transaction_id, m.timestamp FROM meter_readings m "
            "JOIN transactions t ON m.transaction_pk = t.pk, json_each(m.samples) s "
            "WHERE s.value ->> 0 = 'Energy.Active.Import.Register'")}
    return starts, stops, samples


async def run(workdir: Path, stations: int, rounds: int, seconds: float) -> dict[str, Any]:
    url_db = sqlite_url(workdir)
    db = workdir / "csms.db"
    totals: dict[str, int] = {"confirmed_starts": 0, "confirmed_samples": 0,
                              "confirmed_stops": 0, "lost_starts": 0, "lost_samples": 0,
                              "lost_stops": 0, "replies": 0}
    for rnd in range(rounds):
        target = start_csms(workdir, {0, 1}, url_db, name=f"crash-{rnd}")
        register_tags(target)
        seen = Confirmed()
        tasks = [asyncio.create_task(_station(
            target.url, f"K{rnd}-{i:03d}", "1.6" if i % 2 else "2.0.1", seen))
            for i in range(stations)]
        await asyncio.sleep(random.uniform(0.5, 1.0) * seconds)
        assert target.proc is not None
        os.kill(target.proc.pid, signal.SIGKILL)
        target.proc.wait()
        await asyncio.gather(*tasks)
        starts, stops, samples = stored(db)
        totals["confirmed_starts"] += len(seen.starts)
        totals["confirmed_stops"] += len(seen.stops)
        totals["confirmed_samples"] += len(seen.samples)
        totals["lost_starts"] += len(seen.starts - starts)
        totals["lost_stops"] += len(seen.stops - stops)
        totals["lost_samples"] += len(seen.samples - samples)
        totals["replies"] += seen.replies
    return totals
