"""A station's websocket link: websockets' sans-I/O protocol driven by an `asyncio.Protocol`.

websockets' asyncio server wraps the same sans-I/O `ServerProtocol` in a layer of its own: a
frame assembler with its own futures and locks, a send context per message, a task per
handshake. On one core that layer cost a tenth of csms's CPU per message (the `bare` and
`bare-sansio` responders of bench/load/servers.py, same answers: 200 against 155 us per
message at 2,000/s). Here the protocol is fed from `data_received` and written straight to
the transport; one task per connection runs the handshake and then the station's session.

What websockets' layer did and this one keeps: the opening-handshake timeout, the closing
handshake with a timeout, reassembly of fragmented messages and UTF-8 checks (1007), the
message size limit (1009, in the protocol), back-pressure both ways (reading pauses while a
session is behind by `MAX_QUEUE` messages, a send waits while the transport's buffer is full),
pings whose pongs resolve a future, and closing every link when the server stops.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, cast

from websockets.exceptions import ConnectionClosed
from websockets.extensions.base import ServerExtensionFactory
from websockets.extensions.permessage_deflate import enable_server_permessage_deflate
from websockets.frames import CloseCode, Frame, Opcode
from websockets.http11 import Request, Response
from websockets.protocol import State
from websockets.server import ServerProtocol
from websockets.typing import Subprotocol

from csms.connections import AddressLimit, peer_host

log = logging.getLogger(__name__)

OPEN_TIMEOUT_S = 10.0  # from the TCP accept to the handshake's response
CLOSE_TIMEOUT_S = 10.0  # for the peer's part of the closing handshake
MAX_QUEUE = 16  # messages read ahead of the session before the socket stops being read

Message = str | bytes
SelectSubprotocol = Callable[[Any, Sequence[Subprotocol]], Subprotocol | None]


@dataclass
class Endpoint:
    """What every link of one listener shares."""

    process_request: Callable[[StationLink, Request], Awaitable[Response | None]]
    on_open: Callable[[StationLink], Awaitable[None]]
    subprotocols: Sequence[Subprotocol]
    select_subprotocol: SelectSubprotocol
    max_size: int
    compression: bool
    per_address: AddressLimit
    exempt: frozenset[str]
    links: set[StationLink] = field(default_factory=set)
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    serving: bool = True

    def extensions(self) -> Sequence[ServerExtensionFactory] | None:
        return enable_server_permessage_deflate(None) if self.compression else None


class StationLink(asyncio.Protocol):
    """One TCP connection: its handshake, then the messages of its session."""

    def __init__(self, endpoint: Endpoint) -> None:
        self._endpoint = endpoint
        self.protocol = ServerProtocol(
            subprotocols=endpoint.subprotocols, select_subprotocol=endpoint.select_subprotocol,
            max_size=endpoint.max_size, extensions=endpoint.extensions())
        self.transport: asyncio.Transport = cast(asyncio.Transport, None)
        self.remote_address: Any = None
        self.station_id: str | None = None  # set by the endpoint's process_request
        self._address: str | None = None  # counted against the per-address limit
        self._messages: deque[Message] = deque()
        self._fragments: list[bytes] = []
        self._fragment_text = False
        self._reader: asyncio.Future[None] | None = None
        self._reading_paused = False
        self._writing_paused = False
        self._drained: asyncio.Future[None] | None = None
        self._pings: dict[bytes, tuple[asyncio.Future[float], float]] = {}
        self._lost: asyncio.Future[None] | None = None
        self._opening: asyncio.TimerHandle | None = None
        self._shaking = False

    # --- asyncio.Protocol -----------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)
        self.remote_address = transport.get_extra_info("peername")
        loop = asyncio.get_running_loop()
        self._lost = loop.create_future()
        host = peer_host(self.remote_address)
        if host not in self._endpoint.exempt:
            if not self._endpoint.per_address.acquire(host):
                self.transport.abort()  # before a byte is read: see csms.connections
                return
            self._address = host
        self._endpoint.links.add(self)
        self._opening = loop.call_later(OPEN_TIMEOUT_S, self._open_timed_out)

    def data_received(self, data: bytes) -> None:
        protocol = self.protocol
        protocol.receive_data(data)
        for event in protocol.events_received():
            if type(event) is Frame:
                self._on_frame(event)
            elif isinstance(event, Request) and not self._shaking:
                self._shaking = True
                task = asyncio.get_running_loop().create_task(self._run(event))
                self._endpoint.tasks.add(task)
                task.add_done_callback(self._endpoint.tasks.discard)
        self._flush()

    def eof_received(self) -> bool | None:
        self.protocol.receive_eof()
        self._flush()
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self.protocol.receive_eof()  # idempotent; the protocol is CLOSED from here on
        if self._opening is not None:
            self._opening.cancel()
        if self._address is not None:
            self._endpoint.per_address.release(self._address)
            self._address = None
        self._endpoint.links.discard(self)
        for fut in (self._lost, self._reader, self._drained):
            if fut is not None and not fut.done():
                fut.set_result(None)
        for pong, _ in self._pings.values():
            pong.cancel()
        self._pings.clear()

    def pause_writing(self) -> None:
        self._writing_paused = True

    def resume_writing(self) -> None:
        self._writing_paused = False
        if self._drained is not None and not self._drained.done():
            self._drained.set_result(None)

    # --- what a session uses --------------------------------------------------------------

    @property
    def open(self) -> bool:
        return self.protocol.state is State.OPEN

    @property
    def subprotocol(self) -> Subprotocol | None:
        return self.protocol.subprotocol

    @property
    def close_code(self) -> int | None:
        return self.protocol.close_code

    def __aiter__(self) -> StationLink:
        return self

    async def __anext__(self) -> Message:
        """The next message; the iteration ends when the connection has closed."""
        while not self._messages:
            if self._lost is None or self._lost.done():
                raise StopAsyncIteration
            self._reader = asyncio.get_running_loop().create_future()
            try:
                await self._reader
            finally:
                self._reader = None
        message = self._messages.popleft()
        if self._reading_paused and len(self._messages) <= MAX_QUEUE // 4:
            self._reading_paused = False
            self.transport.resume_reading()
        return message

    async def send(self, message: str) -> None:
        protocol = self.protocol
        if protocol.state is not State.OPEN:
            raise _closed(protocol)
        protocol.send_text(message.encode())
        self._flush()
        if self._writing_paused:
            await self._drain()

    async def ping(self) -> Awaitable[float]:
        """Send a ping; the returned future gives the round trip once the pong is back."""
        protocol = self.protocol
        if protocol.state is not State.OPEN:
            raise _closed(protocol)
        data = os.urandom(4)
        while data in self._pings:
            data = os.urandom(4)
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[float] = loop.create_future()
        self._pings[data] = (fut, loop.time())
        protocol.send_ping(data)
        self._flush()
        return fut

    async def close(self, code: int = CloseCode.NORMAL_CLOSURE, reason: str = "") -> None:
        """The closing handshake; the socket is dropped if the peer does not finish it."""
        protocol = self.protocol
        if protocol.state is State.OPEN:
            protocol.send_close(code, reason)
            self._flush()
        elif protocol.state is State.CONNECTING:
            self.transport.abort()
        if self._lost is None or self._lost.done():
            return
        try:
            await asyncio.wait_for(asyncio.shield(self._lost), CLOSE_TIMEOUT_S)
        except TimeoutError:
            self.transport.abort()

    # --- inside ---------------------------------------------------------------------------

    async def _run(self, request: Request) -> None:
        """The opening handshake, then the session (in this task: one per connection)."""
        protocol, endpoint = self.protocol, self._endpoint
        try:
            response = await endpoint.process_request(self, request)
        except Exception as exc:
            protocol.handshake_exc = exc
            log.error("handshake failed", exc_info=True)
            response = protocol.reject(HTTPStatus.INTERNAL_SERVER_ERROR,
                                       "Failed to open a WebSocket connection.\n")
        if response is None:
            response = protocol.accept(request)
        if response.status_code == HTTPStatus.SWITCHING_PROTOCOLS and not endpoint.serving:
            response = protocol.reject(HTTPStatus.SERVICE_UNAVAILABLE,
                                       "Server is shutting down.\n")
        if protocol.state is not State.CONNECTING or self._lost is None or self._lost.done():
            return  # the peer left, or the open timeout struck, while we decided
        protocol.send_response(response)
        self._flush()
        if self._opening is not None:
            self._opening.cancel()
            self._opening = None
        if self.open:
            await endpoint.on_open(self)

    def _open_timed_out(self) -> None:
        self._opening = None
        if self.protocol.state is State.CONNECTING:
            log.info("no handshake within %.0f s from %s: dropped", OPEN_TIMEOUT_S,
                     self.remote_address)
            self.transport.abort()

    def _on_frame(self, frame: Frame) -> None:
        opcode = frame.opcode
        if opcode is Opcode.TEXT or opcode is Opcode.BINARY:
            if frame.fin:
                self._deliver(frame.data, opcode is Opcode.TEXT)
            else:
                self._fragments = [bytes(frame.data)]
                self._fragment_text = opcode is Opcode.TEXT
        elif opcode is Opcode.CONT:
            self._fragments.append(bytes(frame.data))
            if frame.fin:
                data, self._fragments = b"".join(self._fragments), []
                self._deliver(data, self._fragment_text)
        elif opcode is Opcode.PONG:
            waiter = self._pings.pop(bytes(frame.data), None)
            if waiter is not None and not waiter[0].done():
                waiter[0].set_result(asyncio.get_running_loop().time() - waiter[1])

    def _deliver(self, data: bytes | bytearray | memoryview, text: bool) -> None:
        # Whatever the peer sent before its close frame is delivered: the protocol may be
        # CLOSING already when a reply and the close arrive in one read (a station answering
        # Reset and rebooting at once).
        message: Message
        if text:
            try:
                message = bytes(data).decode()
            except UnicodeDecodeError as exc:
                self.protocol.fail(CloseCode.INVALID_DATA,
                                   f"{exc.reason} at position {exc.start}")
                return
        else:
            message = bytes(data)
        self._messages.append(message)
        if self._reader is not None and not self._reader.done():
            self._reader.set_result(None)
        if len(self._messages) >= MAX_QUEUE and not self._reading_paused:
            self._reading_paused = True
            self.transport.pause_reading()

    def _flush(self) -> None:
        for chunk in self.protocol.data_to_send():
            if chunk:
                self.transport.write(chunk)
            else:  # the protocol ends the stream: the server closes TCP first (RFC 6455 7.1.1)
                self.transport.close()

    async def _drain(self) -> None:
        if self._lost is None or self._lost.done():
            return
        self._drained = asyncio.get_running_loop().create_future()
        try:
            await self._drained
        finally:
            self._drained = None


def _closed(protocol: ServerProtocol) -> ConnectionClosed:
    return ConnectionClosed(protocol.close_rcvd, protocol.close_sent,
                            protocol.close_rcvd_then_sent)


async def close_all(endpoint: Endpoint, code: int, reason: str) -> None:
    """Close every open link (the server is stopping) and wait for their tasks."""
    endpoint.serving = False
    links = list(endpoint.links)
    await asyncio.gather(*(link.close(code, reason) for link in links), return_exceptions=True)
    for link in links:
        link.transport.abort()
    tasks = list(endpoint.tasks)
    if tasks:
        _, late = await asyncio.wait(tasks, timeout=CLOSE_TIMEOUT_S)
        for task in late:  # a session still committing its last message after the timeout
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)
