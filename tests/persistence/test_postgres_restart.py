"""PostgreSQL goes away under load: csms answers nothing it could not commit, loses nothing it
confirmed, and recovers by itself.

The shared server cannot be restarted (other tests use it), so a restart is simulated the way
clients see one: every backend of the test database is terminated, again and again (what a
restart does to open connections: "terminating connection due to administrator command"),
then new connections are refused for a while (`ALLOW_CONNECTIONS false`, what a server still
starting up does) and allowed again.
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx

from csms.app import CsmsServer
from tests.conftest import ServerFactory, api_client
from tests.persistence.fault_load import Confirmed, finish, run_fleet, wait_for

STATIONS = 8


def _plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def _admin(url: str) -> Any:
    """A connection to the maintenance database, outside the one being disturbed."""
    head, _, _ = _plain(url).rpartition("/")
    return await asyncpg.connect(f"{head}/postgres")


async def _terminate(admin: Any, name: str) -> int:
    killed = await admin.fetch("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                               "WHERE datname = $1 AND pid <> pg_backend_pid()", name)
    return len(killed)


async def _health(server: CsmsServer) -> int:
    async with httpx.AsyncClient() as client:
        r = await client.get(f"http://127.0.0.1:{server.api_port}/api/v1/health")
        return r.status_code


async def _check_stored(url: str, seen: Confirmed) -> None:
    """Everything confirmed is committed: read through an independent connection."""
    conn = await asyncpg.connect(_plain(url))
    try:
        rows = await conn.fetch("SELECT pk, station_id, transaction_id, meter_start_wh, "
                                "meter_stop_wh, stopped_at, energy_wh FROM transactions")
        by_id = {(r["station_id"], r["transaction_id"]): r for r in rows}
        for key in seen.started:
            assert key in by_id, f"confirmed start {key} lost"
        for key, stop_wh in seen.stopped.items():
            row = by_id[key]
            assert row["stopped_at"] is not None, f"confirmed stop {key} lost"
            assert row["energy_wh"] == stop_wh - seen.started[key], (key, dict(row))
        samples = await conn.fetch("SELECT t.station_id, t.transaction_id, "
                                   "(s.v ->> 3)::float8 AS si_value "
                                   "FROM meter_readings m JOIN transactions t "
                                   "ON t.pk = m.transaction_pk CROSS JOIN LATERAL "
                                   "jsonb_array_elements(m.samples::jsonb) AS s(v)")
        stored = {(r["station_id"], r["transaction_id"], r["si_value"]) for r in samples}
        missing = seen.samples - stored
        assert not missing, f"{len(missing)} confirmed meter values lost: {sorted(missing)[:5]}"
    finally:
        await conn.close()


async def test_postgres_restart_under_load_loses_nothing_confirmed(
    server_factory: ServerFactory, postgres_url: str
) -> None:
    server = await server_factory(database_url=postgres_url)
    name = postgres_url.rpartition("/")[2]
    ids = [f"PGF{n}" for n in range(STATIONS)]
    async with api_client(server) as api:
        for station_id in ids:
            assert (await api.post("/stations", json={"id": station_id})).status_code == 201
        assert (await api.post("/id-tokens", json={"id_token": "FAULT-TAG"})).status_code == 201
    seen, stop = Confirmed(), asyncio.Event()
    admin = await _admin(postgres_url)
    tasks = await run_fleet(server, ids, seen, stop)
    try:
        # Connections die again and again while the stations charge.
        await wait_for(lambda: seen.messages >= 20, "stations confirmed messages")
        killed, before = 0, seen.messages
        while seen.errors < 5 or seen.messages < before + 20:
            killed += await _terminate(admin, name)
            await asyncio.sleep(0.1)  # the fault's cadence, not a synchronisation
            assert not any(t.done() for t in tasks), [t.exception() for t in tasks if t.done()]
        # The server is "starting up": it refuses every new connection for a while.
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        try:
            killed += await _terminate(admin, name)
            await wait_for(lambda: _health_is(server, 503), "health reports degraded")
            errors = seen.errors
            await wait_for(lambda: seen.errors > errors + 5, "stations got InternalError")
        finally:
            await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        # No restart of csms: it reconnects, and health says so once a write commits.
        await wait_for(lambda: _health_is(server, 200), "health back to ok")
        after = seen.messages
        await wait_for(lambda: seen.messages >= after + 20, "stations confirmed messages again")
    finally:
        stop.set()
        sessions = await finish(tasks)
        await admin.close()
    print(f"killed={killed} errors={seen.errors} silences={seen.silences} "
          f"confirmed={seen.messages} sessions={sessions}")
    assert killed > 0 and seen.errors > 0
    assert all(n > 0 for n in sessions), sessions
    await _check_stored(postgres_url, seen)
    # It keeps serving: the API reads, a station that connects now charges.
    async with api_client(server) as api:
        listed = (await api.get("/transactions", params={"limit": 500})).json()
        assert len(listed) >= len(seen.stopped)


async def _health_is(server: CsmsServer, code: int) -> bool:
    return await _health(server) == code
