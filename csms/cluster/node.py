"""One node of the cluster: its Redis connection, its subscriptions and its owned loops.

`start()` connects, subscribes and loads the station map before the node accepts stations;
`run()` is the one task the server supervises (reader, outbox, heartbeat and lease renewal,
and the requests it serves); `close()` hands this node's stations and leases back at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.exceptions import RedisError

from csms.cluster.broadcast import ClusterInvalidations, EventRelay
from csms.cluster.lease import SiteLeases
from csms.cluster.messages import (
    BadMessage,
    EventNote,
    Eviction,
    InvalidationNote,
    PresenceChange,
    Reply,
    Request,
    decode,
)
from csms.cluster.presence import StationMap
from csms.cluster.requests import ClusterGateway
from csms.cluster.wiring import Keys, LocalStations, Outbox
from csms.services.eventbus import EventBus

log = logging.getLogger(__name__)


def default_node_id() -> str:
    """Unique per process, and readable in logs: host, pid and a few random characters."""
    host = "".join(c if c.isalnum() or c in "-_." else "-" for c in socket.gethostname())
    return f"{host[:40]}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


class ClusterNode:
    def __init__(self, redis_url: str, prefix: str, node_id: str | None, ttl_s: float,
                 local: LocalStations, bus: EventBus, call_timeout: float) -> None:
        try:
            self.redis: Redis = Redis.from_url(redis_url)
        except ValueError as e:
            raise ValueError(f"CSMS_REDIS_URL is not a Redis URL: {e}") from e
        self.node_id = node_id or default_node_id()
        self.keys = keys = Keys(prefix, self.node_id)
        self._url = redis_url
        self._ttl_s = ttl_s
        self._outbox = Outbox(self.redis)
        self.presence = StationMap(self.redis, keys, self._outbox, local, ttl_s)
        self.gateway = ClusterGateway(self.redis, keys, local, self.presence, call_timeout)
        self.events = EventRelay(keys, self._outbox, bus, EventBus())
        self.invalidations = ClusterInvalidations(keys, self._outbox)
        self.leases = SiteLeases(self.redis, keys, ttl_s)
        self._pubsub: PubSub | None = None
        self._tasks: asyncio.TaskGroup | None = None

    async def start(self) -> None:
        try:
            await self._join()
        except BaseException as e:
            if self._pubsub is not None:
                await self._pubsub.aclose()
            await self.redis.aclose()
            if isinstance(e, RedisError):
                raise RuntimeError(f"cannot join the cluster at {_redact(self._url)}: {e}") from e
            raise

    async def _join(self) -> None:
        await self.redis.ping()  # type: ignore[misc]
        self._pubsub = self.redis.pubsub()
        channels = [self.keys.inbox(self.node_id), self.keys.presence, self.keys.events,
                    self.keys.invalidations]
        await self._pubsub.subscribe(*channels)
        confirmed = 0
        while confirmed < len(channels):  # subscribed for sure before this node says anything
            message = await self._pubsub.get_message(timeout=5.0)
            if message is None:
                raise RuntimeError("Redis did not confirm the cluster subscriptions")
            confirmed += message["type"] == "subscribe"
        await self.presence.beat()
        await self.presence.load()
        log.info("cluster node %s joined (%d nodes alive)", self.node_id,
                 len(self.presence.live))

    async def run(self) -> None:
        async with asyncio.TaskGroup() as tg:
            self._tasks = tg
            tg.create_task(self._read(), name="cluster-reader")
            tg.create_task(self._outbox.run(), name="cluster-outbox")
            tg.create_task(self._beat(), name="cluster-heartbeat")

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(self._ttl_s / 3)
            try:
                await self.presence.beat()
                await self.leases.renew()
            except Exception:  # Redis away or a bad entry: the next beat tries again
                log.exception("cluster heartbeat failed; will retry")

    async def _read(self) -> None:
        assert self._pubsub is not None
        while True:
            try:
                message = await self._pubsub.get_message(ignore_subscribe_messages=True,
                                                         timeout=None)
            except Exception:  # Redis away: redis-py re-subscribes on the next read
                log.exception("lost the cluster subscriptions; reconnecting")
                await asyncio.sleep(1.0)
                await self._resync()
                continue
            if message is not None and message["type"] == "message":
                self._dispatch(message["data"])

    async def _resync(self) -> None:
        """What was said while the subscription was down is lost: re-read the station map."""
        with contextlib.suppress(RedisError):
            await self.presence.load()

    def _dispatch(self, data: Any) -> None:
        try:
            message = decode(data)
        except BadMessage:
            log.warning("dropped an undecodable cluster message")
            return
        assert self._tasks is not None
        if isinstance(message, Request):
            self._tasks.create_task(self.gateway.serve(message))
        elif isinstance(message, Reply):
            self.gateway.answered(message)
        elif isinstance(message, Eviction):
            self._tasks.create_task(self._evict(message))
        elif isinstance(message, PresenceChange):
            if message.sender != self.node_id:
                self.presence.changed(message)
        elif isinstance(message, EventNote):
            self.events.received(message)
        elif isinstance(message, InvalidationNote):
            self.invalidations.received(message)

    async def _evict(self, eviction: Eviction) -> None:
        try:
            await self.presence.evict(eviction)
        except Exception:  # the old socket stays; the station's next message finds it
            log.exception("could not close a replaced connection",
                          extra={"station_id": eviction.station_id})

    async def close(self) -> None:
        """After the OCPP server stopped and `run` was cancelled: leave the cluster."""
        self.gateway.close()
        await self.leases.release()
        try:
            await self.presence.sweep(self.node_id)
        except RedisError:
            log.warning("this node's stations are left to expire with its heartbeat")
        if self._pubsub is not None:
            with contextlib.suppress(RedisError):
                await self._pubsub.aclose()
        await self.redis.aclose()


def _redact(url: str) -> str:
    head, sep, tail = url.partition("@")
    return f"{head.split('//', 1)[0]}//***@{tail}" if sep else url
