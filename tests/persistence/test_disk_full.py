"""The SQLite disk fills up, or the database turns read-only, under load: stations get
InternalError and retry, nothing confirmed is lost, the log says so once per interval,
`/health` is 503 `degraded` until writes succeed again, and csms recovers without a restart.

Disk full: the database lives on a small tmpfs of its own that the test fills with a file: the
kernel's own ENOSPC, which SQLite reports as SQLITE_FULL ("database or disk is full"). Where
mounting is not permitted (not root), SQLite's `max_page_count` is set on csms's connections
instead: the same SQLITE_FULL, from the same place in csms, without the kernel.

Read-only: file modes do not stop root, and a filesystem with open files cannot be remounted
read-only, so csms's connections are reopened with `PRAGMA query_only`: SQLite then refuses
every write with SQLITE_READONLY ("attempt to write a readonly database"), the error a
read-only file gives.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event

from csms.app import CsmsServer
from tests.conftest import ServerFactory, api_client
from tests.persistence.fault_load import Confirmed, finish, run_fleet, wait_for

STATIONS = 6


class Disk:
    """A filesystem of its own for the database, that the test can fill and free."""

    def __init__(self, root: Path) -> None:
        self.dir = root / "disk"
        self.dir.mkdir()
        self.mounted = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(self.dir)],
            capture_output=True, check=False).returncode == 0
        self.path = self.dir / "csms.db"
        self.url = f"sqlite+aiosqlite:///{self.path}"
        self._filler = self.dir / f"filler-{uuid.uuid4().hex}"
        self._server: CsmsServer | None = None

    def fill(self, server: CsmsServer) -> None:
        # The WAL is emptied first (as after a checkpoint), so the next commit needs space.
        with sqlite3.connect(self.path, timeout=30) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        if self.mounted:
            with open(self._filler, "wb", buffering=0) as f:
                for block in (65536, 4096, 512):  # to the last free byte
                    with contextlib.suppress(OSError):
                        while True:
                            f.write(b"\0" * block)
            return
        self._server = server
        event.listen(server.db._sync, "connect", _cap_pages)
        server.db._sync.dispose()  # type: ignore[union-attr]

    def free(self) -> None:
        if self.mounted:
            self._filler.unlink()
            return
        assert self._server is not None
        event.remove(self._server.db._sync, "connect", _cap_pages)
        self._server.db._sync.dispose()  # type: ignore[union-attr]

    def make_read_only(self, server: CsmsServer) -> None:
        self._server = server
        event.listen(server.db._sync, "connect", _query_only)
        server.db._sync.dispose()  # type: ignore[union-attr]

    def make_writable(self) -> None:
        assert self._server is not None
        event.remove(self._server.db._sync, "connect", _query_only)
        self._server.db._sync.dispose()  # type: ignore[union-attr]

    def unmount(self) -> None:
        if self.mounted:
            subprocess.run(["umount", "-l", str(self.dir)], check=False)


def _cap_pages(dbapi_conn: Any, _record: Any) -> None:
    (pages,) = dbapi_conn.execute("PRAGMA page_count").fetchone()
    dbapi_conn.execute(f"PRAGMA max_page_count={pages}")


def _query_only(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.execute("PRAGMA query_only=ON")


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Disk]:
    d = Disk(tmp_path)
    yield d
    d.unmount()


async def _health(server: CsmsServer) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.get(f"http://127.0.0.1:{server.api_port}/api/v1/health")


def _check_stored(path: Path, seen: Confirmed) -> None:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT station_id, transaction_id, stopped_at, energy_wh "
                            "FROM transactions").fetchall()
        by_id = {(s, t): (stopped, energy) for s, t, stopped, energy in rows}
        samples = set(conn.execute(
            "SELECT t.station_id, t.transaction_id, s.value ->> 3 FROM meter_readings m "
            "JOIN transactions t ON t.pk = m.transaction_pk, json_each(m.samples) s").fetchall())
    assert set(seen.started) <= set(by_id), set(seen.started) - set(by_id)
    for key, stop_wh in seen.stopped.items():
        stopped, energy = by_id[key]
        assert stopped is not None and energy == stop_wh - seen.started[key], (key, by_id[key])
    assert seen.samples <= samples, sorted(seen.samples - samples)[:5]


def _fault_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == "csms.persistence.database" and r.levelno >= logging.ERROR]


FAULTS = {"full": "database or disk is full", "read-only": "attempt to write a readonly database"}


@pytest.mark.parametrize("fault", list(FAULTS))
async def test_disk_full_or_read_only_under_load_degrades_and_recovers(
    server_factory: ServerFactory, disk: Disk, caplog: pytest.LogCaptureFixture, fault: str
) -> None:
    server = await server_factory(database_url=disk.url)
    ids = [f"FULL{n}" for n in range(STATIONS)]
    async with api_client(server) as api:
        for station_id in ids:
            assert (await api.post("/stations", json={"id": station_id})).status_code == 201
        assert (await api.post("/id-tokens", json={"id_token": "FAULT-TAG"})).status_code == 201
    seen, stop = Confirmed(), asyncio.Event()
    tasks = await run_fleet(server, ids, seen, stop)
    try:
        await wait_for(lambda: seen.messages >= 20, "stations confirmed messages")
        disk.fill(server) if fault == "full" else disk.make_read_only(server)
        await wait_for(lambda: _status(server, 503), "health reports degraded")
        body = (await _health(server)).json()
        assert body["status"] == "degraded" and FAULTS[fault] in body["database"]["error"], body
        errors = seen.errors
        # Long enough for a tight loop to show: many failed writes, a few lines of log.
        await wait_for(lambda: seen.errors > errors + 50, "stations got InternalError")
        failed = (await _health(server)).json()["database"]["failed_writes"]
        assert failed > 50
        lines = _fault_lines(caplog)
        assert 1 <= len(lines) <= 3, lines
        assert FAULTS[fault] in lines[0], lines
        disk.free() if fault == "full" else disk.make_writable()
        await wait_for(lambda: _status(server, 200), "health back to ok")
        assert (await _health(server)).json() == {"status": "ok"}
        after = seen.messages
        await wait_for(lambda: seen.messages >= after + 20, "stations confirmed messages again")
    finally:
        stop.set()
        sessions = await finish(tasks)
    assert all(n > 0 for n in sessions), sessions
    _check_stored(disk.path, seen)
    assert any("succeed again" in r.getMessage() for r in caplog.records)


async def _status(server: CsmsServer, code: int) -> bool:
    return (await _health(server)).status_code == code

