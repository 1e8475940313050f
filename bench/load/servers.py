"""Reference servers the load is compared against, each run as its own process.

`python -m bench.load.servers bare --port 0` is a bare `websockets.serve` responder: it answers
every CALL with a fixed, schema-valid CALLRESULT per action, with no database and no
validation: the floor any OCPP server in Python pays for sockets, framing and json.
`python -m bench.load.servers bare-sansio` gives the same answers from an `asyncio.Protocol`
around websockets' sans-I/O `ServerProtocol`, with no task, queue or lock per connection: the
floor without websockets' asyncio layer (what a server that drives the framing itself pays).
`python -m bench.load.servers ocpp-lib` is the plain mobilityhouse `ocpp` example central
system (ChargePoint subclasses with `@on` handlers, no database). Both print `LISTENING <port>`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, cast

from websockets.asyncio.server import ServerConnection, serve
from websockets.frames import Frame, Opcode
from websockets.http11 import Request
from websockets.server import ServerProtocol
from websockets.typing import Subprotocol

SUBPROTOCOLS = [Subprotocol("ocpp1.6"), Subprotocol("ocpp2.0.1")]
_TIME = "2025-01-01T00:00:00.000Z"

BARE_REPLIES: dict[str, dict[str, Any]] = {
    "ocpp1.6": {
        "BootNotification": {"status": "Accepted", "currentTime": _TIME, "interval": 300},
        "Heartbeat": {"currentTime": _TIME},
        "Authorize": {"idTagInfo": {"status": "Accepted"}},
        "StartTransaction": {"transactionId": 1, "idTagInfo": {"status": "Accepted"}},
        "StopTransaction": {"idTagInfo": {"status": "Accepted"}},
    },
    "ocpp2.0.1": {
        "BootNotification": {"status": "Accepted", "currentTime": _TIME, "interval": 300},
        "Heartbeat": {"currentTime": _TIME},
        "Authorize": {"idTokenInfo": {"status": "Accepted"}},
        "TransactionEvent": {"idTokenInfo": {"status": "Accepted"}},
    },
}


async def _bare_handler(ws: ServerConnection) -> None:
    replies = {a: json.dumps(p, separators=(",", ":"))
               for a, p in BARE_REPLIES[str(ws.subprotocol)].items()}
    async for raw in ws:
        msg = json.loads(raw)
        if msg[0] == 2:
            await ws.send(f"[3,{json.dumps(msg[1])},{replies.get(msg[2], '{}')}]")


def _ocpp_lib_handler() -> Any:
    """The library's example central system for 1.6 and 2.0.1 (imported only when used)."""
    from ocpp.routing import on as untyped_on

    def on(action: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return cast(Callable[[Callable[..., Any]], Callable[..., Any]], untyped_on(action))

    from ocpp.v16 import ChargePoint as Cp16
    from ocpp.v16 import call_result as r16
    from ocpp.v16.enums import Action as A16
    from ocpp.v16.enums import AuthorizationStatus, RegistrationStatus
    from ocpp.v201 import ChargePoint as Cp201
    from ocpp.v201 import call_result as r201
    from ocpp.v201.enums import Action as A201
    from ocpp.v201.enums import AuthorizationStatusEnumType, RegistrationStatusEnumType

    def now() -> str:
        return datetime.now(UTC).isoformat()

    accepted16 = {"status": AuthorizationStatus.accepted}
    accepted201 = {"status": AuthorizationStatusEnumType.accepted}

    class ChargePoint16(Cp16):  # type: ignore[misc]
        @on(A16.boot_notification)
        def on_boot(self, **_: Any) -> Any:
            return r16.BootNotification(current_time=now(), interval=300,
                                        status=RegistrationStatus.accepted)

        @on(A16.heartbeat)
        def on_heartbeat(self, **_: Any) -> Any:
            return r16.Heartbeat(current_time=now())

        @on(A16.status_notification)
        def on_status(self, **_: Any) -> Any:
            return r16.StatusNotification()

        @on(A16.authorize)
        def on_authorize(self, **_: Any) -> Any:
            return r16.Authorize(id_tag_info=accepted16)

        @on(A16.start_transaction)
        def on_start(self, **_: Any) -> Any:
            return r16.StartTransaction(transaction_id=1, id_tag_info=accepted16)

        @on(A16.stop_transaction)
        def on_stop(self, **_: Any) -> Any:
            return r16.StopTransaction(id_tag_info=accepted16)

        @on(A16.meter_values)
        def on_meter_values(self, **_: Any) -> Any:
            return r16.MeterValues()

    class ChargePoint201(Cp201):  # type: ignore[misc]
        @on(A201.boot_notification)
        def on_boot(self, **_: Any) -> Any:
            return r201.BootNotification(current_time=now(), interval=300,
                                         status=RegistrationStatusEnumType.accepted)

        @on(A201.heartbeat)
        def on_heartbeat(self, **_: Any) -> Any:
            return r201.Heartbeat(current_time=now())

        @on(A201.status_notification)
        def on_status(self, **_: Any) -> Any:
            return r201.StatusNotification()

        @on(A201.authorize)
        def on_authorize(self, **_: Any) -> Any:
            return r201.Authorize(id_token_info=accepted201)

        @on(A201.transaction_event)
        def on_transaction_event(self, **_: Any) -> Any:
            return r201.TransactionEvent(id_token_info=accepted201)

        @on(A201.meter_values)
        def on_meter_values(self, **_: Any) -> Any:
            return r201.MeterValues()

    async def handler(ws: ServerConnection) -> None:
        station_id = (ws.request.path if ws.request else "/x").rstrip("/").split("/")[-1]
        cls = ChargePoint16 if ws.subprotocol == "ocpp1.6" else ChargePoint201
        cp = cls(station_id, ws)
        try:
            await cp.start()
        except Exception:  # the socket closed; the example server does the same
            return

    return handler


class _SansIOResponder(asyncio.Protocol):
    """The bare responder as websockets' sans-I/O protocol driven from `data_received`."""

    def __init__(self) -> None:
        self._ws = ServerProtocol(subprotocols=SUBPROTOCOLS, max_size=2**22)
        self._replies: dict[str, str] = {}
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        ws = self._ws
        ws.receive_data(data)
        for event in ws.events_received():
            if isinstance(event, Request):
                ws.send_response(ws.accept(event))
                self._replies = {a: json.dumps(p, separators=(",", ":"))
                                 for a, p in BARE_REPLIES.get(str(ws.subprotocol), {}).items()}
            elif isinstance(event, Frame) and event.opcode is Opcode.TEXT:
                msg = json.loads(event.data)
                if msg[0] == 2:
                    reply = self._replies.get(msg[2], "{}")
                    ws.send_text(f"[3,{json.dumps(msg[1])},{reply}]".encode())
        assert self._transport is not None
        for chunk in ws.data_to_send():
            if chunk:
                self._transport.write(chunk)
            else:  # the protocol asks for the end of the stream
                self._transport.close()

    def eof_received(self) -> None:
        self._ws.receive_eof()


async def _serve(kind: str, host: str, port: int) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    if kind == "bare-sansio":
        server = await loop.create_server(_SansIOResponder, host, port, backlog=65535)
        print(f"LISTENING {server.sockets[0].getsockname()[1]}", flush=True)
        await stop.wait()
        server.close()
        return
    handler = _bare_handler if kind == "bare" else _ocpp_lib_handler()
    async with serve(handler, host, port, subprotocols=SUBPROTOCOLS, ping_interval=None,
                     max_size=2**22) as server:
        bound = next(iter(server.sockets)).getsockname()[1]
        print(f"LISTENING {bound}", flush=True)
        await stop.wait()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="bench.load.servers", description=__doc__)
    p.add_argument("kind", choices=["bare", "bare-sansio", "ocpp-lib"])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    args = p.parse_args(argv)
    asyncio.run(_serve(args.kind, args.host, args.port))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
