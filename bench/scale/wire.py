"""A lean websocket client link: websockets' sans-I/O protocol on a bare asyncio.Protocol.

The load generator has to keep up with servers answering thousands of messages a second from
one core, so it avoids a task and a queue per connection: frames are parsed by websockets'
own sans-I/O `ClientProtocol` inside `data_received`, and each text message goes straight to
a callback. Pings from the server are answered by the protocol itself. No compression: many
real chargers do not offer it, and it would cost the generator most.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, cast

from websockets.client import ClientProtocol
from websockets.exceptions import InvalidStatus
from websockets.frames import Frame, Opcode
from websockets.http11 import Response
from websockets.typing import Subprotocol
from websockets.uri import parse_uri

try:  # orjson halves the generator's serialisation cost when present
    import orjson

    def dumps(obj: Any) -> bytes:
        return orjson.dumps(obj)

    loads: Callable[[bytes | str], Any] = orjson.loads
    FAST_JSON = True
except ImportError:  # pragma: no cover - depends on the environment
    import json

    def dumps(obj: Any) -> bytes:
        return json.dumps(obj, separators=(",", ":")).encode()

    loads = json.loads
    FAST_JSON = False


class HandshakeRefused(Exception):
    """The server answered the websocket handshake with an HTTP status other than 101."""

    def __init__(self, status: int) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status


class Link(asyncio.Protocol):
    """One client websocket; `on_text(bytes)` per message, `on_lost()` once when it ends."""

    def __init__(self, url: str, subprotocol: str, on_text: Callable[[bytes], None],
                 on_lost: Callable[[], None]) -> None:
        self.ws = ClientProtocol(parse_uri(url), subprotocols=[Subprotocol(subprotocol)],
                                 max_size=2**22)
        self.on_text, self.on_lost = on_text, on_lost
        self.opened: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None
        self.alive = False

    # asyncio.Protocol -------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        self.ws.send_request(self.ws.connect())
        self._flush()

    def data_received(self, data: bytes) -> None:
        self.ws.receive_data(data)
        for event in self.ws.events_received():
            if isinstance(event, Frame):
                if event.opcode is Opcode.TEXT:
                    self.on_text(event.data)
            elif isinstance(event, Response) and not self.opened.done():
                exc = self.ws.handshake_exc
                if exc is None:
                    self.alive = True
                    self.opened.set_result(None)
                elif isinstance(exc, InvalidStatus):
                    self.opened.set_exception(HandshakeRefused(exc.response.status_code))
                else:
                    self.opened.set_exception(exc)
        self._flush()

    def eof_received(self) -> bool | None:
        self.ws.receive_eof()
        self._flush()
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        was_alive, self.alive = self.alive, False
        if not self.opened.done():
            self.opened.set_exception(ConnectionError("closed during the handshake"))
        if was_alive:
            self.on_lost()

    # sending ----------------------------------------------------------------------------

    def send(self, data: bytes) -> None:
        if not self.alive:
            return
        self.ws.send_text(data)
        self._flush()

    def abort(self) -> None:
        if self.transport is not None:
            self.transport.abort()

    def _flush(self) -> None:
        assert self.transport is not None
        for chunk in self.ws.data_to_send():
            if chunk:
                self.transport.write(chunk)
            elif self.transport.can_write_eof():
                self.transport.write_eof()
        if self.ws.close_expected():
            self.transport.close()


async def open_link(url: str, subprotocol: str, on_text: Callable[[bytes], None],
                    on_lost: Callable[[], None], source: str | None,
                    timeout: float) -> Link:
    """Connect and finish the handshake within `timeout`, from source address `source`.

    Each source address has its own ~28,000 ephemeral ports, so many stations bind to
    127.0.0.2, 127.0.0.3, ... (the loop's own create_connection: handing it a socket that
    sock_connect opened lets uvloop trip over a file descriptor number reused under churn)."""
    uri = parse_uri(url)
    loop = asyncio.get_running_loop()
    link = Link(url, subprotocol, on_text, on_lost)
    try:
        async with asyncio.timeout(timeout):
            await loop.create_connection(lambda: link, uri.host, uri.port,
                                         local_addr=(source, 0) if source else None)
            await link.opened
    except BaseException:
        if link.transport is not None:
            link.transport.abort()
        raise
    return link
