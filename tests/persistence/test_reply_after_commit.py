"""A reply leaves only after what it confirms is committed: held commits, not races.

Another connection holds SQLite's write lock, so csms's writer waits inside its transaction
(the way a slow disk or a busy database makes it wait). While it waits the station must get
no reply at all; once the lock is released the reply arrives, and by then the row is
committed. A server that answered before its commit replies at once, every run.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from csms.app import CsmsServer
from tests.conftest import ServerFactory, api_client
from tests.helpers import BOOT_16, BOOT_201, raw_station
from tests.persistence.fault_load import wait_for

pytestmark = pytest.mark.timeout(60)

START_16 = ("ocpp1.6", BOOT_16, "StartTransaction", {
    "connectorId": 1, "idTag": "HELD", "meterStart": 100, "timestamp": "2026-12-01T10:00:00Z"})
START_201 = ("ocpp2.0.1", BOOT_201, "TransactionEvent", {
    "eventType": "Started", "timestamp": "2026-12-01T10:00:00Z", "seqNo": 0,
    "triggerReason": "Authorized", "transactionInfo": {"transactionId": "held-201"},
    "idToken": {"idToken": "HELD", "type": "ISO14443"}, "evse": {"id": 1, "connectorId": 1}})
HOLD_S = 1.5  # how long the reply must stay away while the commit is held


def _path(url: str) -> Path:
    return Path(url.split("///", 1)[1])


@contextmanager
def write_lock(path: Path) -> Iterator[sqlite3.Connection]:
    """Hold the database's write lock: csms's next commit waits until the block ends."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=30)
    try:
        conn.execute("BEGIN IMMEDIATE")
        yield conn
        conn.execute("ROLLBACK")
    finally:
        conn.close()


def _transactions(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [r[0] for r in conn.execute("SELECT transaction_id FROM transactions")]


@pytest.mark.parametrize("case", [START_16, START_201], ids=["1.6", "2.0.1"])
async def test_no_reply_while_the_commit_is_held(
    server_factory: ServerFactory, database_url: str, case: tuple[Any, ...]
) -> None:
    protocol, boot, action, payload = case
    server: CsmsServer = await server_factory()
    async with api_client(server) as api:
        assert (await api.post("/stations", json={"id": "HOLD"})).status_code == 201
        assert (await api.post("/id-tokens", json={"id_token": "HELD"})).status_code == 201
    path = _path(database_url)
    async with raw_station(server, "HOLD", protocol) as st:
        await st.ok("BootNotification", boot)
        # A first start reserves the block of transaction keys: the held one needs no read.
        await st.ok(action, {**payload, **_other(action)})
        before = _transactions(path)
        with write_lock(path):
            await st.send([2, "held-1", action, payload])
            await wait_for(lambda: server.db.in_flight > 0, "the writer took the message")
            with pytest.raises(TimeoutError):
                reply = await st.recv(timeout=HOLD_S)
                pytest.fail(f"a reply left before its commit: {reply}")
            assert _transactions(path) == before
        reply = await st.recv(timeout=10)
        assert reply[:2] == [3, "held-1"], reply
        stored = _transactions(path)
        assert len(stored) == len(before) + 1, stored


def _other(action: str) -> dict[str, Any]:
    """The same start on another connector (1.6) or as another transaction (2.0.1)."""
    if action == "StartTransaction":
        return {"connectorId": 2}
    return {"transactionInfo": {"transactionId": "first-201"},
            "evse": {"id": 2, "connectorId": 1}}


async def test_writer_waiting_for_a_lock_blocks_nobody_else(
    server_factory: ServerFactory, database_url: str
) -> None:
    """While one commit is held, what needs no commit (a Heartbeat) is answered at once."""
    server: CsmsServer = await server_factory()
    async with api_client(server) as api:
        for sid in ("HOLD1", "HOLD2"):
            assert (await api.post("/stations", json={"id": sid})).status_code == 201
    async with raw_station(server, "HOLD1") as one, raw_station(server, "HOLD2") as two:
        await one.ok("BootNotification", BOOT_16)
        await two.ok("BootNotification", BOOT_16)
        with write_lock(_path(database_url)):
            await one.send([2, "held-2", *START_16[2:]])
            await wait_for(lambda: server.db.in_flight > 0, "the writer took the message")
            assert await asyncio.wait_for(two.ok("Heartbeat", {}), 5)
        reply = await one.recv(timeout=10)
        assert reply[:2] == [3, "held-2"], reply
