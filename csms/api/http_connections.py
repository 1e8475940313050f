"""The API port's HTTP/1.1 connections: a deadline for request heads and a cap per address.

uvicorn closes a keep-alive connection that stays idle after a response, but it waits for
ever for the first request, or for the rest of a half-sent request head (slowloris): each
such socket holds a file descriptor until the process runs out. This protocol arms a
deadline whenever a request head is awaited (on connect and after each response) and closes
the connection when the head is not complete in time; it also refuses a connection beyond
the cap of open connections from one client address with a 429.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from csms.connections import AddressLimit, peer_host

TOO_MANY = (b"HTTP/1.1 429 Too Many Requests\r\ncontent-type: text/plain\r\n"
            b"content-length: 37\r\nconnection: close\r\n\r\n"
            b"too many connections from your host\r\n")


@dataclass(frozen=True)
class HttpLimits:
    head_timeout_s: float
    per_address: AddressLimit
    exempt: frozenset[str] = field(default_factory=frozenset)


def guarded_protocol(limits: HttpLimits) -> type[H11Protocol]:
    """The protocol class uvicorn instantiates for every accepted API connection."""

    class GuardedHttp(H11Protocol):
        _address: str | None = None
        _deadline: asyncio.TimerHandle | None = None
        _head_of: object = None  # the request cycle whose head was complete last

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            host = peer_host(transport.get_extra_info("peername"))
            if host not in limits.exempt:
                if not limits.per_address.acquire(host):
                    transport.write(TOO_MANY)
                    transport.close()
                    return
                self._address = host
            self._await_head()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            self._check_head()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._await_head()
                self._check_head()  # a pipelined request may have started already

        def connection_lost(self, exc: Exception | None) -> None:
            super().connection_lost(exc)
            self._let_go()

        def handle_websocket_upgrade(self, event: h11.Request) -> None:
            # The transport goes to a websocket protocol, which will see its end, not us.
            self._let_go()
            super().handle_websocket_upgrade(event)

        def _let_go(self) -> None:
            self._cancel_deadline()
            if self._address is not None:
                limits.per_address.release(self._address)
                self._address = None

        def _await_head(self) -> None:
            self._cancel_deadline()
            self._deadline = self.loop.call_later(limits.head_timeout_s, self._too_slow)

        def _check_head(self) -> None:
            # uvicorn makes a new cycle as soon as a request head is complete
            if self.cycle is not None and self.cycle is not self._head_of:
                self._head_of = self.cycle
                self._cancel_deadline()

        def _cancel_deadline(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _too_slow(self) -> None:
            self._deadline = None
            if not self.transport.is_closing():
                self.transport.close()

    return GuardedHttp
