"""Every loop that follows the event bus, in one place; `Subscribers.loops` names them for
the server's supervisor, which starts, restarts and stops each.

Each loop names the event types it wants (so a transaction's frequent updates stay out of
the queues of those who ignore them) and acts on what the event carries. Workers that act on
a station's behalf (accounting after stops, final costs, TxProfiles of ended transactions, the
stations' local lists) follow `local`, this node's own events; the planner follows
`everywhere` (in a cluster, every node's; else the same bus), as does the event stream's ring
of recent events, a synchronous listener rather than a loop (`csms.services.event_log`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from csms.domain.events import TransactionStopped
from csms.services.billing.costs import CostService
from csms.services.eventbus import EventBus
from csms.services.sites.accounting import AccountingService
from csms.services.smart.profiles_state import ProfileStateService
from csms.services.stations.live import StationState
from csms.workers.auth_sync import LocalListWorker
from csms.workers.planner import PlannerWorker

log = logging.getLogger(__name__)

DEBOUNCE_S = 0.2  # stops arriving together are accounted in one pass


@dataclass
class Subscribers:
    local: EventBus
    everywhere: EventBus
    planner: PlannerWorker
    local_lists: LocalListWorker
    accounting: AccountingService
    costs: CostService
    profiles_state: ProfileStateService
    held: Callable[[str], StationState | None]  # a station's state, if this process holds it

    def loops(self) -> dict[str, Callable[[], Coroutine[Any, Any, None]]]:
        """Each loop by name; each runs until cancelled, and one that fails is restarted alone."""
        return {
            "planner": self.planner.run,
            "local-lists": self.local_lists.run,
            "accounting-stops": lambda: account_stops(self.accounting, self.local, self.held),
            "costs": lambda: send_costs(self.costs, self.local),
            "profiles-state": lambda: drop_tx_profiles(self.profiles_state, self.local),
        }


async def account_stops(accounting: AccountingService, bus: EventBus,
                        held: Callable[[str], StationState | None],
                        debounce_s: float = DEBOUNCE_S) -> None:
    """Account for each transaction as soon as its stop is committed. A stopping station is
    nearly always held by this process, its site known: reading each from the database kept
    four reader threads busy under load (7 us per message at 4,000 messages/s)."""
    pending: set[str] = set()
    wake = asyncio.Event()

    async def drain() -> None:
        nonlocal pending
        while True:
            await wake.wait()
            await asyncio.sleep(debounce_s)
            wake.clear()
            stations, pending = pending, set()
            states = {sid: held(sid) for sid in stations}
            sites = {st.site_id for st in states.values() if st is not None and st.site_id}
            unknown = {sid for sid, st in states.items() if st is None}
            try:
                await accounting.recompute_stations(unknown, sites)
            except Exception:
                log.exception("green accounting after a stop failed; the refresh will retry")

    async with asyncio.TaskGroup() as tg:
        tg.create_task(drain())
        async with bus.subscribe({TransactionStopped}) as queue:
            while True:
                event = await queue.get()
                pending.add(event.station_id)
                wake.set()


async def send_costs(costs: CostService, bus: EventBus) -> None:
    """Periodic running costs, and final costs after stops (1.6 with a cost vendor)."""
    async with asyncio.TaskGroup() as tg:
        if costs.config.update_interval_s > 0:
            tg.create_task(_running_costs(costs))
        async with bus.subscribe({TransactionStopped}) as queue:
            while True:
                event = await queue.get()
                if isinstance(event, TransactionStopped) and costs.config.datatransfer_vendor:
                    tg.create_task(_final_cost(costs, event))


async def _running_costs(costs: CostService) -> None:
    while True:
        await asyncio.sleep(costs.config.update_interval_s)
        try:
            await costs.push_running()
        except Exception:
            log.exception("running costs not sent; will retry")


async def _final_cost(costs: CostService, event: TransactionStopped) -> None:
    try:
        await costs.final(event.station_id, event.transaction_id)
    except Exception:
        log.exception("final cost not sent", extra={"station_id": event.station_id})


async def drop_tx_profiles(profiles_state: ProfileStateService, bus: EventBus) -> None:
    """TxProfiles of a transaction end with it."""
    async with bus.subscribe({TransactionStopped}) as queue:
        purged = await profiles_state.purge_ended()
        if purged:
            log.info("%d TxProfiles of transactions ended while away dropped", purged)
        while True:
            event = await queue.get()
            if not isinstance(event, TransactionStopped):
                continue
            try:
                await profiles_state.transaction_ended(event.station_id, event.transaction_id)
            except Exception:
                log.exception("TxProfiles not dropped", extra={"station_id": event.station_id})
