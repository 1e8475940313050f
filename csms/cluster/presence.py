"""Which node holds which station's socket: a Redis hash, mirrored in every node's memory.

Each entry names the node and a connection id. A node is alive while its heartbeat in the
`nodes` sorted set has not expired; entries of a dead node count for nothing and are swept by
the first live node that notices. The newest connection wins: the node that accepts a socket
overwrites the entry and tells the previous holder to close connection `conn` (only that one,
so a late message never closes a connection newer than itself).
"""

from __future__ import annotations

import json
import logging
import uuid

from redis.asyncio import Redis
from redis.exceptions import RedisError

from csms.cluster.messages import Eviction, PresenceChange, encode
from csms.cluster.wiring import Keys, LocalStations, Outbox

log = logging.getLogger(__name__)

_CLAIM = """
local old = redis.call('HGET', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return old
"""
# Delete the entry only if it is still the one this connection wrote.
_RELEASE = """
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
  return redis.call('HDEL', KEYS[1], ARGV[1])
end
return 0
"""
# Times come from Redis's clock, so the nodes' clocks need not agree.
_HEARTBEAT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local before = redis.call('ZSCORE', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
local live = redis.call('ZRANGEBYSCORE', KEYS[1], now, '+inf')
local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. now)
local lapsed = 0
if (not before) or tonumber(before) < now then lapsed = 1 end
return {live, dead, lapsed}
"""


def _entry(node: str, conn: str, protocol: str) -> str:
    return json.dumps({"node": node, "conn": conn, "protocol": protocol})


def _parse(raw: bytes | str | None) -> tuple[str, str, str] | None:
    if raw is None:
        return None
    try:
        e = json.loads(raw)
        return str(e["node"]), str(e["conn"]), str(e["protocol"])
    except (ValueError, KeyError, TypeError):
        return None


class StationMap:
    """Implements StationPresence for the OCPP registry; the gateway asks it where to go."""

    def __init__(self, redis: Redis, keys: Keys, outbox: Outbox, local: LocalStations,
                 ttl_s: float) -> None:
        self._redis = redis
        self._keys = keys
        self._me = keys.node_id
        self._outbox = outbox
        self._stations = local
        self._ttl_ms = int(ttl_s * 1000)
        self._claim = redis.register_script(_CLAIM)
        self._heartbeat = redis.register_script(_HEARTBEAT)
        self._local: dict[str, tuple[str, str]] = {}  # station -> (conn id, protocol) held here
        self._remote: dict[str, tuple[str, str]] = {}  # station -> (node, protocol) elsewhere
        self.live: set[str] = {self._me}
        self._beaten = False

    # --- StationPresence -------------------------------------------------------------------
    async def claimed(self, station_id: str, protocol: str) -> None:
        conn = uuid.uuid4().hex
        self._local[station_id] = (conn, protocol)
        self._remote.pop(station_id, None)
        try:
            old = _parse(await self._claim(keys=[self._keys.stations],
                                           args=[station_id, _entry(self._me, conn, protocol)]))
            await self._redis.publish(self._keys.presence,
                                      encode(PresenceChange(self._me, station_id, protocol)))
            if old is not None and old[0] != self._me:
                await self._redis.publish(self._keys.inbox(old[0]), encode(
                    Eviction(self._me, station_id, old[1], protocol)))
        except RedisError:  # the station is served here; the heartbeat shares it later
            log.exception("could not tell the cluster about the connection",
                          extra={"station_id": station_id})

    def released(self, station_id: str) -> None:
        held = self._local.pop(station_id, None)
        if held is None:
            return
        self._drop(station_id, _entry(self._me, held[0], held[1]))
        self._outbox.publish(self._keys.presence,
                             encode(PresenceChange(self._me, station_id, None)))

    def held_elsewhere(self, station_id: str) -> bool:
        return self.holder(station_id) is not None

    # --- for the gateway -------------------------------------------------------------------
    def holder(self, station_id: str) -> tuple[str, str] | None:
        """(node, protocol) of the live node holding the station's socket, if not this one."""
        found = self._remote.get(station_id)
        return found if found is not None and found[0] in self.live else None

    async def lookup(self, station_id: str) -> tuple[str, str] | None:
        """Ask Redis itself (the mirror may lag a connection that has just been made)."""
        entry = _parse(await self._redis.hget(self._keys.stations, station_id))  # type: ignore[misc]
        if entry is None or entry[0] == self._me or entry[0] not in self.live:
            return None
        return entry[0], entry[2]

    # --- what other nodes say --------------------------------------------------------------
    def changed(self, change: PresenceChange) -> None:
        if change.protocol is not None:
            self._remote[change.station_id] = (change.sender, change.protocol)
            self.live.add(change.sender)  # it speaks: alive, before this node's next beat
        elif self._remote.get(change.station_id, ("",))[0] == change.sender:
            del self._remote[change.station_id]

    async def evict(self, eviction: Eviction) -> None:
        held = self._local.get(eviction.station_id)
        if held is None or held[0] != eviction.conn:
            return  # that connection is gone already, or a newer one is held here
        del self._local[eviction.station_id]
        self._remote[eviction.station_id] = (eviction.sender, eviction.protocol)
        log.warning("a newer connection is held by node %s", eviction.sender,
                    extra={"station_id": eviction.station_id})
        await self._stations.evict(eviction.station_id, "replaced by a newer connection")

    # --- start, heartbeat, stop ------------------------------------------------------------
    async def load(self) -> None:
        """Mirror the hash; entries naming this node are from an earlier life: drop them."""
        entries = await self._redis.hgetall(self._keys.stations)  # type: ignore[misc]
        remote: dict[str, tuple[str, str]] = {}
        for raw_id, raw in entries.items():
            station_id = raw_id.decode() if isinstance(raw_id, bytes) else str(raw_id)
            entry = _parse(raw)
            if entry is None:
                continue
            if entry[0] == self._me:
                if station_id not in self._local:
                    self._drop(station_id, raw)
            else:
                remote[station_id] = (entry[0], entry[2])
        self._remote = remote

    def _drop(self, station_id: str, value: bytes | str) -> None:
        self._outbox.put(lambda pipe: pipe.eval(_RELEASE, 1, self._keys.stations, station_id,
                                                value))

    async def beat(self) -> None:
        """Renew this node's heartbeat; learn which nodes live; sweep the dead ones."""
        live, dead, lapsed = await self._heartbeat(keys=[self._keys.nodes],
                                                   args=[self._me, self._ttl_ms])
        self.live = {n.decode() if isinstance(n, bytes) else str(n) for n in live} | {self._me}
        for node in dead:
            await self.sweep(node.decode() if isinstance(node, bytes) else str(node))
        if lapsed and self._beaten:  # taken for dead and swept: share its stations again
            log.warning("this node's heartbeat had lapsed; sharing its stations again")
            await self._reclaim()
        self._beaten = True

    async def _reclaim(self) -> None:
        async with self._redis.pipeline(transaction=False) as pipe:
            for station_id, (conn, protocol) in self._local.items():
                pipe.hsetnx(self._keys.stations, station_id, _entry(self._me, conn, protocol))
                pipe.publish(self._keys.presence,
                             encode(PresenceChange(self._me, station_id, protocol)))
            await pipe.execute()

    async def sweep(self, node: str) -> None:
        """Drop the entries of a node that is gone (dead, or this one stopping)."""
        async for raw_id, raw in self._redis.hscan_iter(self._keys.stations, count=1000):
            entry = _parse(raw)
            if entry is not None and entry[0] == node:
                await self._redis.eval(_RELEASE, 1, self._keys.stations, raw_id, raw)  # type: ignore[misc]
        await self._redis.zrem(self._keys.nodes, node)
        for station_id in [s for s, (n, _) in self._remote.items() if n == node]:
            del self._remote[station_id]
