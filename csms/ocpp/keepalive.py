"""Dead sockets found by one sweeping task, not one keepalive task per connection.

websockets can ping each connection from a task of its own; with tens of thousands of
stations those tasks are a fair share of a station's memory. Here one task pings every
connected station once per interval, spread evenly over it, and drops a connection whose pong
has not come back within the timeout (a half-open TCP connection would otherwise hold the
station's slot, and the station, reconnecting elsewhere, would be refused as a duplicate).
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from websockets.exceptions import ConnectionClosed

from csms.ocpp.session import Session

log = logging.getLogger(__name__)

TICK_S = 0.5


class Keepalive:
    def __init__(self, sessions: Callable[[], list[Session]], interval_s: float,
                 timeout_s: float) -> None:
        self._sessions = sessions
        self._interval = interval_s
        self._timeout = timeout_s
        # (deadline, session, pong waiter), in deadline order: pings are sent in time order.
        self._waiting: deque[tuple[float, Session, Awaitable[float]]] = deque()

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            sessions = self._sessions()
            started = loop.time()
            # Ping a share of the stations each tick, so a round takes one interval.
            ticks = max(1, int(self._interval / TICK_S))
            share = max(1, -(-len(sessions) // ticks))
            for first in range(0, max(len(sessions), 1), share):
                for session in sessions[first:first + share]:
                    await self._ping(session, loop.time())
                self._expire(loop.time())
                await asyncio.sleep(TICK_S)
            await asyncio.sleep(max(0.0, self._interval - (loop.time() - started)))

    async def _ping(self, session: Session, now: float) -> None:
        if session.closed or not session.pinged:
            return
        try:
            waiter = await session.ws.ping()
        except ConnectionClosed:
            return
        except Exception as e:  # a ping still unanswered from the last round, for one
            log.debug("no ping sent: %r", e, extra={"station_id": session.station_id})
            return
        self._waiting.append((now + self._timeout, session, waiter))

    def _expire(self, now: float) -> None:
        while self._waiting and self._waiting[0][0] <= now:
            _, session, waiter = self._waiting.popleft()
            if _answered(waiter) or session.closed or not session.pinged:
                continue  # (pings turned off since: the station may never answer)
            log.warning("no pong within %.0f s: connection dropped", self._timeout,
                        extra={"station_id": session.station_id})
            transport: Any = session.ws.transport
            transport.abort()


def _answered(waiter: Awaitable[float]) -> bool:
    fut = asyncio.ensure_future(waiter)
    if not fut.done():
        return False
    if not fut.cancelled():
        fut.exception()  # a closed connection's ping: retrieved, never logged
    return True
