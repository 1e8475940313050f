"""Background loops have an owner: a failing loop is logged and restarted (or stops the server),
and shutdown ends them in reverse order and always stops the database writer."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import pytest

import csms.app
from csms.supervisor import Backoff, Supervisor
from tests.conftest import ServerFactory

QUICK = Backoff(first=0.001, most=0.002)


async def until(condition: Callable[[], bool], deadline_s: float = 10.0) -> None:
    """Poll `condition` until true, failing after `deadline_s`."""
    async with asyncio.timeout(deadline_s):
        while not condition():  # noqa: ASYNC110 (polling with a deadline)
            await asyncio.sleep(0.005)


def failing_records(caplog: pytest.LogCaptureFixture, name: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records
            if r.exc_info and f"background loop {name} failed" in r.getMessage()]


async def test_a_loop_that_raises_is_logged_with_its_traceback_and_restarted(
        caplog: pytest.LogCaptureFixture) -> None:
    runs = 0
    steady = asyncio.Event()

    async def flaky() -> None:
        nonlocal runs
        runs += 1
        if runs <= 2:
            raise RuntimeError(f"boom {runs}")
        steady.set()
        await asyncio.Event().wait()

    loops = Supervisor()
    loops.start("flaky", flaky, restart=QUICK)
    await until(steady.is_set)
    assert runs == 3 and loops.restarts == {"flaky": 2}
    logged = failing_records(caplog, "flaky")
    assert [str(r.exc_info[1]) for r in logged if r.exc_info] == ["boom 1", "boom 2"]
    await loops.stop()
    assert loops.names == []


async def test_an_essential_loop_that_fails_asks_the_server_to_stop(
        caplog: pytest.LogCaptureFixture) -> None:
    stop = asyncio.Event()

    async def api() -> None:
        raise OSError("socket gone")

    loops = Supervisor()
    loops.when_failed(stop.set)
    loops.start("api", api, restart=None)
    await until(stop.is_set)
    assert loops.failure is not None and loops.failure.name == "api"
    assert isinstance(loops.failure.error, OSError)
    assert failing_records(caplog, "api")
    assert loops.restarts == {}
    await loops.stop()


async def test_stop_ends_loops_last_started_first_and_survives_a_failing_one(
        caplog: pytest.LogCaptureFixture) -> None:
    ended: list[str] = []

    def loop(name: str, fail: bool = False) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            try:
                await asyncio.Event().wait()
            finally:
                ended.append(name)
                if fail:
                    raise RuntimeError(f"{name} cannot stop")
        return run

    loops = Supervisor()
    for name in ("first", "second", "third"):
        loops.start(name, loop(name, fail=name == "second"))
    await asyncio.sleep(0)  # let each loop reach its wait
    await loops.stop()
    assert ended == ["third", "second", "first"]
    assert any("second" in r.getMessage() and "stopping" in r.getMessage()
               for r in caplog.records)
    assert loops.restarts == {}  # a failure while stopping is not restarted


# --- the server ------------------------------------------------------------------------


async def test_every_background_loop_of_the_server_is_supervised(
        server_factory: ServerFactory) -> None:
    server = await server_factory()
    assert server.supervisor is not None
    assert {"api", "flush", "accounting", "accounting-stops", "planner",
            "reservation-expiry", "local-lists", "costs",
            "profiles-state"} <= set(server.supervisor.names)
    # each runs as a task of its name, so a task dump says which loop is which
    names = {t.get_name() for t in asyncio.all_tasks()}
    assert set(server.supervisor.names) <= names


async def test_a_server_loop_that_raises_is_restarted(
        server_factory: ServerFactory, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    runs = 0

    async def expire_once_broken(_reservations: object) -> None:
        nonlocal runs
        runs += 1
        if runs == 1:
            raise RuntimeError("reservation expiry broke")
        await asyncio.Event().wait()

    monkeypatch.setattr(csms.app, "expire_reservations", expire_once_broken)
    server = await server_factory()
    assert server.supervisor is not None
    await until(lambda: runs >= 2, deadline_s=15)
    assert server.supervisor.restarts.get("reservation-expiry") == 1
    assert failing_records(caplog, "reservation-expiry")


async def test_a_loop_failing_at_shutdown_does_not_skip_stopping_the_database(
        server_factory: ServerFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    async def expire_badly(_reservations: object) -> None:
        try:
            await asyncio.Event().wait()
        finally:
            raise RuntimeError("cannot stop cleanly")

    monkeypatch.setattr(csms.app, "expire_reservations", expire_badly)
    server = await server_factory()
    stopped: list[bool] = []
    db_stop = server.db.stop

    async def stop_db() -> None:
        stopped.append(True)
        await db_stop()

    monkeypatch.setattr(server.db, "stop", stop_db)
    await server.stop()
    assert stopped == [True]
    assert not server.running
