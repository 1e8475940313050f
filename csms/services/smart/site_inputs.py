"""Everything one planning cycle of a site reads, in one unit of work."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from csms.domain.charging_state import in_force_kw
from csms.domain.errors import NotFound
from csms.domain.model import Preferences, Site, Station, Transaction
from csms.domain.smart import ChargingCapabilities
from csms.services.ports import UnitOfWork
from csms.services.smart.preferences import Layers, default_layers


@dataclass
class SiteInputs:
    site: Site
    stations: list[Station]
    txs: list[Transaction]
    prefs: dict[int, Preferences]
    power_kw: dict[int, tuple[datetime, float]]
    layers: dict[int, Layers] = field(default_factory=dict)
    caps: dict[str, ChargingCapabilities] = field(default_factory=dict)
    # external limits in force now, per station and EVSE (0: the whole station)
    external_kw: dict[str, dict[int, float]] = field(default_factory=dict)

    def caps_of(self, station_id: str) -> ChargingCapabilities:
        return self.caps.get(station_id) or ChargingCapabilities(station_id)


def gather(uow: UnitOfWork, site_id: str, now: datetime) -> SiteInputs:
    site = uow.sites.get(site_id)
    if site is None:
        raise NotFound(f"site {site_id!r} not found")
    stations = uow.stations.on_site(site_id)
    txs = uow.transactions.active_for([s.id for s in stations]) if stations else []
    prefs = uow.preferences.get_many([t.pk for t in txs]) if txs else {}
    layers = default_layers(uow, txs, site) if txs else {}
    caps = uow.charging_capabilities.get_many([s.id for s in stations]) if stations else {}
    power: dict[int, tuple[datetime, float]] = {}
    for tx in txs:
        sample = uow.transactions.latest_sample(tx.pk, "Power.Active.Import")
        if sample is not None and sample.si_value is not None:
            power[tx.pk] = (sample.timestamp, sample.si_value / 1000)
    external: dict[str, dict[int, float]] = {}
    for station in stations:  # limits from an energy manager or grid operator (K11/K12)
        in_force = in_force_kw(uow.charging_state.limits(station.id), now)
        if in_force:
            external[station.id] = in_force
    return SiteInputs(site, stations, txs, prefs, power, layers, caps, external)
