"""2.0.1 stations lose a reply, reconnect and send the same TransactionEvent again.

Each station starts a transaction, sends Updated events, and for one of them closes its socket
right after sending (the reply is lost), reconnects and sends the same event (same seqNo, new
message id) as a station's retry queue does. The duplicate rows are the register samples in
the database beyond the distinct ones the station sent.
"""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from pathlib import Path
from typing import Any

from bench.load.__main__ import TAGS, register_tags
from bench.load.procs import stop
from bench.robustness.client import Clock, Station, register_sample, stamp
from bench.scale.launch import sqlite_url, start_csms

UPDATES = 6
LOST_AT = 3  # the Updated event whose reply is lost


async def _station(url: str, sid: str, retransmissions: list[int]) -> int:
    """Play one transaction; return the number of distinct samples sent."""
    st = Station(url, sid, "2.0.1")
    clock = Clock()
    tx = uuid.uuid4().hex[:20]
    await st.connect()
    await st.boot()
    sent = 0
    for seq in range(UPDATES + 2):
        at = clock.next()
        kind = "Started" if seq == 0 else "Ended" if seq == UPDATES + 1 else "Updated"
        payload: dict[str, Any] = {
            "eventType": kind, "timestamp": stamp(at), "seqNo": seq,
            "triggerReason": {"Started": "Authorized", "Ended": "StopAuthorized"}.get(
                kind, "MeterValuePeriodic"),
            "transactionInfo": {"transactionId": tx},
            "meterValue": [register_sample(at, 1000.0 + 100 * seq, "2.0.1")]}
        if kind == "Started":
            payload |= {"idToken": {"idToken": TAGS[0], "type": "ISO14443"},
                        "evse": {"id": 1, "connectorId": 1}}
        sent += 1
        if seq == LOST_AT:
            await st.send_call("TransactionEvent", payload)
            await st.close()  # the reply, if any, never reaches the station
            await st.connect()
            await st.boot()
            retransmissions.append(1)
        await st.call("TransactionEvent", payload)
    await st.close()
    return sent


async def run(workdir: Path, stations: int) -> dict[str, Any]:
    target = start_csms(workdir, {0, 1}, sqlite_url(workdir), name="retransmit")
    try:
        register_tags(target)
        retransmissions: list[int] = []
        sent = await asyncio.gather(*(_station(target.url, f"D{i:03d}", retransmissions)
                                      for i in range(stations)))
    finally:
        assert target.proc is not None
        stop(target.proc)
    with sqlite3.connect(workdir / "csms.db") as con:
        rows = con.execute("SELECT count(*) FROM meter_readings m JOIN transactions t "
                           "ON m.transaction_pk = t.pk, json_each(m.samples) "
                           "WHERE t.station_id LIKE 'D%'").fetchone()[0]
    return {"stations": stations, "retransmissions": len(retransmissions),
            "distinct_samples_sent": sum(sent), "rows_stored": rows,
            "duplicate_rows": rows - sum(sent)}
