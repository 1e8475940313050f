"""Commands for stations held by other nodes: a request to that node's inbox, a reply back.

The gateway keeps the StationGateway interface the services use: a station held here is
served by the local registry as before; one held elsewhere gets a `Request` over Redis, and
the holding node answers with the station's result or the error it raised, which the gateway
raises again here. The API's 409/502/504 answers are thus the same on every node.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any, TypeVar, cast

from redis.asyncio import Redis

from csms.cluster.messages import Reply, Request, encode, error_of, raise_error
from csms.cluster.presence import StationMap
from csms.cluster.wiring import Keys, LocalStations
from csms.domain.commands import COMMAND_TYPES, Command, Result, from_data, to_data
from csms.domain.errors import StationOffline, StationTimeout

log = logging.getLogger(__name__)
R = TypeVar("R", bound=Result)

# Beyond the station's own call timeout, how long a silent node is given before 504; a
# command may make a few calls, and the answer crosses Redis twice.
GRACE_FACTOR = 2.0
GRACE_S = 5.0


class ClusterGateway:
    """StationGateway for every station of the cluster."""

    def __init__(self, redis: Redis, keys: Keys, local: LocalStations, presence: StationMap,
                 call_timeout: float) -> None:
        self._redis = redis
        self._keys = keys
        self._local = local
        self._presence = presence
        self._call_timeout = call_timeout
        self._pending: dict[str, asyncio.Future[Reply]] = {}

    def is_connected(self, station_id: str) -> bool:
        return self._local.is_connected(station_id) or self._presence.held_elsewhere(station_id)

    def protocol_of(self, station_id: str) -> str | None:
        if self._local.is_connected(station_id):
            return self._local.protocol_of(station_id)
        holder = self._presence.holder(station_id)
        return holder[1] if holder else None

    async def disconnect(self, station_id: str, reason: str) -> None:
        if self._local.is_connected(station_id):
            await self._local.disconnect(station_id, reason)
            return
        node = await self._node_of(station_id)
        if node is not None:
            await self._request(node, Request("", "", "disconnect", station_id, reason))

    async def call(self, station_id: str, action: str, payload: dict[str, Any],
                   timeout: float | None = None) -> dict[str, Any]:
        if self._local.is_connected(station_id):
            return await self._local.call(station_id, action, payload, timeout)
        node = await self._holder(station_id)
        return await self._request(node, Request("", "", "call", station_id, action, payload,
                                                 timeout))

    async def send(self, station_id: str, command: Command[R],
                   timeout: float | None = None) -> R:
        if self._local.is_connected(station_id):
            return await self._local.send(station_id, command, timeout)
        node = await self._holder(station_id)
        data = await self._request(node, Request("", "", "send", station_id, command.name,
                                                 to_data(command), timeout))
        return cast(R, from_data(type(command).result, data))

    async def _node_of(self, station_id: str) -> str | None:
        holder = self._presence.holder(station_id) or await self._presence.lookup(station_id)
        return holder[0] if holder else None

    async def _holder(self, station_id: str) -> str:
        node = await self._node_of(station_id)
        if node is None:
            raise StationOffline(f"station {station_id!r} is not connected")
        return node

    async def _request(self, node: str, draft: Request) -> dict[str, Any]:
        request = Request(uuid.uuid4().hex, self._keys.node_id, draft.op, draft.station_id,
                          draft.name, draft.payload, draft.timeout)
        fut: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
        self._pending[request.id] = fut
        wait = (request.timeout or self._call_timeout) * GRACE_FACTOR + GRACE_S
        try:
            receivers = await self._redis.publish(self._keys.inbox(node), encode(request))
            if not receivers:  # the node is gone; its stations will reconnect elsewhere
                raise StationOffline(f"station {request.station_id!r} is not connected")
            async with asyncio.timeout(wait):
                reply = await fut
        except TimeoutError as e:
            raise StationTimeout(f"no answer from node {node} for {request.station_id!r} "
                                 "in time") from e
        finally:
            self._pending.pop(request.id, None)
        if reply.error is not None:
            raise_error(reply.error)
        return reply.result or {}

    # --- the holding node's side -----------------------------------------------------------
    def answered(self, reply: Reply) -> None:
        fut = self._pending.get(reply.id)
        if fut is not None and not fut.done():
            fut.set_result(reply)

    async def serve(self, request: Request) -> None:
        """Run a request for a station held here and send the outcome back (never raises)."""
        result: dict[str, Any] | None = None
        error: dict[str, Any] | None = None
        try:
            if not self._local.is_connected(request.station_id):
                raise StationOffline(f"station {request.station_id!r} is not connected")
            if request.op == "call":
                result = await self._local.call(request.station_id, request.name,
                                                request.payload, request.timeout)
            elif request.op == "send":
                result = to_data(await self._local.send(
                    request.station_id, from_data(COMMAND_TYPES[request.name], request.payload),
                    request.timeout))
            elif request.op == "disconnect":
                await self._local.disconnect(request.station_id, request.name)
                result = {}
            else:
                raise ValueError(f"unknown request {request.op!r}")
        except asyncio.CancelledError:
            raise
        except Exception as e:
            error = error_of(e)
            if error["type"] == "internal":
                log.exception("%s %s failed", request.op, request.name,
                              extra={"station_id": request.station_id})
        try:
            await self._redis.publish(self._keys.inbox(request.sender), encode(
                Reply(request.id, self._keys.node_id, result, error)))
        except Exception:  # the asking node times out and says so
            log.exception("reply to node %s not sent", request.sender)

    def close(self) -> None:
        for fut in self._pending.values():
            if not fut.done():
                fut.set_exception(StationOffline("this node is stopping"))
        self._pending.clear()
