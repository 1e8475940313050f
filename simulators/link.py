"""The station's link to the CSMS: websocket life cycle, CALLs, boot and heartbeats.

Separated from ``station`` so the transport concerns (reconnect with backoff,
reboot, waiting for the link before sending, background tasks) stay apart from
the charging behaviour.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Coroutine
from typing import Any, ClassVar

from simulators.clock import SimClock
from simulators.config import StationConfig, station_log
from simulators.connection import StationConnectError, open_socket
from simulators.quirks import Quirks, mute_pongs
from simulators.rpc import CallErrorReply, Handler, PeerClosed, RpcPeer

SOFT_ERRORS = (PeerClosed, TimeoutError, CallErrorReply)
_RETRIED = frozenset({"MeterValues", "StartTransaction", "StopTransaction", "TransactionEvent"})


class StationLink:
    """Connection, RPC and boot/heartbeat state shared by every simulated station."""

    protocol: ClassVar[str] = ""
    subprotocol: ClassVar[str] = ""

    def __init__(self, url: str, cfg: StationConfig, *, clock: SimClock | None = None) -> None:
        self.url = url
        self.cfg = cfg
        self.clock = clock or SimClock(cfg.speed)
        self.log = station_log(f"simulators.{self.protocol or 'station'}", cfg.station_id)
        self.rng = random.Random(cfg.seed)
        self.received: list[tuple[str, dict[str, Any]]] = []
        self.schema_errors: list[str] = []
        self.boot_status: str | None = None
        self.boots = 0
        self.heartbeat_interval = 300.0
        self.boot_retry_s = 10.0
        self.auto_reconnect = cfg.auto_reconnect
        self._peer: RpcPeer | None = None
        self._online = asyncio.Event()
        self._closing = False
        self._rebooting = False
        self._establish_lock = asyncio.Lock()
        self._generation = 0  # bumped by restart() so older reconnect loops give up
        self._tasks: set[asyncio.Task[Any]] = set()
        self._heartbeat: asyncio.Task[None] | None = None
        self.handlers: dict[str, Handler] = {}
        self.quirks = Quirks(frozenset(cfg.quirks), cfg.station_id, cfg.quirk_timezone)

    # --------------------------------------------------------- version hooks
    def _boot_payload(self, reason: str) -> dict[str, Any]:
        raise NotImplementedError

    def _on_heartbeat_interval(self, interval: float) -> None:
        """Reflect a new heartbeat interval into the version's configuration store."""

    async def announce(self) -> None:
        """Send the connector statuses (after boot or reconnect)."""

    # ------------------------------------------------------------ connection
    @property
    def station_id(self) -> str:
        return self.cfg.station_id

    @property
    def connected(self) -> bool:
        return self._peer is not None and not self._peer.closed.is_set()

    @property
    def online(self) -> bool:
        """Connected and (when booting) accepted: messages may go out now."""
        return self._online.is_set()

    async def reconnect(self) -> None:
        """Connect again after a drop: boot only if never accepted, then replay what was
        queued offline and announce the connector statuses."""
        self._closing = False
        await self._establish(boot=False)

    async def connect(self) -> None:
        """Open the websocket; CALLs may be sent right away (programmatic use)."""
        self._closing = False
        await self._attach(online=True)

    async def _attach(self, *, online: bool) -> None:
        ws = await open_socket(self.url, self.station_id, self.subprotocol,
                               password=self.cfg.password)
        if "no-pong" in self.quirks:
            mute_pongs(ws)
        peer = RpcPeer(ws, version=self.protocol, handlers=self.handlers, log=self.log,
                       spawn=self.spawn, validate=self.cfg.validate,
                       on_call=self._record_call, on_schema_error=self.schema_errors.append,
                       outgoing=self.quirks.outgoing)
        self._peer = peer
        self.log.info("connected to %s", self.url)
        self.spawn(self._read(peer))
        if online:
            self._online.set()

    def _record_call(self, action: str, payload: dict[str, Any]) -> None:
        self.received.append((action, payload))

    async def _read(self, peer: RpcPeer) -> None:
        await peer.run()
        if peer is not self._peer:
            return
        self._online.clear()
        if not (self._closing or self._rebooting):
            self.log.warning("connection lost")
            if self.auto_reconnect:
                self.spawn(self._establish(boot=False))

    async def _establish(self, *, boot: bool, fatal: bool = False,
                         reason: str = "PowerUp") -> None:
        """(Re)connect with backoff, boot until Accepted if asked, announce statuses."""
        generation = self._generation
        async with self._establish_lock:
            if not boot and self.connected and self._online.is_set():
                return  # another task already re-established the link
            delay = 1.0
            while not self._closing:
                try:
                    await self._attach(online=False)
                    if boot or self.boot_status != "Accepted":
                        await self._boot_until_accepted(reason)
                    self._online.set()
                    await self.announce()
                    return
                except StationConnectError as exc:
                    if fatal and self.boots == 0:
                        raise
                    self.log.warning("connect failed: %s; retry in %.1fs", exc, delay)
                except ConnectionError as exc:
                    if not self._closing:
                        self.log.warning("connection lost: %s; retry in %.1fs", exc, delay)
                except (TimeoutError, CallErrorReply) as exc:
                    self.log.warning("boot failed: %s; retry in %.1fs", exc, delay)
                if self._closing or generation != self._generation:
                    return  # closing, or a reboot took over the link
                if self._peer is not None:
                    await self._peer.close()
                await asyncio.sleep(delay * (0.8 + 0.4 * self.rng.random()))
                delay = min(delay * 2, 30.0)

    async def _boot_until_accepted(self, reason: str) -> None:
        while await self.boot(reason) != "Accepted":
            await self.clock.sleep(self.boot_retry_s)

    async def restart(self, boot_reason: str = "RemoteReset") -> None:
        """Drop the socket, reconnect and boot again (the link part of a reboot)."""
        self._rebooting = True
        self._generation += 1
        try:
            self._online.clear()
            self._stop_heartbeat()
            if self._peer is not None:
                await self._peer.close()
            self.log.info("rebooting")
            await self._establish(boot=True, reason=boot_reason)
        finally:
            self._rebooting = False

    def drop_connection(self) -> None:
        """Abort the TCP connection without a close handshake (network loss)."""
        if self._peer is not None:
            self._peer.abort()

    async def wait_online(self, timeout: float | None = None) -> None:
        """Wait until connected (and booted, when run() or a reboot manages the link)."""
        await asyncio.wait_for(self._online.wait(), timeout)

    async def wait_offline(self, timeout: float | None = None) -> None:
        """Wait until the current connection has closed."""
        if self._peer is not None:
            await asyncio.wait_for(self._peer.closed.wait(), timeout)

    # ------------------------------------------------------------------ calls
    async def call(self, action: str, payload: dict[str, Any], *,
                   timeout: float | None = None) -> dict[str, Any]:
        """Send a raw CALL; returns the response payload or raises CallErrorReply."""
        return await self._call(action, payload, timeout=timeout, wait_online=True)

    async def _call(self, action: str, payload: dict[str, Any], *,
                    timeout: float | None,
                    wait_online: bool) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (timeout or self.cfg.call_timeout_s)
        while True:
            may_wait = self.auto_reconnect or self._rebooting
            if wait_online and not self._online.is_set() and may_wait:
                try:
                    await asyncio.wait_for(self._online.wait(), deadline - loop.time())
                except TimeoutError:
                    raise PeerClosed(f"offline, could not send {action}") from None
            peer = self._peer
            if peer is None or (wait_online and not self._online.is_set()):
                raise PeerClosed(f"not connected, cannot send {action}")
            try:
                return await peer.call(action, payload, max(0.1, deadline - loop.time()))
            except PeerClosed:
                if not (may_wait and action in _RETRIED and loop.time() < deadline):
                    raise

    async def send_raw(self, text: str) -> None:
        """Send an arbitrary text frame (malformed-frame tests)."""
        if self._peer is None:
            raise PeerClosed("not connected")
        await self._peer.send_raw(text)

    async def next_raw_reply(self, timeout: float = 5.0) -> str:
        """The next received non-CALL frame that did not answer one of our CALLs."""
        if self._peer is None:
            raise PeerClosed("not connected")
        return await self._peer.next_raw_reply(timeout)

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run ``coro`` in the background, owned (and cancelled on close) by the station."""
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled() or (exc := task.exception()) is None:
            return
        if isinstance(exc, SOFT_ERRORS):
            self.log.warning("background task failed: %s", exc)
        else:
            self.log.error("background task failed: %r", exc, exc_info=exc)

    # ------------------------------------------------------- boot, heartbeat
    async def boot(self, reason: str = "PowerUp") -> str:
        """Send BootNotification; on Accepted start heartbeats at the returned interval."""
        resp = await self._call("BootNotification", self._boot_payload(reason), timeout=None,
                                wait_online=False)
        status, interval = str(resp["status"]), float(resp["interval"])
        self.boot_status = status
        self.boots += 1
        self.boot_retry_s = interval if interval > 0 else 10.0
        self.log.info("boot %s interval=%g", status, interval)
        if status == "Accepted":
            if interval > 0:
                self.set_heartbeat_interval(interval)
            elif self.cfg.auto_heartbeat:
                self._start_heartbeat()
        return status

    async def heartbeat(self) -> str:
        """Send one Heartbeat; returns the CSMS currentTime."""
        resp = await self.call("Heartbeat", {})
        return str(resp.get("currentTime", ""))

    def set_heartbeat_interval(self, interval: float) -> None:
        """Apply a new heartbeat interval (boot reply or configuration change)."""
        self.heartbeat_interval = interval
        self._on_heartbeat_interval(interval)
        if self.cfg.auto_heartbeat and self.boot_status == "Accepted":
            self._start_heartbeat()

    def _start_heartbeat(self) -> None:
        self._stop_heartbeat()
        if self.heartbeat_interval > 0:
            self._heartbeat = self.spawn(self._heartbeat_loop())

    def _stop_heartbeat(self) -> None:
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            self._heartbeat = None

    async def _heartbeat_loop(self) -> None:
        while True:
            await self.clock.sleep(self.heartbeat_interval)
            if self._online.is_set():
                try:
                    await self.heartbeat()
                except SOFT_ERRORS as exc:
                    self.log.warning("heartbeat failed: %s", exc)

    async def close(self) -> None:
        """Close the socket and cancel every background task."""
        self._closing = True
        self.auto_reconnect = False
        self._online.clear()
        self._stop_heartbeat()
        current = asyncio.current_task()
        tasks = [t for t in self._tasks if t is not current]
        if self._peer is not None:
            await self._peer.close()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
