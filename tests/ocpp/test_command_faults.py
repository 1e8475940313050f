"""Whose fault a failed command is: a timeout the caller gave must apply, and a bug in our own
command code is our error (500, logged with its traceback), never the station's (502)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx
import pytest

from csms.app import CsmsServer
from csms.domain.commands import StatusResult
from csms.domain.commands.configuration import GetConfiguration
from csms.domain.commands.station import ClearCache
from csms.domain.errors import StationTimeout
from csms.ocpp.exchange import Call, Exchange
from csms.ocpp.v16.session import V16Session
from tests.helpers import raw_station
from tests.ocpp.support import boot, next_call, register

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_a_command_timeout_given_by_the_caller_applies(
    shared_server: CsmsServer, shared_api: httpx.AsyncClient, station_id: str
) -> None:
    """The capability probe asks for 10 s; the server's call timeout must not win."""
    server_timeout = shared_server.settings.call_timeout
    assert server_timeout >= 4
    await register(shared_api, station_id)
    async with raw_station(shared_server, station_id, "ocpp1.6") as st:
        await boot(st, "ocpp1.6")
        command = asyncio.create_task(shared_server.registry.send(
            station_id, GetConfiguration(["X"]), timeout=0.3))
        call = await next_call(st)  # never answered
        assert call[2] == "GetConfiguration"
        # A deadline under the server's own: without the caller's timeout this fails.
        async with asyncio.timeout(server_timeout / 2):
            with pytest.raises(StationTimeout):
                await command


def _broken_clear_cache(reply: Any, _call: Call, _c: ClearCache) -> StatusResult:
    return StatusResult(reply.status)  # our bug: a dict has no attribute `status`


async def test_our_own_bug_in_a_command_is_500_and_logged(
    shared_server: CsmsServer, shared_api: httpx.AsyncClient, station_id: str,
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setitem(V16Session.exchanges, ClearCache, Exchange(
        lambda c, now: Call("ClearCache", {}), _broken_clear_cache))
    await register(shared_api, station_id)
    async with raw_station(shared_server, station_id, "ocpp1.6") as st:
        await boot(st, "ocpp1.6")
        pending = asyncio.create_task(
            shared_api.post(f"/stations/{station_id}/commands/clear-cache"))
        call = await next_call(st)
        await st.send([3, call[1], {"status": "Accepted"}])  # a perfectly good reply
        with caplog.at_level(logging.ERROR):
            r = await pending
    assert r.status_code == 500, r.text
    assert r.json() == {"detail": "internal error"}
    logged = [rec for rec in caplog.records
              if rec.exc_info and isinstance(rec.exc_info[1], AttributeError)]
    assert logged, "the bug's traceback must be logged"


async def test_a_reply_breaking_the_schema_is_still_the_stations_fault(
    shared_server: CsmsServer, shared_api: httpx.AsyncClient, station_id: str
) -> None:
    await register(shared_api, station_id)
    async with raw_station(shared_server, station_id, "ocpp1.6") as st:
        await boot(st, "ocpp1.6")
        pending = asyncio.create_task(
            shared_api.post(f"/stations/{station_id}/commands/clear-cache"))
        call = await next_call(st)
        await st.send([3, call[1], {"statuz": "Accepted"}])
        r = await pending
    assert r.status_code == 502, r.text
    assert "clear-cache" in r.json()["detail"]
