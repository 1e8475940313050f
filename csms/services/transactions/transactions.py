"""Transaction use cases: one version-neutral event stream for 1.6 and 2.0.1 alike.

The edge translates every transaction message into a `TxEvent` (csms.domain.inbound).
Applying one is idempotent: stations
retry when a reply is lost, replay offline queues late and out of order, and report
transactions the CSMS never saw start; none of that may lose or double-count energy.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from csms.clock import Clock
from csms.domain import events as ev
from csms.domain import sequence
from csms.domain import transactions as rules
from csms.domain.authorization import authorize
from csms.domain.compatibility import MeterRegister
from csms.domain.errors import NotFound
from csms.domain.evolve import evolve, quick_init
from csms.domain.inbound import MeterReport, TxEvent, TxEventKind
from csms.domain.model import AuthResult, Sample, Transaction
from csms.domain.records import (
    Record,
    SamplesAdded,
    TariffBound,
    TransactionInserted,
    TransactionSaved,
)
from csms.domain.tariffs import Cost, Tariff
from csms.services.authorization.reservations import honour_at_start
from csms.services.billing.costs import session_cost
from csms.services.books import TariffBook, TokenBook
from csms.services.ports import Database, UnitOfWork
from csms.services.stations.live import LiveStations, StationState, TransactionKeys

log = logging.getLogger(__name__)

@quick_init
@dataclass(frozen=True, slots=True)
class TxOutcome:
    transaction: Transaction
    auth: AuthResult | None
    cost: Cost | None = None  # running cost, when the transaction is priced


@dataclass(slots=True)
class _Change:
    """What applying one event decided: the rows to store and the events to publish."""

    records: list[Record] = field(default_factory=list)
    events: list[ev.Event] = field(default_factory=list)
    work: Callable[[UnitOfWork], None] | None = None


class TransactionService:
    """Decides in memory (csms.services.stations.live), stores typed records, replies after
    commit."""

    def __init__(self, db: Database, clock: Clock, live: LiveStations, keys: TransactionKeys,
                 tokens: TokenBook, tariffs: TariffBook | None = None,
                 accept_unknown_tokens: bool = False,
                 registers: Callable[[str], MeterRegister] | None = None) -> None:
        self._db = db
        self._clock = clock
        self._live = live
        self._keys = keys
        self._tokens = tokens
        self._tariffs = tariffs
        self._accept_unknown = accept_unknown_tokens
        # how each station's energy register counts (its compatibility profile; in memory)
        self._registers = registers or (lambda _: MeterRegister.LIFETIME)

    async def apply(self, event: TxEvent) -> TxOutcome:
        """Apply one transaction event; returns after the commit that makes it durable."""
        state = await self._live.get(event.station_id)
        change = _Change()
        outcome = await self._decide(state, event, change)
        await self._db.append(change.records, change.events, change.work)
        for record in change.records:
            if isinstance(record, TransactionSaved | TransactionInserted):
                state.keep(record.tx)
            elif isinstance(record, TariffBound):
                state.tariffs[record.transaction_pk] = record.tariff
        return outcome

    async def _decide(self, state: StationState, e: TxEvent, change: _Change) -> TxOutcome:
        now = self._clock.now()
        auth = None
        if e.id_token:
            auth = authorize(self._tokens.get(e.id_token), now, self._accept_unknown)
        tx = await self._find(state, e)
        created = tx is None
        if tx is None:
            tx = await self._create(state, e, change)
        before = tx
        if e.id_token and auth is not None and e.kind != TxEventKind.ENDED and (
                e.kind == TxEventKind.STARTED or before.id_token is None):
            held = await self._live.reservations(state)
            auth, change.work = honour_at_start(
                held, e.station_id, tx.evse_id, e.id_token, auth, now, e.reservation_id,
                tx.transaction_id)
        # A 2.0.1 station that lost our reply sends the same seqNo again: its samples are
        # stored already (a late message, with a seqNo not seen yet, is applied).
        replay = e.seq_no is not None and sequence.contains(tx.seq_seen, e.seq_no)
        samples = () if replay else e.samples
        tx = rules.apply_samples(tx, samples)
        fields: dict[str, Any] = {}  # one copy of the transaction, not one per field
        if e.seq_no is not None and not replay:
            fields["seq_seen"] = sequence.add(tx.seq_seen, e.seq_no)
        if e.id_token and tx.id_token is None:
            fields["id_token"] = e.id_token
        if e.seq_no is not None and (tx.seq_no is None or e.seq_no > tx.seq_no):
            fields["seq_no"] = e.seq_no
        if e.offline and not tx.offline:
            fields["offline"] = True
        if fields:
            tx = evolve(tx, **fields)
        if e.kind == TxEventKind.ENDED:
            tx = rules.stop(tx, e.timestamp, e.meter_wh, e.stop_reason)
        if created:
            change.records.append(TransactionInserted(tx))
            tariff = self._bind_tariff(state, tx, change)
        else:
            # Identity, not equality: every change above makes a new object (comparing two
            # 22-field transactions cost more than the rare save of an unchanged one).
            if tx is not before:
                change.records.append(TransactionSaved(tx))
            tariff = state.tariffs.get(tx.pk)
        if samples:
            change.records.append(SamplesAdded(
                e.station_id, tx.evse_id, tx.connector_id, tx.pk, samples))
        self._publish(change, tx, before, created)
        return TxOutcome(tx, auth, session_cost(tariff, tx, e.timestamp) if tariff else None)

    def _bind_tariff(self, state: StationState, tx: Transaction, change: _Change
                     ) -> Tariff | None:
        """A new session is bound to the tariff that applies now; later changes of the
        tariff do not reprice it."""
        if self._tariffs is None:
            return None
        token = self._tokens.get(tx.id_token) if tx.id_token else None
        tariff = self._tariffs.applicable(token.group_id if token else None, state.site_id)
        if tariff is not None:
            change.records.append(TariffBound(tx.pk, tariff, self._clock.now()))
        return tariff

    async def _find(self, state: StationState, e: TxEvent) -> Transaction | None:
        if e.transaction_id is not None:
            tx = state.transaction(e.transaction_id)
            if tx is not None:
                return tx
            # Not running here and not recently ended: a late replay of an old transaction
            # (rare, so it may cost a read) or one we never saw.
            station_id, transaction_id = e.station_id, e.transaction_id
            return await self._db.read(
                lambda uow: uow.transactions.find(station_id, transaction_id))
        # 1.6 StartTransaction retried after a lost reply: same EVSE, connector, time and tag.
        for tx in state.active.values():
            if (tx.evse_id, tx.connector_id, tx.started_at, tx.id_token) == (
                e.evse_id, e.connector_id, e.timestamp, e.id_token
            ):
                return tx
        return None

    async def _create(self, state: StationState, e: TxEvent, change: _Change) -> Transaction:
        evse_id = e.evse_id if e.evse_id is not None else (e.connector_id or 0)
        connector_id = e.connector_id if e.connector_id is not None else 1
        started_at = e.timestamp
        if e.kind != TxEventKind.STARTED:
            # A transaction we never saw start (offline start, lost Started): keep its energy.
            log.warning("transaction %s unknown; recording it from a %s event",
                        e.transaction_id, e.kind, extra={"station_id": e.station_id})
            started_at = min([s.timestamp for s in e.samples] + [e.timestamp])
        self._close_zombies(state, evse_id, connector_id, started_at, change)
        pk = await self._keys.next()
        tx = Transaction(
            pk=pk, station_id=e.station_id, transaction_id=e.transaction_id or str(pk),
            evse_id=evse_id, connector_id=connector_id, id_token=e.id_token,
            started_at=started_at, remote_start_id=e.remote_start_id,
            offline=e.offline or e.kind != TxEventKind.STARTED,
        )
        if self._registers(e.station_id) == MeterRegister.PER_SESSION:
            tx = rules.start_per_session(tx, started_at)
        elif e.kind == TxEventKind.STARTED:
            tx = rules.start(tx, e.meter_wh, e.timestamp)
        return tx

    @staticmethod
    def _close_zombies(state: StationState, evse_id: int, connector_id: int, at: datetime,
                       change: _Change) -> None:
        """A new transaction on a connector ends any older one the station never stopped."""
        for old in list(state.active.values()):
            if (old.evse_id, old.connector_id) == (evse_id, connector_id) and (
                    old.started_at <= at):
                log.warning("closing zombie transaction %s", old.transaction_id,
                            extra={"station_id": state.station_id})
                closed = rules.stop(old, at, None, "Other")
                change.records.append(TransactionSaved(closed))
                change.events.append(ev.TransactionStopped.of(closed))

    @staticmethod
    def _publish(change: _Change, tx: Transaction, before: Transaction, created: bool) -> None:
        if created:
            change.events.append(ev.TransactionStarted.of(tx))
        if tx.stopped_at is not None and before.stopped_at is None:
            change.events.append(ev.TransactionStopped.of(tx))
        elif not created and tx is not before:
            change.events.append(ev.TransactionUpdated.of(tx))

    async def meter_values(self, report: MeterReport) -> None:
        """Samples outside any transaction the station named (see `MeterReport`)."""
        state = await self._live.get(report.station_id)
        if report.attach_to_active:
            for tx in state.active.values():
                if tx.evse_id == report.evse_id and report.connector_id in (
                        None, tx.connector_id):
                    await self.apply(report.as_update(tx.transaction_id))
                    return
        await self._db.append([SamplesAdded(report.station_id, report.evse_id,
                                            report.connector_id, None, report.samples)])

    async def get(self, transaction_id: str, station_id: str | None = None) -> Transaction:
        """By the station's id; ids are unique per station, so `station_id` disambiguates
        (without it the newest transaction with that id is meant)."""

        def work(uow: UnitOfWork) -> Transaction | None:
            if station_id is not None:
                return uow.transactions.find(station_id, transaction_id)
            return uow.transactions.by_id(transaction_id)

        tx = await self._db.read(work)
        if tx is None:
            raise NotFound(f"transaction {transaction_id!r} not found")
        return tx

    async def search(
        self, station_id: str | None, active: bool | None, limit: int, offset: int
    ) -> list[Transaction]:
        return await self._db.read(
            lambda uow: uow.transactions.search(station_id, active, limit, offset)
        )

    async def samples(self, transaction_id: str, station_id: str | None = None) -> list[Sample]:
        tx = await self.get(transaction_id, station_id)
        return await self._db.read(lambda uow: uow.transactions.samples(tx.pk))
