"""Idle, half-open and too many connections on the API and OCPP ports are closed in time,
while the health check keeps answering."""

from __future__ import annotations

import asyncio
import errno
import logging
from typing import Any

import httpx
import pytest

from csms.app import CsmsServer
from csms.logs import RepeatLimiter
from csms.ocpp import link
from tests.conftest import ServerFactory

HALF_SENT = b"GET /api/v1/health HTTP/1.1\r\nHost: csms\r\nX-Slow: "


async def closed_by_server(reader: asyncio.StreamReader, within: float = 15.0) -> bytes:
    """Everything the server sent until it closed the connection (fails if it does not)."""
    return await asyncio.wait_for(reader.read(), within)


async def health(server: CsmsServer) -> int:
    async with httpx.AsyncClient(timeout=5) as client:
        r = await client.get(f"http://127.0.0.1:{server.api_port}/api/v1/health")
        return r.status_code


@pytest.fixture
async def guarded(server_factory: ServerFactory) -> CsmsServer:
    return await server_factory(api_head_timeout_s=1.0, api_keep_alive_s=1.0,
                                api_connections_per_address=60,
                                ocpp_connections_per_address=4, connection_limit_exempt="")


async def test_idle_and_half_sent_requests_are_closed(guarded: CsmsServer) -> None:
    conns = [await asyncio.open_connection("127.0.0.1", guarded.api_port) for _ in range(40)]
    for _reader, writer in conns[20:]:  # slowloris: a request head that never ends
        writer.write(HALF_SENT)
        await writer.drain()
    assert await health(guarded) == 200  # while they are held
    received = await asyncio.gather(*(closed_by_server(r) for r, _ in conns))
    assert received == [b""] * 40
    for _, writer in conns:
        writer.close()
    assert await health(guarded) == 200


async def test_a_trickled_head_does_not_keep_the_connection(guarded: CsmsServer) -> None:
    """Bytes that keep arriving do not reset the deadline: the head must be complete."""
    reader, writer = await asyncio.open_connection("127.0.0.1", guarded.api_port)
    writer.write(HALF_SENT)

    async def trickle() -> None:
        while not writer.is_closing():
            writer.write(b"x")
            await asyncio.sleep(0.1)

    task = asyncio.create_task(trickle())
    try:
        assert await closed_by_server(reader) == b""
    finally:
        writer.close()
        task.cancel()


async def test_keep_alive_connection_idle_after_a_response_is_closed(
    guarded: CsmsServer,
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", guarded.api_port)
    writer.write(b"GET /api/v1/health HTTP/1.1\r\nHost: csms\r\n\r\n")
    answer = await closed_by_server(reader)
    assert answer.startswith(b"HTTP/1.1 200")
    writer.close()


async def test_second_request_on_a_connection_gets_a_deadline_too(guarded: CsmsServer) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", guarded.api_port)
    writer.write(b"GET /api/v1/health HTTP/1.1\r\nHost: csms\r\n\r\n" + HALF_SENT)
    answer = await closed_by_server(reader)
    assert answer.count(b"HTTP/1.1 200") == 1
    writer.close()


async def test_connections_per_address_are_capped_on_the_api_port(
    guarded: CsmsServer,
) -> None:
    conns = [await asyncio.open_connection("127.0.0.1", guarded.api_port) for _ in range(60)]
    reader, writer = await asyncio.open_connection("127.0.0.1", guarded.api_port)
    refusal = await closed_by_server(reader, 5)
    assert refusal.startswith(b"HTTP/1.1 429")
    writer.close()
    for _, w in conns:
        w.close()
        await w.wait_closed()

    async def answers() -> bool:
        try:
            return await health(guarded) == 200
        except httpx.HTTPError:
            return False

    await _eventually(answers)  # the server has counted the closed ones out


async def test_websocket_upgrades_on_the_api_port_do_not_leak_the_count(
    guarded: CsmsServer,
) -> None:
    for _ in range(70):  # more than the cap, one after the other
        reader, writer = await asyncio.open_connection("127.0.0.1", guarded.api_port)
        writer.write(b"GET /api/v1/health HTTP/1.1\r\nHost: csms\r\nUpgrade: websocket\r\n"
                     b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                     b"Sec-WebSocket-Version: 13\r\n\r\n")
        answer = await closed_by_server(reader, 5)
        assert not answer.startswith(b"HTTP/1.1 429"), answer
        writer.close()
    assert await health(guarded) == 200


async def test_connections_per_address_are_capped_on_the_ocpp_port(
    guarded: CsmsServer,
) -> None:
    port = guarded.ocpp_port
    conns = [await asyncio.open_connection("127.0.0.1", port) for _ in range(4)]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    assert await closed_by_server(reader, 5) == b""  # dropped before any answer
    writer.close()
    for _, w in conns:
        w.close()
        await w.wait_closed()

    async def handshake_answered() -> bool:
        r, w = await asyncio.open_connection("127.0.0.1", port)
        w.write(b"GET /ocpp/CP1 HTTP/1.1\r\nHost: csms\r\nUpgrade: websocket\r\n"
                b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                b"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ocpp1.6\r\n\r\n")
        answer = await closed_by_server(r, 5)
        w.close()
        return answer.startswith(b"HTTP/1.1 404")  # unknown station: admitted as a socket

    await _eventually(handshake_answered)


async def test_loopback_is_exempt_by_default(server: CsmsServer) -> None:
    conns = [await asyncio.open_connection("127.0.0.1", server.api_port) for _ in range(110)]
    assert await health(server) == 200
    for _, w in conns:
        w.close()


async def _eventually(check: Any, within: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


def test_accept_errors_are_logged_once_per_interval(caplog: pytest.LogCaptureFixture) -> None:
    clock = [0.0]
    seen: list[str] = []
    limiter = RepeatLimiter(10.0, then=lambda _loop, ctx: seen.append(ctx["message"]),
                            now=lambda: clock[0])
    loop = asyncio.new_event_loop()
    try:
        emfile = OSError(errno.EMFILE, "Too many open files")
        for _ in range(65535):  # one accept burst of a full backlog
            limiter(loop, {"message": "socket.accept() out of system resource",
                           "exception": emfile})
        limiter(loop, {"message": "something else"})
        assert seen == ["socket.accept() out of system resource", "something else"]
        clock[0] = 10.5
        limiter(loop, {"message": "socket.accept() out of system resource",
                       "exception": emfile})
        assert seen[-1] == ("socket.accept() out of system resource (65534 more like it in "
                            "the last 10 s not logged)")
        with caplog.at_level(logging.ERROR, "asyncio"):  # without `then`: the loop's default
            RepeatLimiter(10.0)(loop, {"message": "boom"})
        assert "boom" in caplog.text
    finally:
        loop.close()


@pytest.mark.parametrize("sent", [b"", b"GET /ocpp/CP-SLOW HTTP/1.1\r\nHost: csms\r\n"])
async def test_no_handshake_within_the_deadline_closes_the_socket(
    server: CsmsServer, monkeypatch: pytest.MonkeyPatch, sent: bytes
) -> None:
    """A socket that says nothing, or half a request, is closed at the deadline: idle sockets
    cannot hold the process's descriptors."""
    monkeypatch.setattr(link, "OPEN_TIMEOUT_S", 0.5)
    reader, writer = await asyncio.open_connection("127.0.0.1", server.ocpp_port)
    writer.write(sent)
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await closed_by_server(reader, 5) == b""  # dropped, nothing answered
    assert loop.time() - started < 3
    writer.close()
