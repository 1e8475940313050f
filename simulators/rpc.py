"""A lightweight OCPP-J RPC peer over one websocket connection.

Does the JSON framing itself (the ``ocpp`` ChargePoint class is too slow for
fleets): numbered CALLs awaiting their CALLRESULT/CALLERROR, and incoming CALLs
dispatched to handlers.  Outgoing CALLs are serialised (one in flight, as
OCPP-J requires); replies to the CSMS are never blocked by them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import Any

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from simulators.schemas import SchemaViolation, validate_request, validate_response

CALL, CALLRESULT, CALLERROR = 2, 3, 4
_RAW_QUEUE_MAX = 256


class CallErrorReply(Exception):
    """The CSMS answered a CALL with a CALLERROR (or a handler wants to send one)."""

    def __init__(
        self, code: str, description: str = "", details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(f"{code}: {description}" if description else code)
        self.code = code
        self.description = description
        self.details: dict[str, Any] = details or {}


class PeerClosed(ConnectionError):
    """The websocket closed before the CALL was answered (or was never open)."""


@dataclass
class Reply:
    """A handler's answer plus an optional follow-up run after the reply is sent."""

    payload: dict[str, Any]
    then: Callable[[], Awaitable[None]] | None = None


Handler = Callable[[dict[str, Any]], Awaitable[dict[str, Any] | Reply]]
Spawn = Callable[[Coroutine[Any, Any, None]], object]


class RpcPeer:
    """OCPP-J message exchange on an open client connection."""

    def __init__(
        self,
        ws: ClientConnection,
        *,
        version: str,
        handlers: Mapping[str, Handler],
        log: logging.LoggerAdapter[logging.Logger],
        spawn: Spawn,
        validate: bool = True,
        on_call: Callable[[str, dict[str, Any]], None] | None = None,
        on_schema_error: Callable[[str], None] | None = None,
        outgoing: Callable[[str, dict[str, Any]], dict[str, Any]] | None = None,
    ) -> None:
        self.ws = ws
        self.version = version
        self._handlers = handlers
        self._log = log
        self._spawn = spawn
        self._validate = validate
        self._on_call = on_call
        self._on_schema_error = on_schema_error
        self._outgoing = outgoing  # charger quirks, after our own schema check
        self._pending: dict[str, tuple[str, asyncio.Future[dict[str, Any]]]] = {}
        self._call_lock = asyncio.Lock()
        self._raw: asyncio.Queue[str] = asyncio.Queue(_RAW_QUEUE_MAX)
        self._tasks: set[asyncio.Task[None]] = set()
        self.closed = asyncio.Event()

    # ----------------------------------------------------------------- sending
    async def call(
        self, action: str, payload: dict[str, Any], timeout: float = 30.0
    ) -> dict[str, Any]:
        """Send a CALL and return the CALLRESULT payload; raise CallErrorReply on CALLERROR."""
        if self._validate:
            validate_request(action, payload, self.version)
        if self._outgoing is not None:
            payload = self._outgoing(action, payload)
        async with self._call_lock:
            if self.closed.is_set():
                raise PeerClosed(f"connection closed, cannot send {action}")
            msg_id = str(uuid.uuid4())
            fut: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
            self._pending[msg_id] = (action, fut)
            try:
                await self._send(json.dumps([CALL, msg_id, action, payload]))
                return await asyncio.wait_for(fut, timeout)
            except ConnectionClosed as exc:
                raise PeerClosed(f"connection closed during {action}") from exc
            except TimeoutError:
                raise TimeoutError(f"no reply to {action} within {timeout:.1f}s") from None
            finally:
                self._pending.pop(msg_id, None)

    async def send_raw(self, text: str) -> None:
        """Send an arbitrary text frame (for malformed-frame tests)."""
        try:
            await self._send(text)
        except ConnectionClosed as exc:
            raise PeerClosed("connection closed") from exc

    async def next_raw_reply(self, timeout: float = 5.0) -> str:
        """Next received non-CALL frame that did not answer one of our CALLs."""
        return await asyncio.wait_for(self._raw.get(), timeout)

    async def close(self) -> None:
        """Close the websocket and wait for the reader to notice."""
        await self.ws.close()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.closed.wait(), 5.0)

    def abort(self) -> None:
        """Drop the TCP connection without a close handshake (simulates a network loss)."""
        self.ws.transport.abort()

    async def _send(self, text: str) -> None:
        self._log.debug("-> %s", text)
        await self.ws.send(text)

    # --------------------------------------------------------------- receiving
    async def run(self) -> None:
        """Read frames until the socket closes, then fail every pending CALL."""
        try:
            async for frame in self.ws:
                text = frame if isinstance(frame, str) else frame.decode("utf-8", "replace")
                self._log.debug("<- %s", text)
                self._on_frame(text)
        except ConnectionClosed:
            pass
        finally:
            self.closed.set()
            for action, fut in self._pending.values():
                if not fut.done():
                    fut.set_exception(PeerClosed(f"connection closed awaiting {action}"))
            for task in list(self._tasks):
                task.cancel()

    def _on_frame(self, text: str) -> None:
        try:
            msg = json.loads(text)
        except ValueError:
            self._log.warning("received invalid JSON: %.200s", text)
            self._queue_raw(text)
            return
        if not isinstance(msg, list) or not msg or not isinstance(msg[0], int):
            self._log.warning("received malformed frame: %.200s", text)
            self._queue_raw(text)
            return
        if msg[0] == CALL:
            self._on_call_frame(msg)
            return
        entry = self._pending.get(str(msg[1])) if len(msg) > 1 else None
        if entry is None:
            self._queue_raw(text)
            return
        action, fut = entry
        if fut.done():
            return
        if msg[0] == CALLRESULT and len(msg) >= 3 and isinstance(msg[2], dict):
            self._check_response(action, msg[2])
            fut.set_result(msg[2])
        elif msg[0] == CALLERROR and len(msg) >= 4:
            details = msg[4] if len(msg) > 4 and isinstance(msg[4], dict) else {}
            fut.set_exception(CallErrorReply(str(msg[2]), str(msg[3]), details))
        else:
            fut.set_exception(CallErrorReply("ProtocolError", f"malformed reply: {text:.200}"))

    def _check_response(self, action: str, payload: dict[str, Any]) -> None:
        if not self._validate:
            return
        try:
            validate_response(action, payload, self.version)
        except SchemaViolation as exc:
            self._log.warning("CSMS reply violates schema: %s", exc)
            if self._on_schema_error:
                self._on_schema_error(f"{action}Response: {exc}")

    def _queue_raw(self, text: str) -> None:
        if self._raw.full():
            self._raw.get_nowait()
        self._raw.put_nowait(text)

    def _on_call_frame(self, msg: list[Any]) -> None:
        if len(msg) != 4 or not isinstance(msg[2], str) or not isinstance(msg[3], dict):
            msg_id = str(msg[1]) if len(msg) > 1 else "-1"
            code = "FormationViolation" if self.version == "1.6" else "RpcFrameworkError"
            self._track(self._send_error(msg_id, code, "malformed CALL frame"))
            return
        _, msg_id, action, payload = msg
        if self._on_call:
            self._on_call(action, payload)
        self._track(self._dispatch(str(msg_id), action, payload))

    def _track(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _dispatch(self, msg_id: str, action: str, payload: dict[str, Any]) -> None:
        handler = self._handlers.get(action)
        try:
            if handler is None:
                raise CallErrorReply("NotImplemented", f"{action} is not implemented")
            if self._validate:
                validate_request(action, payload, self.version)
            result = await handler(payload)
            reply = result if isinstance(result, Reply) else Reply(result)
            if self._validate:
                validate_response(action, reply.payload, self.version)
        except SchemaViolation as exc:
            self._log.warning("rejecting %s: %s", action, exc)
            await self._send_error(msg_id, exc.code, str(exc)[:255])
            return
        except CallErrorReply as exc:
            await self._send_error(msg_id, exc.code, exc.description, exc.details)
            return
        except Exception:
            self._log.exception("handler for %s failed", action)
            await self._send_error(msg_id, "InternalError", f"{action} handler failed")
            return
        with contextlib.suppress(ConnectionClosed):
            await self._send(json.dumps([CALLRESULT, msg_id, reply.payload]))
        if reply.then is not None:
            self._spawn(_run_followup(reply.then, self._log, action))

    async def _send_error(
        self, msg_id: str, code: str, description: str, details: dict[str, Any] | None = None
    ) -> None:
        with contextlib.suppress(ConnectionClosed):
            await self._send(json.dumps([CALLERROR, msg_id, code, description, details or {}]))


async def _run_followup(
    then: Callable[[], Awaitable[None]], log: logging.LoggerAdapter[logging.Logger], action: str
) -> None:
    try:
        await then()
    except (PeerClosed, ConnectionClosed, TimeoutError) as exc:
        log.warning("follow-up of %s interrupted: %s", action, exc)
    except CallErrorReply as exc:
        log.warning("follow-up of %s got CALLERROR %s", action, exc)
