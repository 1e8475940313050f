"""Calls from the CSMS to a station, at the edge: correlation, timeout, CALLERROR, a station
that drops mid-call, and one outstanding CALL at a time (OCPP-J §4.1.1)."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx
import pytest

from csms.app import CsmsServer
from tests.conftest import api_client
from tests.helpers import raw_station
from tests.ocpp.support import boot, next_call, register, silence

pytestmark = pytest.mark.asyncio(loop_scope="module")
PROTOCOLS = ["ocpp1.6", "ocpp2.0.1"]


def data_transfer(api: httpx.AsyncClient, station_id: str, tag: str) -> asyncio.Task[Any]:
    """A raw DataTransfer (the same in both versions), running in the background."""
    return asyncio.create_task(api.post(
        f"/stations/{station_id}/ocpp/DataTransfer",
        json={"vendorId": "org.csms.test", "messageId": tag}))


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_timeout_then_late_reply_is_ignored_and_next_call_is_correlated(
    impatient_server: CsmsServer, station_id: str, protocol: str
) -> None:
    async with api_client(impatient_server) as api:
        await register(api, station_id)
        async with raw_station(impatient_server, station_id, protocol) as st:
            await boot(st, protocol)
            started = time.monotonic()
            first = data_transfer(api, station_id, "first")
            call1 = await next_call(st)
            assert call1[3]["messageId"] == "first"
            r = await first
            assert r.status_code == 504, r.text
            assert 0.4 < time.monotonic() - started < 3
            second = data_transfer(api, station_id, "second")
            call2 = await next_call(st)
            assert call2[3]["messageId"] == "second" and call2[1] != call1[1]
            # the late reply to the first call arrives now: ignored, never answered
            await st.send([3, call1[1], {"status": "Accepted", "data": "late"}])
            await silence(st, 0.2)
            await st.send([3, call2[1], {"status": "Accepted", "data": "second"}])
            r = await second
            assert r.status_code == 200 and r.json()["data"] == "second", r.text
            # and a third call after all that still pairs up
            third = data_transfer(api, station_id, "third")
            call3 = await next_call(st)
            await st.send([3, call3[1], {"status": "Rejected", "data": "third"}])
            assert (await third).json() == {"status": "Rejected", "data": "third"}
            assert (await st.call("Heartbeat", {}))[0] == 3


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_callerror_reply_becomes_502(
    shared_server: CsmsServer, shared_api: httpx.AsyncClient, station_id: str, protocol: str
) -> None:
    await register(shared_api, station_id)
    async with raw_station(shared_server, station_id, protocol) as st:
        await boot(st, protocol)
        pending = data_transfer(shared_api, station_id, "boom")
        call = await next_call(st)
        await st.send([4, call[1], "NotSupported", "no vendor data here", {"vendor": "x"}])
        r = await pending
        assert r.status_code == 502, r.text
        assert r.json()["detail"] == {"error_code": "NotSupported",
                                      "description": "no vendor data here",
                                      "details": {"vendor": "x"}}
        command = asyncio.create_task(
            shared_api.post(f"/stations/{station_id}/commands/clear-cache"))
        call = await next_call(st)
        await st.send([4, call[1], "InternalError", "", {}])
        r = await command
        assert r.status_code == 502 and r.json()["detail"]["error_code"] == "InternalError"
        assert (await st.call("Heartbeat", {}))[0] == 3


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_reply_and_close_in_one_segment_still_answer_the_call(
    shared_server: CsmsServer, shared_api: httpx.AsyncClient, station_id: str, protocol: str
) -> None:
    """A station that answers and closes at once (Reset, then reboot): both frames can reach
    the server in one read, and the reply before the close frame still counts."""
    await register(shared_api, station_id)
    async with raw_station(shared_server, station_id, protocol) as st:
        await boot(st, protocol)
        pending = data_transfer(shared_api, station_id, "bye")
        call = await next_call(st)
        reply = json.dumps([3, call[1], {"status": "Accepted", "data": "bye"}])
        client = st.ws.protocol
        client.send_text(reply.encode())
        client.send_close(1000, "rebooting")
        st.write_queued()
        r = await pending
        assert r.status_code == 200, r.text
        assert r.json() == {"status": "Accepted", "data": "bye"}


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_station_dropping_mid_call_gives_409_at_once(
    shared_server: CsmsServer, shared_api: httpx.AsyncClient, station_id: str, protocol: str
) -> None:
    """The server's call timeout is 5 s here; the API must not wait for it."""
    await register(shared_api, station_id)
    async with raw_station(shared_server, station_id, protocol) as st:
        await boot(st, protocol)
        pending = data_transfer(shared_api, station_id, "drop")
        await next_call(st)
        started = time.monotonic()
        await st.ws.close()
    r = await pending
    assert r.status_code == 409, r.text
    assert time.monotonic() - started < 2
    # and while offline, at once too
    r = await shared_api.post(f"/stations/{station_id}/commands/clear-cache")
    assert r.status_code == 409


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_station_dropping_mid_call_with_calls_queued(
    shared_server: CsmsServer, shared_api: httpx.AsyncClient, station_id: str, protocol: str
) -> None:
    await register(shared_api, station_id)
    async with raw_station(shared_server, station_id, protocol) as st:
        await boot(st, protocol)
        pending = [data_transfer(shared_api, station_id, f"q{i}") for i in range(3)]
        await next_call(st)
        await silence(st, 0.2)
        started = time.monotonic()
        await st.ws.close()
    replies = await asyncio.gather(*pending)
    assert [r.status_code for r in replies] == [409, 409, 409], [r.text for r in replies]
    assert time.monotonic() - started < 2


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_concurrent_commands_are_serialised(
    shared_server: CsmsServer, shared_api: httpx.AsyncClient, station_id: str, protocol: str
) -> None:
    await register(shared_api, station_id)
    async with raw_station(shared_server, station_id, protocol) as st:
        await boot(st, protocol)
        a = data_transfer(shared_api, station_id, "a")
        b = data_transfer(shared_api, station_id, "b")
        first = await next_call(st)
        await silence(st, 0.3)  # the second CALL waits for the first reply
        # a station CALL in between is still answered while our CALL is outstanding
        assert (await st.call("Heartbeat", {}))[0] == 3
        await st.send([3, first[1], {"status": "Accepted", "data": first[3]["messageId"]}])
        second = await next_call(st)
        assert {first[3]["messageId"], second[3]["messageId"]} == {"a", "b"}
        await st.send([3, second[1], {"status": "Accepted", "data": second[3]["messageId"]}])
        ra, rb = await a, await b
        assert (ra.json()["data"], rb.json()["data"]) == ("a", "b"), (ra.text, rb.text)


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_reply_with_wrong_shape_is_not_taken_for_another_call(
    shared_server: CsmsServer, shared_api: httpx.AsyncClient, station_id: str, protocol: str
) -> None:
    """A reply for the right id but a broken body is the station's error (502), not ours."""
    await register(shared_api, station_id)
    async with raw_station(shared_server, station_id, protocol) as st:
        await boot(st, protocol)
        command = asyncio.create_task(
            shared_api.post(f"/stations/{station_id}/commands/clear-cache"))
        call = await next_call(st)
        await st.send([3, call[1], {}])
        r = await command
        assert r.status_code == 502, r.text
