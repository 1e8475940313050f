"""Drivers' charging preferences: departure, energy and mode per transaction.

Set through the API (`PUT /transactions/{id}/preferences`) or by an ISO 15118 car
(2.0.1 NotifyEVChargingNeeds); sessions without any get the site defaults, marked `defaulted`,
so the planner can serve real wishes first when capacity is short.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from csms.clock import Clock
from csms.domain import events as ev
from csms.domain.errors import Conflict, InvalidInput, NotFound
from csms.domain.model import Preferences, Transaction
from csms.services.ports import Database, UnitOfWork

PREFERENCES_CHANGED = "transaction.preferences_changed"
MODES = ("green", "fast")


@dataclass(frozen=True)
class Defaults:
    dwell_h: float = 8.0
    energy_kwh: float = 20.0
    mode: str = "green"

    def for_session(self, tx: Transaction, now: datetime) -> Preferences:
        departure = tx.started_at + timedelta(hours=self.dwell_h)
        if departure <= now:  # overstayed its default: assume one more hour
            departure = now + timedelta(hours=1)
        return Preferences(departure_at=departure, energy_wh=self.energy_kwh * 1000,
                           mode=self.mode, defaulted=True)


class PreferenceService:
    def __init__(self, db: Database, clock: Clock, defaults: Defaults | None = None) -> None:
        self._db = db
        self._clock = clock
        self.defaults = defaults or Defaults()

    async def set(
        self,
        transaction_id: str,
        station_id: str | None,
        departure_at: datetime | None,
        energy_wh: float | None,
        mode: str,
    ) -> tuple[Transaction, Preferences]:
        now = self._clock.now()
        if mode not in MODES:
            raise InvalidInput(f"mode must be one of {', '.join(MODES)}")
        if departure_at is not None and departure_at <= now:
            raise InvalidInput(f"departure_at {departure_at.isoformat()} is in the past")
        if energy_wh is not None and energy_wh <= 0:
            raise InvalidInput("energy_wh must be positive")
        prefs = Preferences(departure_at=departure_at, energy_wh=energy_wh, mode=mode)

        def work(uow: UnitOfWork) -> Transaction:
            tx = _find(uow, transaction_id, station_id)
            if not tx.active:
                raise Conflict(f"transaction {transaction_id!r} has ended")
            uow.preferences.put(tx.pk, prefs, now)
            uow.publish(ev.Event(PREFERENCES_CHANGED, tx.station_id,
                                 {"id": tx.transaction_id, "mode": mode}))
            return tx

        return await self._db.write(work), prefs

    async def from_station(
        self, station_id: str, evse_id: int, departure_at: datetime | None,
        energy_wh: float | None,
    ) -> bool:
        """An ISO 15118 car told the station what it needs; False if no session runs there."""
        now = self._clock.now()
        if departure_at is not None and departure_at <= now:
            departure_at = None

        def work(uow: UnitOfWork) -> bool:
            running = uow.transactions.active_on(station_id, evse_id)
            if not running:
                return False
            tx = running[-1]
            old = uow.preferences.get(tx.pk)
            mode = old.mode if old else self.defaults.mode
            uow.preferences.put(tx.pk, Preferences(departure_at, energy_wh, mode), now)
            uow.publish(ev.Event(PREFERENCES_CHANGED, station_id, {"id": tx.transaction_id}))
            return True

        return await self._db.write(work)

    async def get(
        self, transaction_id: str, station_id: str | None = None
    ) -> tuple[Transaction, Preferences]:
        def work(uow: UnitOfWork) -> tuple[Transaction, Preferences | None]:
            tx = _find(uow, transaction_id, station_id)
            return tx, uow.preferences.get(tx.pk)

        tx, prefs = await self._db.read(work)
        return tx, prefs or self.defaults.for_session(tx, self._clock.now())

    def effective(self, tx: Transaction, stored: Preferences | None) -> Preferences:
        """Stored wishes completed by the defaults (a missing field is defaulted too)."""
        default = self.defaults.for_session(tx, self._clock.now())
        if stored is None:
            return default
        return Preferences(
            departure_at=stored.departure_at or default.departure_at,
            energy_wh=stored.energy_wh or default.energy_wh,
            mode=stored.mode,
            defaulted=stored.departure_at is None or stored.energy_wh is None,
        )


def _find(uow: UnitOfWork, transaction_id: str, station_id: str | None) -> Transaction:
    if station_id is not None:
        tx = uow.transactions.find(station_id, transaction_id)
    else:
        tx = uow.transactions.by_id(transaction_id)
    if tx is None:
        raise NotFound(f"transaction {transaction_id!r} not found")
    return tx
