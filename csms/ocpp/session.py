"""One station's OCPP-J conversation, whatever its version.

Frames from the station are handled one at a time, in order: the handler's service call
commits before the reply is written, so a reply never confirms what a crash could lose.
Calls from the CSMS are serialised (one outstanding CALL per direction, OCPP-J §4.1.1),
correlated by unique id, bounded by a timeout, and failed cleanly when the socket drops.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

import orjson
from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from csms.domain.commands import Command, Result
from csms.domain.errors import (
    DomainError,
    InvalidInput,
    StationBadReply,
    StationCallError,
    StationOffline,
    StationTimeout,
)
from csms.domain.model import RegistrationStatus
from csms.ocpp import schemas, timestamps
from csms.ocpp.errors import OcppCallError
from csms.ocpp.exchange import Call, Conversation, Table
from csms.services.container import Services

log = logging.getLogger("csms.ocpp")
R = TypeVar("R", bound=Result)
# What reading a reply that lacks what the schema promised raises.
_UNUSABLE = (KeyError, IndexError, TypeError, ValueError, AttributeError)

Handler = Callable[[Any, dict[str, Any]], Awaitable[dict[str, Any]]]

CALL, RESULT, ERROR = 2, 3, 4
# What a station whose boot is not (yet) accepted may still send.
_ALLOWED_BEFORE_ACCEPTED = {"BootNotification", "NotifyReport", "SecurityEventNotification"}
# TriggerMessage's requestedMessage -> the action the station then sends, where they differ.
_TRIGGERED_AS = {
    "SignChargePointCertificate": "SignCertificate",
    "SignChargingStationCertificate": "SignCertificate",
    "SignV2GCertificate": "SignCertificate",
    "SignCombinedCertificate": "SignCertificate",
}


def triggered_action(action: str, payload: dict[str, Any]) -> str | None:
    """The action a (Extended)TriggerMessage asks the station to send, if this is one."""
    requested = payload.get("requestedMessage")
    if action not in ("TriggerMessage", "ExtendedTriggerMessage") or not isinstance(requested, str):
        return None
    return _TRIGGERED_AS.get(requested, requested)


def handles(action: str) -> Callable[[Handler], Handler]:
    """Mark a session method as the handler of an incoming action."""

    def mark(fn: Handler) -> Handler:
        fn._ocpp_action = action  # type: ignore[attr-defined]
        return fn

    return mark


@dataclass(frozen=True)
class SessionConfig:
    call_timeout: float


class Session:
    """Base of the per-version sessions; subclasses add `@handles` methods and commands."""

    version: ClassVar[str]
    handlers: ClassVar[dict[str, Handler]]
    exchanges: ClassVar[Table] = {}  # typed commands: how this version builds and parses them
    stored: ClassVar[frozenset[str]] = frozenset()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.handlers = {}
        for klass in reversed(cls.__mro__):
            for fn in vars(klass).values():
                action = getattr(fn, "_ocpp_action", None)
                if action:
                    cls.handlers[action] = fn

    def __init__(
        self,
        station_id: str,
        ws: ServerConnection,
        services: Services,
        config: SessionConfig,
        registration: RegistrationStatus | None,
    ) -> None:
        self.station_id = station_id
        self.ws = ws
        self.services = services
        self.config = config
        self.registration = registration or RegistrationStatus.ACCEPTED
        self.log = logging.LoggerAdapter(log, {"station_id": station_id})
        self._pending: dict[str, tuple[str, asyncio.Future[tuple[int, Any]]]] = {}
        self._call_lock = asyncio.Lock()
        self._closed = False
        # Messages a station that is not Accepted may send because we asked (B02.FR.09).
        self._triggered: set[str] = set()

    @property
    def closed(self) -> bool:
        return self._closed

    # --- receiving ----------------------------------------------------------------------

    async def run(self) -> None:
        try:
            async for raw in self.ws:
                if isinstance(raw, str):
                    await self.on_frame(raw)
                else:
                    # OCPP-J is carried in text frames only; a binary frame has no message id
                    # we could answer, so it is logged and dropped.
                    self.log.warning("binary frame of %d bytes ignored", len(raw))
        except ConnectionClosed:
            pass
        finally:
            self.close()

    def close(self) -> None:
        self._closed = True
        for _, fut in self._pending.values():
            if not fut.done():
                fut.set_exception(StationOffline(f"station {self.station_id!r} disconnected"))

    async def on_frame(self, raw: str) -> None:
        self.services.message_log.record(self.station_id, "in", raw)
        self.services.presence.seen(self.station_id, self.services.clock.now())
        try:
            msg = _loads(raw)
        except (ValueError, RecursionError):
            await self._send_error("-1", OcppCallError("RpcFrameworkError", "frame is not JSON"))
            return
        # A message id that cannot be read is answered with "-1" (2.0.1 Part 4 §4.2.3).
        uid = msg[1] if isinstance(msg, list) and len(msg) > 1 and isinstance(msg[1], str) else "-1"
        kind = msg[0] if isinstance(msg, list) and msg else None
        if kind in (RESULT, ERROR) and not isinstance(kind, bool):
            self._on_reply(msg)  # never answered, even when malformed
            return
        if not isinstance(kind, int) or isinstance(kind, bool) or uid == "-1":
            await self._send_error(
                uid, OcppCallError("RpcFrameworkError", "frame is not an OCPP-J message")
            )
            return
        if kind == CALL:
            await self._on_call(uid, msg)
        else:
            await self._send_error(
                uid, OcppCallError("MessageTypeNotSupported", f"message type {kind} unknown")
            )

    async def _on_call(self, uid: str, msg: list[Any]) -> None:
        if len(msg) != 4 or not isinstance(msg[2], str):
            await self._send_error(uid, OcppCallError(
                "MalformedCall", "a CALL is [2, messageId, action, payload]"))
            return
        action, payload = msg[2], msg[3]
        try:
            result = await self._dispatch(action, payload)
        except OcppCallError as e:
            self.log.info("%s rejected: %s %s", action, e.code, e.description)
            await self._send_error(uid, e)
            return
        await self._send(_dumps([RESULT, uid, result]))

    async def _dispatch(self, action: str, payload: Any) -> dict[str, Any]:
        handler = self.handlers.get(action)
        stored = handler is None and action in self.stored
        if handler is None and not stored:
            if schemas.has_schema(self.version, action):
                raise OcppCallError("NotSupported", f"{action} is not sent by a station")
            raise OcppCallError("NotImplemented", f"unknown action {action!r}")
        if (
            self.registration != RegistrationStatus.ACCEPTED
            and action not in _ALLOWED_BEFORE_ACCEPTED
            and action not in self._triggered
        ):
            # 2.0.1 B02.FR.09 / B03: checked before the payload, which is not ours to parse yet.
            raise OcppCallError("SecurityError", f"station is {self.registration.value}")
        self._triggered.discard(action)
        if not isinstance(payload, dict):
            raise OcppCallError("FormatViolation", "payload must be a JSON object")
        schemas.validate(self.version, CALL, action, payload)
        try:
            if handler is None:
                result = await self.store_report(action, payload)
            else:
                result = await handler(self, payload)
        except OcppCallError:
            raise
        except DomainError as e:
            raise OcppCallError("GenericError", str(e)) from e
        except Exception as e:
            self.log.exception("handler for %s failed", action)
            raise OcppCallError("InternalError", "the CSMS could not process this message") from e
        try:
            schemas.validate(self.version, RESULT, action, result)
        except OcppCallError as e:
            self.log.error("our %s reply breaks the schema: %s", action, e.description)
            raise OcppCallError("InternalError", "the CSMS built an invalid reply") from e
        return result

    async def store_report(self, kind: str, p: dict[str, Any]) -> dict[str, Any]:
        """Keep a station's report (status notifications, security events, ...) for support."""
        stamp = p.get("timestamp")
        at = timestamps.parse(stamp) if isinstance(stamp, str) else None
        await self.services.stations.report(self.station_id, kind, p, at)
        return {}

    def _on_reply(self, msg: list[Any]) -> None:
        uid = str(msg[1]) if len(msg) > 1 else ""
        entry = self._pending.get(uid)
        if entry is None:
            self.log.warning("reply to unknown or expired call %s ignored", uid)
            return
        _, fut = entry
        if not fut.done():
            fut.set_result((msg[0], msg[2:]))

    # --- sending ------------------------------------------------------------------------

    async def _send(self, frame: str) -> None:
        self.services.message_log.record(self.station_id, "out", frame)
        try:
            await self.ws.send(frame)
        except ConnectionClosed:
            self.log.info("reply not sent: connection closed")

    async def _send_error(self, uid: str, e: OcppCallError) -> None:
        frame = [ERROR, uid, e.wire_code(self.version), e.description[:255], e.details]
        await self._send(_dumps(frame))

    async def call(
        self, action: str, payload: dict[str, Any], timeout: float | None = None
    ) -> dict[str, Any]:
        """Send a CALL and return the station's payload; domain errors on every failure."""
        triggered = triggered_action(action, payload)
        if triggered is None:
            return await self._call(action, payload, timeout)
        # Allowed from before the reply: some stations send the message before answering.
        self._triggered.add(triggered)
        try:
            result = await self._call(action, payload, timeout)
        except BaseException:
            self._triggered.discard(triggered)
            raise
        if result.get("status") != "Accepted":
            self._triggered.discard(triggered)
        return result

    async def _call(
        self, action: str, payload: dict[str, Any], timeout: float | None
    ) -> dict[str, Any]:
        try:
            schemas.validate(self.version, CALL, action, payload)
        except OcppCallError as e:
            if e.code == "NotImplemented":
                raise InvalidInput(f"{action} is not an OCPP {self.version} action") from e
            raise InvalidInput(f"invalid {action} payload: {e.description}") from e
        if self._closed:
            raise StationOffline(f"station {self.station_id!r} disconnected")
        uid = str(uuid.uuid4())
        fut: asyncio.Future[tuple[int, Any]] = asyncio.get_running_loop().create_future()
        try:
            async with asyncio.timeout(timeout or self.config.call_timeout):
                async with self._call_lock:
                    self._pending[uid] = (action, fut)
                    frame = _dumps([CALL, uid, action, payload])
                    self.services.message_log.record(self.station_id, "out", frame)
                    try:
                        await self.ws.send(frame)
                    except ConnectionClosed as e:
                        raise StationOffline(f"station {self.station_id!r} disconnected") from e
                    kind, body = await fut
        except TimeoutError as e:
            raise StationTimeout(f"{action}: no reply from {self.station_id!r} in time") from e
        finally:
            self._pending.pop(uid, None)
            if fut.done() and not fut.cancelled():
                fut.exception()  # a disconnect may have failed it after the send failed
        if kind == ERROR:
            code, desc, details = (list(body) + ["", "", None])[:3]
            raise StationCallError(str(code), str(desc), details)
        result = body[0] if body else {}
        try:
            schemas.validate(self.version, RESULT, action, result)
        except OcppCallError as e:
            self.log.warning("%s reply breaks the schema: %s", action, e.description)
        return result if isinstance(result, dict) else {"payload": result}

    async def send(self, command: Command[R], timeout: float | None = None) -> R:
        """Run a typed command: the version's table builds the call and parses the reply."""
        exchange = self.exchanges.get(type(command))
        if exchange is None:
            raise InvalidInput(
                f"command {command.name!r} is not available for OCPP {self.version}")
        now = self.services.clock.now()

        async def ask(call: Call) -> dict[str, Any]:
            try:
                return await self.call(call.action, call.payload, timeout)
            except StationCallError as e:
                if call.extension is not None and e.code in ("NotImplemented", "NotSupported"):
                    raise InvalidInput(f"the station does not support {call.action} "
                                       f"({call.extension}): {e.description}") from e
                raise

        if isinstance(exchange, Conversation):
            try:
                said: R = await exchange.run(command, now, ask)
            except _UNUSABLE as e:
                raise self._unusable(command, e) from e
            return said
        call = exchange.build(command, now)  # InvalidInput: nothing is sent
        reply = await ask(call)
        try:
            result: R = exchange.parse(reply, call, command)
        except _UNUSABLE as e:
            raise self._unusable(command, e) from e
        return result

    def _unusable(self, command: Command[Any], e: Exception) -> StationBadReply:
        self.log.warning("%s: unusable reply: %r", command.name, e)
        return StationBadReply(f"{command.name}: the station's reply is unusable ({e!r})")


def _loads(raw: str) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        # orjson refuses what the stdlib reads (NaN, Infinity, integers beyond 64 bits,
        # nesting beyond 1024): let those reach validation, which names the violation.
        return json.loads(raw)


def _dumps(frame: list[Any]) -> str:
    return orjson.dumps(frame).decode()
