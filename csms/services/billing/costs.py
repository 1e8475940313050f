"""The cost of charging sessions: bound to a tariff once, computed from the stored session.

When a transaction is first seen (csms.services.transactions.transactions binds it from the
in-memory tariff book), the applicable tariff (token group, else site, else default) is copied
onto it: a later change of the tariff does not reprice a session that already started. The cost
itself is never stored; it is computed whenever asked from the bound prices and the
transaction's stored energy, green energy and duration. So the cost in the API always agrees
with the latest green accounting (which revises `green_energy_wh` periodically and right after
the stop) without this service having to follow it, and there is no second copy of the energy to
drift.

Running cost reaches stations (CSMS-initiated calls never run inside a handler):
- OCPP 2.0.1: `totalCost` in TransactionEventResponse (Updated and Ended, by the handler from
  `TxOutcome.cost`), and `CostUpdated` every `update_interval_s` (csms.workers.subscribers).
- OCPP 1.6 has no cost message; when `CSMS_COST_DATATRANSFER_VENDOR` names a vendor id, the
  same figures go in DataTransfer (messageId `RunningCost` periodically, `FinalCost` once green
  accounting settled after the stop) with data `{"transactionId": <int>, "cost": <number>}`.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime

from csms.clock import Clock
from csms.domain.commands.charging import CostUpdated
from csms.domain.errors import DomainError, InvalidInput
from csms.domain.model import Transaction
from csms.domain.tariffs import Cost, Tariff, cost
from csms.services.ports import Database, StationGateway, UnitOfWork
from csms.services.sites.accounting import AccountingService

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CostConfig:
    update_interval_s: float = 300.0  # CostUpdated / RunningCost period; 0: never
    datatransfer_vendor: str | None = None  # OCPP 1.6 cost messages; None: off


def session_cost(tariff: Tariff, tx: Transaction, at: datetime) -> Cost:
    """The cost of `tx` up to `at` (its stop, once stopped)."""
    end = tx.stopped_at or at
    return cost(tariff, tx.energy_wh, tx.green_energy_wh, (end - tx.started_at).total_seconds())


class CostService:
    def __init__(self, db: Database, clock: Clock, gateway: StationGateway,
                 accounting: AccountingService | None = None,
                 config: CostConfig | None = None) -> None:
        self._db = db
        self._clock = clock
        self._gateway = gateway
        self._accounting = accounting
        self.config = config or CostConfig()

    # --- reads --------------------------------------------------------------------------
    async def of(self, tx: Transaction) -> Cost | None:
        return (await self.of_many([tx])).get(tx.pk)

    async def of_many(self, txs: list[Transaction]) -> dict[int, Cost]:
        """Current cost of each priced transaction (final once stopped and accounted)."""
        if not txs:
            return {}
        bound = await self._db.read(lambda uow: uow.billing.bound([t.pk for t in txs]))
        now = self._clock.now()
        return {t.pk: session_cost(bound[t.pk], t, now) for t in txs if t.pk in bound}

    # --- telling stations ---------------------------------------------------------------
    async def push_running(self) -> int:
        """Send every connected station the running cost of its priced sessions."""
        running = await self._db.read(lambda uow: uow.billing.active_priced())
        now = self._clock.now()
        jobs = [self._tell(tx, session_cost(tariff, tx, now), final=False)
                for tx, tariff in running if self._gateway.is_connected(tx.station_id)]
        results = await asyncio.gather(*jobs)
        return sum(results)

    async def _tell(self, tx: Transaction, c: Cost, final: bool) -> bool:
        command = CostUpdated(tx.transaction_id, float(c.total),
                              self.config.datatransfer_vendor or None, final)
        try:
            reply = await self._gateway.send(tx.station_id, command)
        except InvalidInput as e:  # e.g. OCPP 1.6 without a cost vendor: nothing to send
            log.debug("cost not sent: %s", e, extra={"station_id": tx.station_id})
            return False
        except DomainError as e:
            log.info("cost of %s not delivered: %s", tx.transaction_id, e,
                     extra={"station_id": tx.station_id})
            return False
        return reply.status == "Accepted"

    async def final(self, station_id: str, transaction_id: str) -> bool:
        """After a stop: settle the green accounting, then send the final cost where the
        station has no other way to learn it (OCPP 1.6 with a cost vendor)."""
        if not self.config.datatransfer_vendor or not self._gateway.is_connected(station_id):
            return False

        def work(uow: UnitOfWork) -> tuple[Transaction | None, str | None]:
            station = uow.stations.get(station_id)
            return (uow.transactions.find(station_id, transaction_id),
                    station.site_id if station else None)

        tx, site_id = await self._db.read(work)
        if tx is None:
            return False
        if site_id and self._accounting is not None:
            await self._accounting.recompute_site(site_id)
            pk = tx.pk
            tx = await self._db.read(lambda uow: uow.transactions.by_pk(pk))
        c = await self.of(tx) if tx is not None else None
        if tx is None or c is None:
            return False
        return await self._tell(tx, c, final=True)
