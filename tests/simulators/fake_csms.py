"""A tiny test-only OCPP CSMS: records and schema-checks what the simulators send.

Not a server implementation: it answers every station CALL with a canned valid
reply, can send CALLs to a station, and lets tests wait for a given message.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from ocpp.exceptions import OCPPError
from ocpp.messages import Call, CallResult, _validate_payload
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

Payload = dict[str, Any]
Responder = Callable[[str, Payload], Payload]


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def schema_error(kind: type, action: str, payload: Payload, version: str) -> str | None:
    """None if valid, else a description (kind is Call or CallResult)."""
    msg = Call("1", action, payload) if kind is Call else CallResult("1", payload, action)
    try:
        _validate_payload(msg, version)
    except OCPPError as exc:
        return f"{action} ({kind.__name__}, {version}): {exc}"
    return None


class StationCallError(Exception):
    def __init__(self, code: str, description: str) -> None:
        super().__init__(f"{code}: {description}")
        self.code = code


class FakeCsms:
    """Records every CALL per station id; ``errors`` lists schema violations."""

    def __init__(self, *, password: str | None = None, boot_status: str = "Accepted",
                 heartbeat_interval: int = 300) -> None:
        self.password = password
        self.boot_status = boot_status
        self.heartbeat_interval = heartbeat_interval
        self.calls: dict[str, list[tuple[str, Payload]]] = {}
        self.errors: list[str] = []
        self.connects: dict[str, int] = {}
        self.sockets: dict[str, ServerConnection] = {}
        self.versions: dict[str, str] = {}
        self.overrides: dict[str, Responder] = {}
        self.close_on: set[str] = set()  # actions answered by closing the socket
        self.url = ""
        self._server: Server | None = None
        self._pending: dict[str, asyncio.Future[tuple[str, Any]]] = {}
        self._changed = asyncio.Condition()
        self._tx_ids = itertools.count(100)

    async def start(self) -> FakeCsms:
        self._server = await serve(self._serve, "127.0.0.1", 0,
                                   subprotocols=["ocpp2.0.1", "ocpp1.6"],  # type: ignore[list-item]
                                   process_request=self._check_request)
        port = next(iter(self._server.sockets)).getsockname()[1]
        self.url = f"ws://127.0.0.1:{port}/ocpp"
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def _check_request(self, conn: ServerConnection, request: Request) -> Response | None:
        if not request.path.startswith("/ocpp/"):
            return conn.respond(404, "unknown path\n")
        if self.password is not None:
            station = unquote(request.path.rsplit("/", 1)[1])
            expected = base64.b64encode(f"{station}:{self.password}".encode()).decode()
            if request.headers.get("Authorization") != f"Basic {expected}":
                response = conn.respond(401, "unauthorized\n")
                response.headers = Headers(response.headers)
                return response
        return None

    # ------------------------------------------------------------------ serving
    async def _serve(self, ws: ServerConnection) -> None:
        assert ws.request is not None
        station = unquote(ws.request.path.rsplit("/", 1)[1])
        version = "1.6" if ws.subprotocol == "ocpp1.6" else "2.0.1"
        self.versions[station] = version
        self.sockets[station] = ws
        self.connects[station] = self.connects.get(station, 0) + 1
        try:
            async for frame in ws:
                await self._on_frame(station, version, ws, str(frame))
        except ConnectionClosed:
            pass

    async def _on_frame(self, station: str, version: str, ws: ServerConnection,
                        text: str) -> None:
        try:
            msg = json.loads(text)
        except ValueError:
            await ws.send(json.dumps([4, "-1", "RpcFrameworkError" if version != "1.6"
                                      else "FormationViolation", "invalid JSON", {}]))
            return
        if msg[0] == 2:
            _, msg_id, action, payload = msg
            if action in self.close_on:
                await ws.close()
                return
            responder = self.overrides.get(action) or getattr(self, f"_r_{action}", None)
            if responder is None:
                await ws.send(json.dumps([4, msg_id, "NotImplemented", action, {}]))
                return
            err = schema_error(Call, action, payload, version)
            if err:
                self.errors.append(err)
                await ws.send(json.dumps([4, msg_id, "FormatViolation", err[:200], {}]))
                return
            reply = responder(station, payload)
            async with self._changed:
                self.calls.setdefault(station, []).append((action, payload))
                self._changed.notify_all()
            # A station may close right after its next frames (a reset): those already
            # received are still read, so a reply that can no longer be sent ends nothing.
            with contextlib.suppress(ConnectionClosed):
                await ws.send(json.dumps([3, msg_id, reply]))
        elif msg[0] in (3, 4):
            fut = self._pending.pop(msg[1], None)
            if fut is not None and not fut.done():
                fut.set_result(("result", msg[2]) if msg[0] == 3 else ("error", msg[2:4]))

    # ----------------------------------------------------------- canned replies
    def _r_BootNotification(self, station: str, p: Payload) -> Payload:
        return {"status": self.boot_status, "currentTime": now(),
                "interval": self.heartbeat_interval}

    def _r_Heartbeat(self, station: str, p: Payload) -> Payload:
        return {"currentTime": now()}

    def _r_Authorize(self, station: str, p: Payload) -> Payload:
        if "idTag" in p:
            return {"idTagInfo": {"status": "Invalid" if p["idTag"] == "BADTAG" else "Accepted"}}
        status = "Invalid" if p["idToken"]["idToken"] == "BADTAG" else "Accepted"
        return {"idTokenInfo": {"status": status}}

    def _r_StartTransaction(self, station: str, p: Payload) -> Payload:
        return {"transactionId": next(self._tx_ids), "idTagInfo": {"status": "Accepted"}}

    def _r_StopTransaction(self, station: str, p: Payload) -> Payload:
        return {"idTagInfo": {"status": "Accepted"}}

    def _r_DataTransfer(self, station: str, p: Payload) -> Payload:
        return {"status": "Accepted"}

    def _empty(self, station: str, p: Payload) -> Payload:
        return {}

    _r_StatusNotification = _r_MeterValues = _r_TransactionEvent = _empty
    _r_FirmwareStatusNotification = _r_DiagnosticsStatusNotification = _empty
    _r_LogStatusNotification = _r_NotifyReport = _r_ReportChargingProfiles = _empty
    _r_NotifyDisplayMessages = _r_ReservationStatusUpdate = _r_SecurityEventNotification = _empty

    # ------------------------------------------------------------------ helpers
    def actions(self, station: str) -> list[str]:
        return [a for a, _ in self.calls.get(station, [])]

    def payloads(self, station: str, action: str) -> list[Payload]:
        return [p for a, p in self.calls.get(station, []) if a == action]

    async def wait_for(self, station: str, action: str,
                       pred: Callable[[Payload], bool] = lambda p: True, *,
                       count: int = 1, timeout: float = 5.0) -> Payload:
        """Wait until ``count`` matching CALLs were received; returns the last one."""
        def ready() -> list[Payload]:
            return [p for p in self.payloads(station, action) if pred(p)]
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(lambda: len(ready()) >= count)
        return ready()[count - 1]

    async def call(self, station: str, action: str, payload: Payload,
                   timeout: float = 5.0, *, validate: bool = True) -> Payload:
        """Send a CALL to the station; returns the CALLRESULT payload (schema-checked)."""
        version = self.versions[station]
        err = schema_error(Call, action, payload, version) if validate else None
        assert err is None, err
        msg_id = str(uuid.uuid4())
        fut: asyncio.Future[tuple[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[msg_id] = fut
        await self.sockets[station].send(json.dumps([2, msg_id, action, payload]))
        kind, body = await asyncio.wait_for(fut, timeout)
        if kind == "error":
            raise StationCallError(body[0], body[1])
        err = schema_error(CallResult, action, body, version)
        if err:
            self.errors.append(err)
        return body  # type: ignore[no-any-return]
