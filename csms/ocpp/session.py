"""One station's OCPP-J conversation, whatever its version.

Frames from the station are handled one at a time, in order: the handler's service call
commits before the reply is written, so a reply never confirms what a crash could lose.
Calls from the CSMS are serialised (one outstanding CALL per direction, OCPP-J §4.1.1),
correlated by unique id, bounded by a timeout, and failed cleanly when the socket drops.
Framing and correlation are the I/O-free `ocppj` core's; this module is the I/O around it.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from websockets.exceptions import ConnectionClosed

from csms.domain.commands import Command, Result
from csms.domain.errors import (
    DomainError,
    InvalidInput,
    StationBadReply,
    StationCallError,
    StationOffline,
    StationTimeout,
    StorageUnavailable,
)
from csms.domain.model import RegistrationStatus
from csms.ocpp import conformance, schemas, timestamps
from csms.ocpp import exchange as ex
from csms.ocpp.errors import OcppCallError
from csms.ocpp.link import StationLink
from csms.ocpp.station_services import StationServices
from csms.ocpp.strikes import Strikes
from ocppj import Answered, BadFrame, Call, CallError, CallResult, Connection

log = logging.getLogger("csms.ocpp")
R = TypeVar("R", bound=Result)
# What reading a reply that lacks what our parser expects raises.
_UNUSABLE = (KeyError, IndexError, TypeError, ValueError, AttributeError)

Handler = Callable[[Any, dict[str, Any]], Awaitable[dict[str, Any]]]

CALL, RESULT = 2, 3  # schema kinds
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


@dataclass
class _CommandScope:
    """What one command's calls share: the caller's timeout, and whether a reply the station
    gave broke its schema (only then is a failure to read it the station's fault)."""

    timeout: float | None
    unusable: list[str]


_command_scope: contextvars.ContextVar[_CommandScope | None] = contextvars.ContextVar(
    "ocpp_command_scope", default=None)


class Session:
    """Base of the per-version sessions; subclasses add `@handles` methods and commands."""

    version: ClassVar[str]
    handlers: ClassVar[dict[str, Handler]]
    exchanges: ClassVar[ex.Table] = {}  # typed commands: how this version builds and parses them
    stored: ClassVar[frozenset[str]] = frozenset()
    # where each action carries an idToken (normalised by a compatibility profile)
    token_paths: ClassVar[dict[str, tuple[conformance.TokenPath, ...]]] = {}

    @classmethod
    def boot_identity(cls, payload: dict[str, Any]) -> tuple[str, str] | None:
        """A BootNotification's vendor and model, where the version's payload has them."""
        return None

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
        ws: StationLink,
        services: StationServices,
        config: SessionConfig,
        registration: RegistrationStatus | None,
    ) -> None:
        self.station_id = station_id
        self.ws = ws
        self.services = services
        self.config = config
        self.registration = registration or RegistrationStatus.ACCEPTED
        self.log = logging.LoggerAdapter(log, {"station_id": station_id})
        self._rpc = Connection(self.version)
        self._waiter: asyncio.Future[CallResult | CallError] | None = None
        self._call_lock = asyncio.Lock()
        self._closed = False
        self._idle = asyncio.Event()  # no frame of this connection is being handled
        self._idle.set()
        self._strikes = Strikes()  # refusals in a row: a station looping over bad frames waits
        # Messages a station that is not Accepted may send because we asked (B02.FR.09).
        self._triggered: set[str] = set()

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def pinged(self) -> bool:
        """Whether keepalive pings go to this station (some chargers cannot answer them)."""
        return self.services.compatibility.profile(self.station_id).ping

    # --- receiving ----------------------------------------------------------------------

    async def run(self) -> None:
        try:
            async for raw in self.ws:
                if self._closed:
                    # Replaced by a newer connection: what is left on this socket is dropped
                    # unanswered (the station sends it again on the new one), so that nothing
                    # is decided after, and against, what the new connection committed. Read
                    # on all the same: the closing handshake waits behind these frames.
                    continue
                if isinstance(raw, str):
                    self._idle.clear()
                    try:
                        await self.on_frame(raw)
                    finally:
                        self._idle.set()
                    if delay := self._strikes.delay():
                        await asyncio.sleep(delay)
                else:
                    # OCPP-J is carried in text frames only; a binary frame has no message id
                    # we could answer, so it is logged and dropped.
                    self.log.warning("binary frame of %d bytes ignored", len(raw))
        except ConnectionClosed:
            pass
        finally:
            self.close()

    async def finished(self) -> None:
        """After close(): until the frame being handled, if any, is committed and answered."""
        await self._idle.wait()

    def close(self) -> None:
        self._closed = True
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_exception(StationOffline(f"station {self.station_id!r} disconnected"))

    async def on_frame(self, raw: str) -> None:
        self.services.message_log.record(self.station_id, "in", raw)
        self.services.presence.seen(self.station_id, self.services.clock.now())
        event = self._rpc.receive(raw)
        if type(event) is Call:
            await self._on_call(event)
        elif type(event) is Answered:
            waiter = self._waiter
            if waiter is not None and not waiter.done():
                waiter.set_result(event.reply)
        elif type(event) is BadFrame:
            # A message id that cannot be read is answered with "-1" (2.0.1 Part 4 §4.2.3).
            await self._send_error(event.unique_id, OcppCallError(event.code, event.description))
        elif isinstance(event, CallResult | CallError):  # to no call of ours: never answered
            self.log.warning("reply to unknown or expired call %s ignored", event.unique_id)

    async def _on_call(self, call: Call) -> None:
        action = call.action
        try:
            result = await self._dispatch(action, call.payload)
        except OcppCallError as e:
            if not isinstance(e.__cause__, StorageUnavailable):  # the writer logs those
                self.log.info("%s rejected: %s %s", action, e.code, e.description)
            await self._send_error(call.unique_id, e)
            return
        self._strikes.served()
        await self._send(self._rpc.send_result(call.unique_id, result))

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
        payload = await conformance.admit(
            self.services.compatibility, self.services.clock, conformance.Incoming(
                self.station_id, self.version, action, payload,
                self.boot_identity(payload) if action == "BootNotification" else None,
                self.token_paths.get(action, ())))
        try:
            if handler is None:
                result = await self.store_report(action, payload)
            else:
                result = await handler(self, payload)
            if action == "BootNotification":
                self.services.compatibility.booted(self.station_id)
        except OcppCallError:
            raise
        except DomainError as e:
            raise OcppCallError("GenericError", str(e)) from e
        except StorageUnavailable as e:
            # The database writer logs the fault (once per interval, not once per message);
            # nothing of this message is confirmed, so the station sends it again.
            raise OcppCallError("InternalError", "the CSMS could not store this message; "
                                "retry later") from e
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

    # --- sending ------------------------------------------------------------------------

    async def _send(self, frame: str) -> None:
        self.services.message_log.record(self.station_id, "out", frame)
        try:
            await self.ws.send(frame)
        except ConnectionClosed:
            self.log.info("reply not sent: connection closed")

    async def _send_error(self, uid: str, e: OcppCallError) -> None:
        if e.code != "InternalError":  # ours, not the station's doing
            self._strikes.refused()
        await self._send(self._rpc.send_error(uid, e.code, e.description, e.details))

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
        scope = _command_scope.get()
        if timeout is None and scope is not None:
            timeout = scope.timeout
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (timeout or self.config.call_timeout)
        try:
            async with asyncio.timeout_at(deadline):  # waiting for our turn counts too
                async with self._call_lock:
                    reply = await self._exchange(action, payload, deadline)
        except TimeoutError as e:
            raise StationTimeout(f"{action}: no reply from {self.station_id!r} in time") from e
        if isinstance(reply, CallError):
            raise StationCallError(reply.code, reply.description, reply.details)
        result = reply.payload
        try:
            schemas.validate(self.version, RESULT, action, result)
        except OcppCallError as e:
            self.log.warning("%s reply breaks the schema: %s", action, e.description)
            if scope is not None:
                scope.unusable.append(f"{action}: {e.description}")
        return result if isinstance(result, dict) else {"payload": result}

    async def _exchange(
        self, action: str, payload: dict[str, Any], deadline: float
    ) -> CallResult | CallError:
        """Send one CALL (ours is the only one outstanding: the lock is held) and await the
        reply the core matches to it; the core forgets the call however this ends."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        call, frame = self._rpc.send_call(action, payload, now=now, timeout=deadline - now)
        waiter: asyncio.Future[CallResult | CallError] = loop.create_future()
        self._waiter = waiter
        try:
            self.services.message_log.record(self.station_id, "out", frame)
            try:
                await self.ws.send(frame)
            except ConnectionClosed as e:
                raise StationOffline(f"station {self.station_id!r} disconnected") from e
            return await waiter
        finally:
            self._waiter = None
            self._rpc.abandon(call.unique_id)
            if waiter.done() and not waiter.cancelled():
                waiter.exception()  # a disconnect may have failed it after the send failed

    async def send(self, command: Command[R], timeout: float | None = None) -> R:
        """Run a typed command: the version's table builds the call and parses the reply;
        each call waits `timeout` (the session's call timeout when None) for the reply."""
        exchange = self.exchanges.get(type(command))
        if exchange is None:
            raise InvalidInput(
                f"command {command.name!r} is not available for OCPP {self.version}")
        now = self.services.clock.now()

        async def ask(call: ex.Call) -> dict[str, Any]:
            try:
                return await self.call(call.action, call.payload, timeout)
            except StationCallError as e:
                if call.extension is not None and e.code in ("NotImplemented", "NotSupported"):
                    raise InvalidInput(f"the station does not support {call.action} "
                                       f"({call.extension}): {e.description}") from e
                raise

        scope = _CommandScope(timeout, [])
        token = _command_scope.set(scope)
        try:
            if isinstance(exchange, ex.Conversation):
                said: R = await exchange.run(command, now, ask)
                return said
            sent = exchange.build(command, now)  # InvalidInput: nothing is sent
            reply = await ask(sent)
            result: R = exchange.parse(reply, sent, command)
            return result
        except _UNUSABLE as e:
            if not scope.unusable:
                # Every reply met its schema: the failure is in our own code, not the station's.
                raise
            self.log.warning("%s: unusable reply (%s): %r", command.name,
                             "; ".join(scope.unusable), e)
            raise StationBadReply(
                f"{command.name}: the station's reply is unusable ({e!r})") from e
        finally:
            _command_scope.reset(token)
