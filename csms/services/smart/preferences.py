"""Drivers' charging preferences: departure, energy and mode per transaction.

Set through the API (`PUT /transactions/{id}/preferences`) or by an ISO 15118 car
(2.0.1 NotifyEVChargingNeeds); sessions without any get defaults, marked `defaulted`, so the
planner can serve real wishes first when capacity is short. Defaults come in layers, field by
field: the token group's (`PUT /token-groups/{id}/defaults`), then the site's, then the
settings. `effective` stays pure: callers read the layers (`default_layers`) in their own
unit of work and pass them in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from csms.clock import Clock
from csms.domain import events as ev
from csms.domain.errors import Conflict, InvalidInput, NotFound
from csms.domain.model import Preferences, Site, Transaction
from csms.domain.smart import ChargingDefaults
from csms.services.ports import Database, UnitOfWork

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


@dataclass(frozen=True)
class Layers:
    """The defaults that may apply to one session, most specific first."""

    group: ChargingDefaults | None = None
    site: ChargingDefaults | None = None


def site_defaults(site: Site | None) -> ChargingDefaults | None:
    if site is None:
        return None
    d = ChargingDefaults(site.default_dwell_h, site.default_energy_kwh, site.default_mode)
    return None if d.empty else d


def default_layers(uow: UnitOfWork, txs: Sequence[Transaction],
                   site: Site | None = None) -> dict[int, Layers]:
    """Per transaction its token group's and its site's defaults (read in the caller's work)."""
    groups: dict[int, str] = {}
    for tx in txs:
        token = uow.tokens.get(tx.id_token) if tx.id_token else None
        if token is not None and token.group_id:
            groups[tx.pk] = token.group_id
    by_group = uow.group_defaults.get_many(sorted(set(groups.values()))) if groups else {}
    sites: dict[str, Site | None] = {} if site is None else {site.id: site}
    out: dict[int, Layers] = {}
    for tx in txs:
        if site is None:
            station = uow.stations.get(tx.station_id)
            sid = station.site_id if station else None
            if sid and sid not in sites:
                sites[sid] = uow.sites.get(sid)
            tx_site = sites.get(sid) if sid else None
        else:
            tx_site = site
        group = by_group.get(groups.get(tx.pk, ""))
        out[tx.pk] = Layers(group, site_defaults(tx_site))
    return out


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
            uow.publish(ev.PreferencesChanged(tx.station_id, tx.transaction_id, mode))
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
            mode = old.mode if old else self.resolve(default_layers(uow, [tx])[tx.pk])[0].mode
            uow.preferences.put(tx.pk, Preferences(departure_at, energy_wh, mode), now)
            uow.publish(ev.PreferencesChanged(station_id, tx.transaction_id))
            return True

        return await self._db.write(work)

    async def get(
        self, transaction_id: str, station_id: str | None = None
    ) -> tuple[Transaction, Preferences, str | None]:
        """The preferences in force, and where their defaults came from (None: none used)."""
        def work(uow: UnitOfWork) -> tuple[Transaction, Preferences | None, Layers]:
            tx = _find(uow, transaction_id, station_id)
            return tx, uow.preferences.get(tx.pk), default_layers(uow, [tx])[tx.pk]

        tx, stored, layers = await self._db.read(work)
        prefs = self.effective(tx, stored, layers)
        return tx, prefs, self.resolve(layers)[1] if prefs.defaulted else None

    def resolve(self, layers: Layers | None) -> tuple[Defaults, str]:
        """Field by field the most specific default; the source is the most specific layer
        that gave any field ("group", "site" or "global")."""
        base = self.defaults
        if layers is None:
            return base, "global"
        dwell, energy, mode, source = base.dwell_h, base.energy_kwh, base.mode, "global"
        for name, layer in (("site", layers.site), ("group", layers.group)):
            if layer is None or layer.empty:
                continue
            dwell = layer.dwell_h if layer.dwell_h is not None else dwell
            energy = layer.energy_kwh if layer.energy_kwh is not None else energy
            mode = layer.mode if layer.mode is not None else mode
            source = name
        return Defaults(dwell, energy, mode), source

    def effective(self, tx: Transaction, stored: Preferences | None,
                  layers: Layers | None = None) -> Preferences:
        """Stored wishes completed by the defaults (a missing field is defaulted too)."""
        default = self.resolve(layers)[0].for_session(tx, self._clock.now())
        if stored is None:
            return default
        return Preferences(
            departure_at=stored.departure_at or default.departure_at,
            energy_wh=stored.energy_wh or default.energy_wh,
            mode=stored.mode,
            defaulted=stored.departure_at is None or stored.energy_wh is None,
        )

    # --- token-group defaults ---------------------------------------------------------

    async def set_group_defaults(self, group_id: str, d: ChargingDefaults) -> ChargingDefaults:
        if d.empty:
            raise InvalidInput("give at least one of dwell_h, energy_kwh, mode")
        if any(x is not None and not 0 < x <= 10_000 for x in (d.dwell_h, d.energy_kwh)):
            raise InvalidInput("dwell_h and energy_kwh must be positive")
        if d.mode is not None and d.mode not in MODES:
            raise InvalidInput(f"mode must be one of {', '.join(MODES)}")
        now = self._clock.now()

        def work(uow: UnitOfWork) -> None:
            uow.group_defaults.put(group_id, d, now)
            uow.publish(ev.ChargingDefaultsChanged("", group_id))

        await self._db.write(work)
        return d

    async def group_defaults(self, group_id: str) -> ChargingDefaults:
        found = await self._db.read(lambda uow: uow.group_defaults.get_many([group_id]))
        if group_id not in found:
            raise NotFound(f"no defaults for token group {group_id!r}")
        return found[group_id]

    async def delete_group_defaults(self, group_id: str) -> None:
        def work(uow: UnitOfWork) -> None:
            if not uow.group_defaults.delete(group_id):
                raise NotFound(f"no defaults for token group {group_id!r}")
            uow.publish(ev.ChargingDefaultsChanged("", group_id))

        await self._db.write(work)


def _find(uow: UnitOfWork, transaction_id: str, station_id: str | None) -> Transaction:
    if station_id is not None:
        tx = uow.transactions.find(station_id, transaction_id)
    else:
        tx = uow.transactions.by_id(transaction_id)
    if tx is None:
        raise NotFound(f"transaction {transaction_id!r} not found")
    return tx
