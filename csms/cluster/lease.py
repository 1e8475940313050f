"""Planner leases: each site is planned by one node at a time.

A lease is a Redis key holding the node id, with an expiry. The planner asks `hold(site)`
before each cycle, which takes a free lease or renews its own. A renewal loop keeps held leases
alive between cycles and keeps trying for sites another node holds, so when that node dies
(its lease expires) a survivor takes the site over and re-plans it at once. A node that
cannot renew (Redis unreachable, or the key taken) stops planning that site.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from redis.asyncio import Redis
from redis.exceptions import RedisError

from csms.cluster.wiring import Keys

log = logging.getLogger(__name__)

_HOLD = """
local v = redis.call('GET', KEYS[1])
if v == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if not v then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
"""
_DROP = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class SiteLeases:
    """Implements PlanningLease."""

    def __init__(self, redis: Redis, keys: Keys, ttl_s: float) -> None:
        self._redis = redis
        self._keys = keys
        self._ttl_ms = int(ttl_s * 1000)
        self._hold = redis.register_script(_HOLD)
        self._wanted: set[str] = set()
        self.held: set[str] = set()
        self._callbacks: list[Callable[[str], None]] = []

    def when_gained(self, callback: Callable[[str], None]) -> None:
        self._callbacks.append(callback)

    async def hold(self, site_id: str) -> bool:
        self._wanted.add(site_id)
        return await self._try(site_id)

    async def _try(self, site_id: str) -> bool:
        try:
            ok = bool(await self._hold(keys=[self._keys.lease(site_id)],
                                       args=[self._keys.node_id, self._ttl_ms]))
        except Exception:  # Redis away: not holding it is the safe answer
            log.exception("planner lease of site %s not renewed", site_id)
            ok = False
        if ok and site_id not in self.held:
            self.held.add(site_id)
            log.info("this node plans site %s", site_id)
        elif not ok and site_id in self.held:
            self.held.discard(site_id)
            log.warning("lost the planner lease of site %s: another node plans it", site_id)
        return ok

    async def renew(self) -> None:
        """Keep held leases, try again for the others; a site gained is re-planned at once."""
        for site_id in sorted(self._wanted):
            had = site_id in self.held
            if await self._try(site_id) and not had:
                for callback in self._callbacks:
                    callback(site_id)

    async def release(self) -> None:
        """Stopping: let another node take the sites at once instead of after the expiry."""
        for site_id in sorted(self.held):
            try:
                await self._redis.eval(_DROP, 1, self._keys.lease(site_id),  # type: ignore[misc]
                                       self._keys.node_id)
            except RedisError:
                log.warning("planner lease of site %s left to expire", site_id)
        self.held.clear()
