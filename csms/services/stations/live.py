"""What the next message of a connected station needs, held in memory by the process that
holds the station's socket.

A station's state is read from the database once, when it connects (or on its first message),
and from then on changed in memory right after each commit that made the change durable.
A station's messages are handled one at a time, so its state has a single writer; the API
changes only what it owns (site, registration, reservations) through the hooks below.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from csms.domain.events import Event, ReservationChanged
from csms.domain.model import ConnectorState, RegistrationStatus, Transaction
from csms.domain.reservations import Reservation, ReservationStatus
from csms.domain.security import SecurityProfile
from csms.domain.tariffs import Tariff
from csms.services.invalidation import Invalidation, Invalidations
from csms.services.ports import Database, UnitOfWork

log = logging.getLogger(__name__)

RECENTLY_ENDED = 16  # stations retry a stop whose reply they lost: answer it from memory


@dataclass(slots=True)
class StationState:
    station_id: str
    known: bool
    site_id: str | None
    registration: RegistrationStatus
    password_hash: str | None = None
    security_profile: SecurityProfile = SecurityProfile.NONE
    connectors: dict[tuple[int, int], ConnectorState] = field(default_factory=dict)
    active: dict[str, Transaction] = field(default_factory=dict)
    ended: OrderedDict[str, Transaction] = field(default_factory=OrderedDict)
    tariffs: dict[int, Tariff] = field(default_factory=dict)  # bound tariff by transaction pk
    reservations: list[Reservation] | None = None  # held (Accepted); None: to be re-read

    def transaction(self, transaction_id: str) -> Transaction | None:
        return self.active.get(transaction_id) or self.ended.get(transaction_id)

    def keep(self, tx: Transaction) -> None:
        """Remember `tx` as committed."""
        if tx.stopped_at is None:
            self.active[tx.transaction_id] = tx
            return
        self.active.pop(tx.transaction_id, None)
        self.tariffs.pop(tx.pk, None)
        self.ended[tx.transaction_id] = tx
        self.ended.move_to_end(tx.transaction_id)
        while len(self.ended) > RECENTLY_ENDED:
            self.ended.popitem(last=False)

    def evse_ids(self) -> list[int]:
        return sorted({evse for evse, _ in self.connectors})


def _load(station_ids: list[str]) -> Callable[[UnitOfWork], dict[str, StationState]]:
    """The states of many stations in five queries: a reconnect storm loads in batches."""

    def work(uow: UnitOfWork) -> dict[str, StationState]:
        stations = {s.id: s for s in uow.stations.many(station_ids)}
        states: dict[str, StationState] = {}
        for sid in station_ids:
            station = stations.get(sid)
            states[sid] = StationState(
                sid, station is not None, station.site_id if station else None,
                station.registration_status if station else RegistrationStatus.REJECTED,
                station.password_hash if station else None,
                station.security_profile if station else SecurityProfile.NONE, reservations=[])
        for c in uow.stations.connectors(station_ids):
            states[c.station_id].connectors[(c.evse_id, c.connector_id)] = c
        active = uow.transactions.active_for(station_ids)
        for tx in active:
            states[tx.station_id].active[tx.transaction_id] = tx
        bound = uow.billing.bound([tx.pk for tx in active])
        for tx in active:
            if tx.pk in bound:
                states[tx.station_id].tariffs[tx.pk] = bound[tx.pk]
        for r in uow.reservations.on_stations(station_ids, _HELD):
            held = states[r.station_id].reservations
            assert held is not None
            held.append(r)
        return states

    return work


_HELD = (ReservationStatus.ACCEPTED.value,)
LOAD_BATCH = 500


STATION = "station"


class LiveStations:
    def __init__(self, db: Database, invalidations: Invalidations) -> None:
        self._db = db
        self._invalidations = invalidations
        invalidations.on(STATION, self._on_invalidation)
        self._refreshes: set[asyncio.Task[None]] = set()
        self._states: dict[str, StationState] = {}
        self._loading: dict[str, asyncio.Future[StationState]] = {}
        self._queue: list[str] = []
        self._loader: asyncio.Task[None] | None = None

    def held(self, station_id: str) -> StationState | None:
        """The station's state if this process holds it already (nothing is loaded)."""
        return self._states.get(station_id)

    async def get(self, station_id: str) -> StationState:
        state = self._states.get(station_id)
        if state is not None:
            return state
        fut = self._loading.get(station_id)
        if fut is None:
            fut = asyncio.get_running_loop().create_future()
            self._loading[station_id] = fut
            self._queue.append(station_id)
            if self._loader is None or self._loader.done():
                self._loader = asyncio.ensure_future(self._load_queued())
        return await asyncio.shield(fut)

    async def _load_queued(self) -> None:
        """Stations that connect while a load is in flight are loaded together next."""
        while self._queue:
            ids, self._queue = self._queue[:LOAD_BATCH], self._queue[LOAD_BATCH:]
            try:
                states = await self._db.read(_load(ids))
            except Exception as e:
                for sid in ids:
                    fut = self._loading.pop(sid)
                    fut.set_exception(e)
                    fut.exception()  # each waiter gets it from its own await
                continue
            for sid in ids:
                self._states[sid] = states[sid]
                self._loading.pop(sid).set_result(states[sid])

    def changed(self, station_id: str) -> None:
        """After the API changed a station's site, registration or password: every process
        holding its state re-reads those (the state of its transactions stays as it is)."""
        self._invalidations.publish(Invalidation(STATION, station_id))

    def _on_invalidation(self, note: Invalidation) -> None:
        if note.key not in self._states:
            return
        task = asyncio.get_running_loop().create_task(self._refresh(note.key))
        self._refreshes.add(task)
        task.add_done_callback(self._refreshes.discard)

    async def _refresh(self, station_id: str) -> None:
        try:
            station = await self._db.read(lambda uow: uow.stations.get(station_id))
        except Exception:
            log.exception("station not re-read", extra={"station_id": station_id})
            return
        state = self._states.get(station_id)
        if state is None or station is None:
            return
        state.site_id = station.site_id
        state.registration = station.registration_status
        state.password_hash = station.password_hash
        state.security_profile = station.security_profile

    async def close(self) -> None:
        """End the loads and re-reads in flight (this object owns their tasks)."""
        tasks = [*self._refreshes, *([self._loader] if self._loader is not None else [])]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for fut in self._loading.values():
            fut.cancel()

    def peek(self, station_id: str) -> StationState | None:
        return self._states.get(station_id)

    def drop(self, station_id: str) -> None:
        """The station left this process: the next connection reads its state afresh."""
        self._states.pop(station_id, None)

    async def reservations(self, state: StationState) -> list[Reservation]:
        if state.reservations is None:
            sid = state.station_id
            state.reservations = await self._db.read(
                lambda uow: uow.reservations.on_stations([sid], _HELD))
        return state.reservations

    def on_event(self, event: Event) -> None:
        """Synchronous bus listener: runs as a change is committed, before anyone reacts."""
        if isinstance(event, ReservationChanged):
            state = self._states.get(event.station_id)
            if state is not None:
                state.reservations = None

    def __len__(self) -> int:
        return len(self._states)


class TransactionKeys:
    """Primary keys for new transactions, reserved from the database in blocks, so a start
    needs no round trip for its id and two processes never hand out the same one.
    (An OCPP 1.6 transactionId is this key: it must stay a 32-bit integer.)"""

    BLOCK = 256
    COUNTER = "transactions.pk"

    def __init__(self, db: Database) -> None:
        self._db = db
        self._next = 0
        self._end = 0
        self._refill: asyncio.Task[None] | None = None

    async def next(self) -> int:
        if self._next >= self._end:
            await self._reserve()
        key = self._next
        self._next += 1
        return key

    async def _reserve(self) -> None:
        # Concurrent starts share one reservation round trip.
        if self._refill is None or self._refill.done():
            self._refill = asyncio.ensure_future(self._take_block())
            # Retrieved here too: a caller that was cancelled no longer awaits it.
            self._refill.add_done_callback(lambda t: t.cancelled() or t.exception())
        await asyncio.shield(self._refill)
        if self._next >= self._end:
            await self._reserve()

    async def close(self) -> None:
        """End a reservation in flight (this object owns its task)."""
        if self._refill is not None:
            self._refill.cancel()
            await asyncio.gather(self._refill, return_exceptions=True)

    async def _take_block(self) -> None:
        count = self.BLOCK

        def work(uow: UnitOfWork) -> int:
            return uow.kv.reserve(self.COUNTER, count, lambda: uow.transactions.max_pk() + 1)

        first = await self._db.write(work)
        self._next, self._end = first, first + count
