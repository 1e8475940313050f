"""Local authorization lists: push the id-token table to stations, full once, then by difference.

One list for every station (see csms.domain.local_lists). A station joins on its first sync
(`POST /stations/{id}/local-list/sync`); from then on the sync worker keeps it current: token
changes push a differential update to connected stations, and a reconnecting station is asked
GetLocalListVersion so that one which lost or changed its list gets the full list again.
Syncs of one station never overlap (per-station lock).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import datetime
from typing import Any

from csms.clock import Clock
from csms.domain import local_lists as rules
from csms.domain.commands.authorization import GetLocalListVersion
from csms.domain.errors import DomainError, NotFound
from csms.domain.local_lists import ListUpdate, LocalListState
from csms.services.commands import CommandService
from csms.services.ports import Database, StationGateway, UnitOfWork

log = logging.getLogger(__name__)

LOCAL_LIST_SYNCED = "local_list.synced"


class LocalListService:
    def __init__(self, db: Database, clock: Clock, commands: CommandService,
                 gateway: StationGateway) -> None:
        self._db = db
        self._clock = clock
        self._commands = commands
        self._gateway = gateway
        self._locks: dict[str, asyncio.Lock] = {}
        # Stations enrolled in list management (read once, then kept by `_store`): every
        # connect and boot asks, and a reconnect storm must not ask the database each time.
        self._enrolled: set[str] | None = None

    async def state(self, station_id: str) -> tuple[LocalListState, int]:
        """The station's list state (a blank one if never synced) and the desired size."""

        def work(uow: UnitOfWork) -> tuple[LocalListState, int]:
            if uow.stations.get(station_id) is None:
                raise NotFound(f"station {station_id!r} not found")
            state = uow.local_lists.get(station_id) or LocalListState(station_id)
            return state, len(uow.tokens.all())

        return await self._db.read(work)

    async def sync(self, station_id: str, full: bool = False) -> LocalListState:
        """Send what the station lacks (everything when `full`); errors are recorded, then
        raised (offline 409, timeout 504, CALLERROR 502)."""
        await self._commands.reachable(station_id)
        async with self._locks.setdefault(station_id, asyncio.Lock()):
            state, update = await self._db.read(lambda uow: self._plan(uow, station_id, full))
            if update is None:
                return state
            state = await self._send(state, update)
            if state.last_status == "VersionMismatch" and not update.full:
                # The station's version is not ours: start over with the full list.
                state, update = await self._db.read(lambda uow: self._plan(uow, station_id, True))
                if update is not None:
                    state = await self._send(state, update)
            return state

    @staticmethod
    def _plan(uow: UnitOfWork, station_id: str, full: bool
              ) -> tuple[LocalListState, ListUpdate | None]:
        state = uow.local_lists.get(station_id) or LocalListState(station_id)
        wanted = rules.desired(uow.tokens.all())
        return state, rules.next_update(state, wanted, full)

    async def _send(self, state: LocalListState, update: ListUpdate) -> LocalListState:
        kind = "full" if update.full else "differential"
        try:
            reply = await self._commands.send(state.station_id, update.command())
        except DomainError as e:
            await self._store(replace(state, needs_full=True, last_status="Error",
                                      last_update=kind, last_error=str(e)))
            raise
        status = reply.status
        if status == "Accepted":
            new = replace(state, version=update.version, entries=update.result,
                          needs_full=False, last_status=status, last_update=kind,
                          last_error=None, synced_at=self._clock.now())
        else:  # Failed, VersionMismatch, NotSupported: the full list next time
            new = replace(state, needs_full=True, last_status=status, last_update=kind,
                          last_error=reply.reason)
        log.info("local list v%d %s: %s", update.version, kind, status,
                 extra={"station_id": state.station_id})
        await self._store(new)
        return new

    async def _store(self, state: LocalListState) -> None:
        def work(uow: UnitOfWork) -> None:
            uow.local_lists.put(state)

        await self._db.write(work)
        if self._enrolled is not None:
            if state.last_status == "NotSupported":
                self._enrolled.discard(state.station_id)
            else:
                self._enrolled.add(state.station_id)

    async def sync_connected(self) -> None:
        """After token changes: every enrolled, connected station that supports lists."""
        states = await self._db.read(lambda uow: uow.local_lists.enrolled())
        for state in states:
            if state.last_status == "NotSupported":
                continue
            if self._gateway.is_connected(state.station_id):
                await self._quietly(self.sync(state.station_id))

    def now(self) -> datetime:
        return self._clock.now()

    async def enrolled(self, station_id: str) -> bool:
        if self._enrolled is None:
            states = await self._db.read(lambda uow: uow.local_lists.enrolled())
            self._enrolled = {s.station_id for s in states if s.last_status != "NotSupported"}
        return station_id in self._enrolled

    async def check(self, station_id: str, since: datetime | None = None) -> None:
        """A (re)connected enrolled station: compare its list version with ours, then sync;
        not needed when it was synced after `since` (its connection)."""
        state = await self._db.read(lambda uow: uow.local_lists.get(station_id))
        if state is None or state.last_status == "NotSupported":
            return
        if since is not None and state.synced_at is not None and state.synced_at >= since:
            return
        try:
            reply = await self._commands.send(station_id, GetLocalListVersion())
        except DomainError as e:
            log.info("GetLocalListVersion failed: %s", e, extra={"station_id": station_id})
            return
        full = reply.version != state.version
        if full:
            log.info("station holds list v%s, csms sent v%d: full list",
                     reply.version, state.version, extra={"station_id": station_id})
        await self._quietly(self.sync(station_id, full=full))

    @staticmethod
    async def _quietly(job: Any) -> None:
        try:
            await job
        except DomainError as e:
            log.info("local list sync failed: %s", e)
