"""Names in Redis, the outgoing queue, and what the cluster needs from this node's registry."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.exceptions import RedisError

from csms.services.ports import StationGateway

log = logging.getLogger(__name__)

BATCH = 256  # Redis commands sent per round trip by the outbox


@dataclass(frozen=True, slots=True)
class Keys:
    """Every key and channel starts with the prefix: clusters (and tests) sharing one Redis
    stay apart; pub/sub channels ignore the database number, so the prefix is the only fence."""

    prefix: str
    node_id: str

    @property
    def nodes(self) -> str:  # sorted set: node id -> expiry (ms, Redis clock)
        return f"{self.prefix}:nodes"

    @property
    def stations(self) -> str:  # hash: station id -> {"node", "conn", "protocol"}
        return f"{self.prefix}:stations"

    def lease(self, site_id: str) -> str:
        return f"{self.prefix}:lease:{site_id}"

    def inbox(self, node_id: str) -> str:  # requests, replies and evictions for one node
        return f"{self.prefix}:node:{node_id}"

    @property
    def presence(self) -> str:
        return f"{self.prefix}:presence"

    @property
    def events(self) -> str:
        return f"{self.prefix}:events"

    @property
    def invalidations(self) -> str:
        return f"{self.prefix}:invalidations"


class LocalStations(StationGateway, Protocol):
    """The stations whose sockets this node holds (csms.ocpp.registry.Registry)."""

    async def evict(self, station_id: str, reason: str) -> None:
        """Close the station's socket here: a newer connection is held by another node."""
        ...


Op = Callable[[Pipeline], Any]  # stages commands on the pipeline (staging does no I/O)


class Outbox:
    """Fire-and-forget writes (broadcasts, releases) leave in order, batched into pipelines,
    from one owned task, so publishers never wait for Redis and never block a station."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._queue: asyncio.Queue[Op] = asyncio.Queue()

    def put(self, op: Op) -> None:
        self._queue.put_nowait(op)

    def publish(self, channel: str, data: bytes) -> None:
        self.put(lambda pipe: pipe.publish(channel, data))

    async def run(self) -> None:
        while True:
            ops = [await self._queue.get()]
            while len(ops) < BATCH and not self._queue.empty():
                ops.append(self._queue.get_nowait())
            try:
                async with self._redis.pipeline(transaction=False) as pipe:
                    for op in ops:
                        op(pipe)
                    await pipe.execute(raise_on_error=False)
            except RedisError:  # broadcasts are best effort; presence heals at the heartbeat
                log.exception("%d cluster messages not sent", len(ops))
