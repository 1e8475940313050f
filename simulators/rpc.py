"""A lightweight OCPP-J RPC peer over one websocket connection.

The ``ocpp`` ChargePoint class is too slow for fleets: framing, message ids and
correlation are the I/O-free ``ocppj`` core's, shared with the server; this is the
I/O around it.  Outgoing CALLs are serialised (one in flight, as OCPP-J requires)
and time out at the deadline the core keeps; incoming CALLs are dispatched to
handlers, and replies to the CSMS are never blocked by our own CALLs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import Any

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from ocppj import Answered, BadFrame, Call, CallError, CallResult, Connection
from ocppj.errors import MALFORMED_CALL
from simulators.schemas import SchemaViolation, validate_request, validate_response

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
    ) -> None:
        self.ws = ws
        self.version = version
        self._handlers = handlers
        self._log = log
        self._spawn = spawn
        self._validate = validate
        self._on_call = on_call
        self._on_schema_error = on_schema_error
        self._rpc = Connection(version)
        self._waiter: asyncio.Future[dict[str, Any]] | None = None
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
        async with self._call_lock:
            if self.closed.is_set():
                raise PeerClosed(f"connection closed, cannot send {action}")
            loop = asyncio.get_running_loop()
            call, frame = self._rpc.send_call(action, payload, now=loop.time(), timeout=timeout)
            fut: asyncio.Future[dict[str, Any]] = loop.create_future()
            self._waiter = fut
            try:
                await self._send(frame)
                async with asyncio.timeout_at(call.deadline):
                    return await fut
            except ConnectionClosed as exc:
                raise PeerClosed(f"connection closed during {action}") from exc
            except TimeoutError:
                if self._rpc.expire(loop.time()) is None and fut.done():
                    return fut.result()  # answered at the deadline itself
                raise TimeoutError(f"no reply to {action} within {timeout:.1f}s") from None
            finally:
                self._waiter = None
                self._rpc.abandon(call.unique_id)

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
            waiting = self._rpc.outstanding
            if waiting is not None and self._waiter is not None and not self._waiter.done():
                self._waiter.set_exception(
                    PeerClosed(f"connection closed awaiting {waiting.action}"))
            for task in list(self._tasks):
                task.cancel()

    def _on_frame(self, text: str) -> None:
        event = self._rpc.receive(text)
        if isinstance(event, Call):
            self._on_call_frame(event)
        elif isinstance(event, Answered):
            self._on_answer(event, text)
        elif isinstance(event, BadFrame) and event.code == MALFORMED_CALL:
            self._track(self._send_error(event.unique_id, event.code, "malformed CALL frame"))
        else:
            # Not OCPP-J, or a reply to no CALL of ours: kept for malformed-frame tests.
            if isinstance(event, BadFrame):
                self._log.warning("received malformed frame: %.200s", text)
            self._queue_raw(text)

    def _on_answer(self, answered: Answered, text: str) -> None:
        fut = self._waiter
        if fut is None or fut.done():
            return
        reply = answered.reply
        if isinstance(reply, CallResult) and isinstance(reply.payload, dict):
            self._check_response(answered.call.action, reply.payload)
            fut.set_result(reply.payload)
        elif isinstance(reply, CallError):
            details = reply.details if isinstance(reply.details, dict) else {}
            fut.set_exception(CallErrorReply(reply.code, reply.description, details))
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

    def _on_call_frame(self, call: Call) -> None:
        if not isinstance(call.payload, dict):
            self._track(self._send_error(call.unique_id, MALFORMED_CALL, "malformed CALL frame"))
            return
        if self._on_call:
            self._on_call(call.action, call.payload)
        self._track(self._dispatch(call.unique_id, call.action, call.payload))

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
            await self._send(self._rpc.send_result(msg_id, reply.payload))
        if reply.then is not None:
            self._spawn(_run_followup(reply.then, self._log, action))

    async def _send_error(
        self, msg_id: str, code: str, description: str, details: dict[str, Any] | None = None
    ) -> None:
        with contextlib.suppress(ConnectionClosed):
            await self._send(self._rpc.send_error(msg_id, code, description, details))


async def _run_followup(
    then: Callable[[], Awaitable[None]], log: logging.LoggerAdapter[logging.Logger], action: str
) -> None:
    try:
        await then()
    except (PeerClosed, ConnectionClosed, TimeoutError) as exc:
        log.warning("follow-up of %s interrupted: %s", action, exc)
    except CallErrorReply as exc:
        log.warning("follow-up of %s got CALLERROR %s", action, exc)
