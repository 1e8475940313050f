"""The planner worker finds the site of a transaction event in the station's state in memory;
it reads the database only for stations this process does not hold."""

from __future__ import annotations

from typing import Any

from csms.domain import events as ev
from csms.domain.model import RegistrationStatus
from csms.services.eventbus import EventBus
from csms.services.stations.live import StationState
from csms.workers.planner import PlannerWorker


class _Service:
    def forget(self, station_id: str, transaction_id: str) -> None:
        pass


class _Db:
    def __init__(self) -> None:
        self.reads = 0

    async def read(self, work: Any) -> Any:
        self.reads += 1
        return None  # a station the database does not know


def _worker(db: _Db, held: dict[str, StationState]) -> PlannerWorker:
    return PlannerWorker(_Service(), db, EventBus(), held=held.get)  # type: ignore[arg-type]


async def test_a_held_station_s_site_comes_from_memory() -> None:
    db = _Db()
    state = StationState("S1", True, "yard", RegistrationStatus.ACCEPTED)
    worker = _worker(db, {"S1": state})
    await worker._on_event(ev.TransactionStarted("S1", "tx-1", 1, 1, 0.0, "TAG", None, None))
    await worker._on_event(ev.TransactionStopped("S1", "tx-1", 1, 1, 5.0, "TAG", None, None))
    assert db.reads == 0
    assert worker._dirty == {"yard"}


async def test_a_station_of_another_process_is_looked_up() -> None:
    db = _Db()
    worker = _worker(db, {})
    await worker._on_event(ev.TransactionStarted("S2", "tx-1", 1, 1, 0.0, "TAG", None, None))
    assert db.reads == 1 and worker._dirty == set()
