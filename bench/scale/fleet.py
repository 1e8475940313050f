"""Many stations in one generator process: their sockets, calls, boots and what they measured.

A station has at most one CALL in flight, as OCPP requires. Calls that fall due while one is in
flight wait in the station's backlog and go out as soon as the reply arrives; their latency is
measured from the moment they were *due*, not sent, so a slow server cannot hide its queueing
behind a generator that politely waits (no coordinated omission).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from bench.load.frames import SUBPROTOCOL, StationModel
from bench.scale.wire import HandshakeRefused, Link, dumps, loads, open_link

CALL, RESULT, ERROR = 2, 3, 4


@dataclass
class Window:
    """What the calls due inside [start, end) gave."""

    start: float
    end: float
    latencies_ms: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    by_action: dict[str, int] = field(default_factory=dict)
    timeouts: int = 0
    closed: int = 0
    unsent: int = 0  # due but never sent: the station was offline, or still waiting at the end

    def covers(self, due: float) -> bool:
        return self.start <= due < self.end


@dataclass
class Counters:
    """Connection and boot events, for the whole life of the process."""

    connected: int = 0
    connect_refused: int = 0  # TCP connection refused (nobody listening)
    handshake_refused: dict[str, int] = field(default_factory=dict)  # HTTP status -> count
    handshake_timeouts: int = 0
    connect_errors: int = 0  # anything else: reset, closed during the handshake...
    boot_pending: int = 0
    boot_rejected: int = 0
    boot_errors: int = 0  # CALLERROR or timeout on BootNotification
    server_calls: int = 0
    lost: int = 0


class BootFailed(Exception):
    pass


class Station:
    __slots__ = ("backlog", "booted_at", "due", "fleet", "id", "index", "interval", "link",
                 "model", "pending", "pending_action", "sent_at", "source", "uid", "url",
                 "waiter")

    def __init__(self, fleet: Fleet, index: int) -> None:
        cfg = fleet.cfg
        self.fleet, self.index = fleet, index
        self.id = f"{cfg['prefix']}{index:05d}"
        self.url = cfg["urls"][index % len(cfg["urls"])].rstrip("/") + "/" + self.id
        sources = max(1, int(cfg.get("sources", 1)))
        self.source = f"127.0.0.{1 + index % sources}" if sources > 1 else None
        self.model = StationModel(self.id, cfg["version"], cfg["tags"],
                                  seed=cfg.get("seed", 1) * 100_003 + index)
        self.link: Link | None = None
        self.uid = 0
        self.pending: str | None = None  # message id of the CALL in flight
        self.pending_action = ""
        self.due = self.sent_at = 0.0
        self.backlog: deque[tuple[float, str]] = deque()
        self.waiter: asyncio.Future[tuple[int, Any]] | None = None
        self.interval = 60.0  # heartbeat interval from the boot reply
        self.booted_at = 0.0

    @property
    def online(self) -> bool:
        return self.link is not None and self.link.alive

    # wire callbacks ---------------------------------------------------------------------

    def on_text(self, data: bytes) -> None:
        msg = loads(data)
        if msg[0] == CALL:
            self.fleet.counters.server_calls += 1
            if self.link is not None:
                self.link.send(dumps([RESULT, msg[1], {"status": "Accepted"}]))
            return
        if msg[1] != self.pending:
            return  # a late reply to a call that timed out
        self.pending = None
        if self.waiter is not None:
            waiter, self.waiter = self.waiter, None
            if not waiter.done():
                waiter.set_result((msg[0], msg[2]))
            return
        self.fleet.on_reply(self, msg[0], msg[2] if msg[0] == RESULT else str(msg[2]))

    def on_lost(self) -> None:
        self.fleet.counters.lost += 1
        self.pending = None
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ConnectionError("connection lost"))
        self.waiter = None
        self.fleet.on_lost(self)

    # calls ------------------------------------------------------------------------------

    def send(self, action: str, payload: Any, due: float) -> None:
        assert self.link is not None
        self.uid += 1
        self.pending = uid = str(self.uid)
        self.pending_action, self.due, self.sent_at = action, due, time.perf_counter()
        self.link.send(dumps([CALL, uid, action, payload]))

    async def call(self, action: str, payload: Any, timeout: float) -> tuple[int, Any]:
        """Send one CALL outside the timed load and wait for (RESULT|ERROR, payload)."""
        waiter = asyncio.get_running_loop().create_future()
        self.waiter = waiter
        self.send(action, payload, time.perf_counter())
        try:
            async with asyncio.timeout(timeout):
                return await waiter
        finally:
            if self.waiter is waiter:
                self.waiter, self.pending = None, None

    async def connect(self, timeout: float) -> None:
        c = self.fleet.counters
        try:
            self.link = await open_link(self.url, SUBPROTOCOL[self.model.version],
                                        self.on_text, self.on_lost, self.source, timeout)
        except ConnectionRefusedError:
            c.connect_refused += 1
            raise
        except HandshakeRefused as e:
            c.handshake_refused[str(e.status)] = c.handshake_refused.get(str(e.status), 0) + 1
            raise
        except TimeoutError:
            c.handshake_timeouts += 1
            raise
        except Exception:  # reset, closed mid-handshake, a malformed HTTP answer...
            c.connect_errors += 1
            raise
        c.connected += 1

    async def boot(self, timeout: float) -> None:
        """BootNotification until Accepted, honouring the interval of Pending and Rejected."""
        c = self.fleet.counters
        while True:
            try:
                kind, body = await self.call(*self.model.boot(), timeout)
            except TimeoutError:
                c.boot_errors += 1
                raise
            if kind == ERROR:
                c.boot_errors += 1
                raise BootFailed(f"BootNotification: CALLERROR {body}")
            status = body.get("status")
            interval = float(body.get("interval") or 0)
            if status == "Accepted":
                self.interval = interval or 60.0
                self.booted_at = time.monotonic()
                return
            if status == "Pending":
                c.boot_pending += 1
            else:
                c.boot_rejected += 1
            # A charger waits the interval it was given; a server giving none gets 10 s.
            await asyncio.sleep(interval if interval > 0 else 10.0)

    async def setup(self, timeout: float) -> None:
        await self.connect(timeout)
        await self.boot(timeout)
        kind, body = await self.call(*self.model.opening()[1], timeout)
        if kind == ERROR:
            raise BootFailed(f"StatusNotification: CALLERROR {body}")


class Fleet:
    """All stations of this process and the window currently measured."""

    def __init__(self, cfg: dict[str, Any]) -> None:
        self.cfg = cfg
        self.call_timeout = float(cfg.get("call_timeout", 10.0))
        self.stations = [Station(self, i) for i in range(cfg["first"],
                                                         cfg["first"] + cfg["count"])]
        self.counters = Counters()
        self.window: Window | None = None
        self.follow_ups = False  # send what a reply makes due (status after a start) at once
        self.reconnect = False  # stations reconnect and boot again when their socket drops
        self.reconnects: set[asyncio.Task[None]] = set()
        self.returning: set[int] = set()  # stations inside come_back
        self.rng = random.Random(cfg.get("seed", 1))

    # the timed load ---------------------------------------------------------------------

    def fire(self, st: Station, due: float, kind: str) -> None:
        """A call of `kind` falls due now at `st`."""
        if not st.online:
            if self.window is not None and self.window.covers(due):
                self.window.unsent += 1
            return
        if st.pending is not None or st.backlog:
            st.backlog.append((due, kind))
            return
        self._send(st, due, kind)

    def _send(self, st: Station, due: float, kind: str) -> None:
        call = st.model.call(kind)
        if call is not None:
            st.send(call[0], call[1], due)

    def on_reply(self, st: Station, kind: int, body: Any) -> None:
        w = self.window
        if w is not None and w.covers(st.due):
            w.latencies_ms.append((time.perf_counter() - st.due) * 1000.0)
            w.by_action[st.pending_action] = w.by_action.get(st.pending_action, 0) + 1
            if kind == ERROR:
                w.errors[body] = w.errors.get(body, 0) + 1
        if kind == RESULT:
            st.model.on_result(st.pending_action, body)
            if self.follow_ups and st.model.queue:
                st.backlog.append((time.perf_counter(), "next"))
        self._next(st)

    def _next(self, st: Station) -> None:
        while st.backlog and st.pending is None and st.online:
            due, kind = st.backlog.popleft()
            self._send(st, due, kind)

    def expire(self) -> None:
        """Count calls without a reply after the call timeout; the station moves on."""
        limit = time.perf_counter() - self.call_timeout
        w = self.window
        for st in self.stations:
            if st.pending is not None and st.waiter is None and st.sent_at < limit:
                if w is not None and w.covers(st.due):
                    w.timeouts += 1
                st.pending = None
                self._next(st)

    def in_flight(self) -> int:
        return sum(1 for st in self.stations if st.pending is not None and st.waiter is None)

    def drop_backlogs(self) -> None:
        w = self.window
        for st in self.stations:
            if w is not None:
                w.unsent += sum(1 for due, _ in st.backlog if w.covers(due))
            st.backlog.clear()

    def on_lost(self, st: Station) -> None:
        if self.window is not None and self.window.start <= time.perf_counter() < self.window.end:
            self.window.closed += 1
        st.backlog.clear()
        if self.reconnect and st.index not in self.returning:
            self.returning.add(st.index)
            task = asyncio.get_running_loop().create_task(self.come_back(st))
            self.reconnects.add(task)
            task.add_done_callback(self.reconnects.discard)

    async def come_back(self, st: Station) -> None:
        """Reconnect and boot again like a charger: retry every 1-3 s until Accepted."""
        st.booted_at = 0.0
        try:
            while self.reconnect:
                try:
                    await st.connect(float(self.cfg.get("setup_timeout", 30.0)))
                    await st.boot(self.call_timeout)
                    return
                except Exception:  # counted where it happened; a charger just retries
                    if st.link is not None:
                        st.link.abort()
                        st.link = None
                    await asyncio.sleep(self.rng.uniform(1.0, 3.0))
        finally:
            self.returning.discard(st.index)

    async def connect(self, upto: int, concurrency: int, timeout: float) -> tuple[int, int]:
        """Set up the stations below index `upto` that are not online; (ok, failed)."""
        gate = asyncio.Semaphore(concurrency)
        todo = [st for st in self.stations[:upto] if not st.online]

        async def one(st: Station) -> bool:
            async with gate:
                try:
                    await st.setup(timeout)
                    return True
                except Exception:  # counted in Station.connect / boot
                    if st.link is not None:
                        st.link.abort()
                    return False

        done = await asyncio.gather(*(one(st) for st in todo))
        return sum(done), len(done) - sum(done)
