"""Green-first smart charging of a site: gather, plan, send the difference, check it holds.

One cycle for a site (`replan`) reads everything it needs in one unit of work, asks the forecast
for green power, runs the pure planner off the event loop, and sends each charger whose
schedule changed materially a TxProfile in its own version (through the gateway's
`set-charging-profile` command). Chargers that refuse profiles, or draw more than they were
allowed, are marked unmanaged: they keep charging, but their maximum is reserved in the site
budget and the API says why. Each connected managed charger also gets a TxDefaultProfile with
its safe share of the site, so the grid limit holds if csms becomes unreachable.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from csms.clock import Clock
from csms.domain.charging_profiles import ChargingProfile
from csms.domain.commands.charging import SetChargingProfile
from csms.domain.errors import DomainError, InvalidInput, StationCallError, StationOffline
from csms.domain.model import Preferences, Site, Transaction
from csms.domain.smart import ChargingCapabilities
from csms.planning import (
    Plan,
    PlanInputs,
    PlanningError,
    SessionNeed,
    clip_to,
    plan,
    slot_floor,
)
from csms.planning.forecast import still_to_come
from csms.services.ports import Database, PlanningLease, StationGateway, UnitOfWork
from csms.services.smart import charging_profiles as cp
from csms.services.smart.arrival_history import ArrivalHistory
from csms.services.smart.capabilities import CapabilityService
from csms.services.smart.composite_check import composite_kw
from csms.services.smart.green_outlook import ForecastFn, GreenOutlook, no_forecast
from csms.services.smart.preferences import PreferenceService
from csms.services.smart.profiles_state import ProfileStateService
from csms.services.smart.site_inputs import SiteInputs, gather

log = logging.getLogger(__name__)

SLOT_MINUTES = 15
SLOT = timedelta(minutes=SLOT_MINUTES)
UNMANAGED = "unmanaged"
MANAGED = "managed"
# A profile csms could not send (the station went away, or csms built one the command layer
# refuses) says nothing of what the charger does with profiles: it is tried again after the
# interval. A refusal, an error, no answer in time or a malformed one make it unmanaged.
NOT_SENT = "not sent: "


@dataclass(frozen=True)
class ChargingConfig:
    evse_max_kw: float = 22.0
    car_max_kw: float = 11.0
    min_amps: float = 6.0
    unit: str = "A"
    min_interval: timedelta = timedelta(minutes=5)
    verify_grace: timedelta = timedelta(minutes=2)
    check_delay: timedelta | None = timedelta(seconds=30)  # GetCompositeSchedule; None: off


@dataclass
class SessionView:
    """One planned session as the plan route shows it."""

    tx: Transaction
    prefs: Preferences
    managed: bool
    plan: list[float] = field(default_factory=list)
    shortfall_kwh: float = 0.0
    last_profile: dict[str, Any] | None = None
    default_source: str | None = None  # "group", "site" or "global" when defaulted


@dataclass
class SiteState:
    site: Site
    computed_at: datetime
    plan: Plan | None
    outlook: GreenOutlook
    sessions: list[SessionView]
    unmanaged: dict[str, str]
    notes: list[str]
    reserve_kw: list[float] = field(default_factory=list)  # held back for likely arrivals
    arriving_kwh: list[float] = field(default_factory=list)  # what those arrivals will want

    @property
    def outlook_start(self) -> datetime:
        """The start of the outlook's first slot (the plan's, when there is one): the slot
        the cycle ran in."""
        return slot_floor(self.computed_at, SLOT_MINUTES)


class SmartChargingService:
    def __init__(self, db: Database, clock: Clock, gateway: StationGateway,
                 preferences: PreferenceService, profiles: ProfileStateService,
                 forecast: ForecastFn = no_forecast,
                 config: ChargingConfig | None = None,
                 capabilities: CapabilityService | None = None,
                 lease: PlanningLease | None = None) -> None:
        self._db = db
        self._lease = lease  # cluster mode: only the site's holder sends its profiles
        self._clock = clock
        self._gateway = gateway
        self._prefs = preferences
        self._profiles = profiles  # what each station holds: told of every profile it took
        self._forecast = forecast
        self.config = config or ChargingConfig()
        self.capabilities = capabilities or CapabilityService(db, clock, gateway)
        self.arrivals = ArrivalHistory(db, clock, self.config.car_max_kw)
        self._sent: dict[tuple[str, str], cp.Sent] = {}  # by (station, transaction id)
        self._strikes: dict[tuple[str, str], int] = {}
        # the TxDefaultProfile (kW) each station was given on this connection; a new split of
        # the site (a station added or removed) is sent again
        self._defaults_sent: dict[str, float] = {}
        self._states: dict[str, SiteState] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._checks: set[asyncio.Task[None]] = set()

    def station_connected(self, station_id: str) -> None:
        """A (re)connected charger may have lost its profiles: send them again, and ask
        again what it can do."""
        self._defaults_sent.pop(station_id, None)
        self.capabilities.forget(station_id)

    def station_booted(self, station_id: str) -> None:
        """A reboot may come with new firmware or settings: probe again."""
        self.capabilities.forget(station_id, running_too=False)

    def wishes_changed(self, station_id: str, transaction_id: str) -> None:
        """The driver changed preferences: the next plan may be sent without waiting."""
        last = self._sent.get((station_id, transaction_id))
        if last is not None:
            last.released = True

    def state(self, site_id: str) -> SiteState | None:
        return self._states.get(site_id)

    async def replan(self, site_id: str) -> SiteState:
        lock = self._locks.setdefault(site_id, asyncio.Lock())
        async with lock:
            return await self._cycle(site_id)

    async def _cycle(self, site_id: str) -> SiteState:
        now = self._clock.now()
        # Another node holds the site (asked through this node's API): plan to show, send
        # nothing, or two nodes would send the same stations different profiles.
        acting = self._lease is None or await self._lease.hold(site_id)
        inputs = await self._db.read(lambda uow: gather(uow, site_id, now))
        probe = [s.id for s in inputs.stations
                 if s.last_boot_at is not None and self._gateway.is_connected(s.id)]
        if acting and await self.capabilities.settle(probe):  # first plan on this connection
            inputs = await self._db.read(lambda uow: gather(uow, site_id, now))
        start = slot_floor(now, SLOT_MINUTES)
        stations = {s.id: s for s in inputs.stations}
        managed = {sid for sid, s in stations.items()
                   if s.charging_control == MANAGED and self._gateway.is_connected(sid)}
        views, needs, base = self._sessions(inputs, managed, now)
        horizon = self._horizon(now, start, views)
        outlook = await self._forecast(site_id, start, horizon)
        notes = [outlook.note] if outlook.note else []
        failed = inputs.site.guard_failure if inputs.site.local_guard else None
        if failed is not None:
            notes.append(f"{failed.describe(inputs.site.grid_limit_kw)}; planned as without "
                         "one (no green above the limit counts as sure) until it is declared "
                         "again (PATCH local_guard true)")
        result: Plan | None = None
        expected = await self.arrivals.expect(inputs.site, start, horizon, SLOT_MINUTES)
        if needs:
            try:
                result = await asyncio.to_thread(plan, PlanInputs(
                    start=start, grid_limit_kw=inputs.site.grid_limit_kw,
                    green_on_site=outlook.on_site, sessions=needs,
                    green_kw=still_to_come(outlook.green_kw, (now - start) / SLOT),
                    green_spread=outlook.spread or (), firm_green_kw=outlook.room_kw,
                    base_load_kw=[base] * horizon, reserve_kw=expected.reserve_kw,
                    arriving_kwh=expected.arriving_kwh, slot_minutes=SLOT_MINUTES))
                notes += list(result.diagnostics.notes)
                if outlook.on_site and outlook.room_kw:  # a profile may outlive csms
                    sure = [max(0.0, inputs.site.grid_limit_kw + f - base)
                            for f in outlook.firm_kw]
                    result = clip_to(result, sure, {n.id: n.min_kw for n in needs})
            except PlanningError as e:
                notes.append(f"planning failed: {e}")
                log.warning("site %s: planning failed: %s", site_id, e)
        if not acting:
            notes.append("planned by another node; shown here, sent from there")
        elif result is not None:
            await self._send(result, views, inputs, now)
        if acting:
            await self._verify(views, inputs, now)
            await self._send_defaults(inputs, managed)
        unmanaged = {s.id: s.charging_control_reason or "unmanaged"
                     for s in inputs.stations if s.charging_control != MANAGED}
        state = SiteState(inputs.site, now, result, outlook, views, unmanaged, notes,
                          expected.reserve_kw, expected.arriving_kwh)
        self._states[site_id] = state
        return state

    def _sessions(self, inputs: SiteInputs, managed: set[str], now: datetime
                  ) -> tuple[list[SessionView], list[SessionNeed], float]:
        cfg = self.config
        min_kw = cp.limit_to_kw(cfg.min_amps, "A")
        views, needs, base = [], [], 0.0
        for tx in inputs.txs:
            layers = inputs.layers.get(tx.pk)
            prefs = self._prefs.effective(tx, inputs.prefs.get(tx.pk), layers)
            is_managed = tx.station_id in managed
            source = self._prefs.resolve(layers)[1] if prefs.defaulted else None
            views.append(SessionView(tx, prefs, is_managed, default_source=source))
            evse_kw = inputs.caps_of(tx.station_id).evse_kw(tx.evse_id, cfg.evse_max_kw)
            external = inputs.external_kw.get(tx.station_id, {})
            if 0 in external:  # a station-wide limit is shared by its running EVSEs
                running = sum(1 for t in inputs.txs if t.station_id == tx.station_id)
                evse_kw = min(evse_kw, external[0] / running)
            if tx.evse_id in external:
                evse_kw = min(evse_kw, external[tx.evse_id])
            if not is_managed:
                base += evse_kw  # it may draw its maximum at any time
                continue
            assert prefs.departure_at is not None and prefs.energy_wh is not None
            remaining = max(0.0, prefs.energy_wh - tx.energy_wh) / 1000
            low = evse_kw < min_kw  # limited below what a car takes: it cannot charge at all
            needs.append(SessionNeed(
                id=str(tx.pk), arrival=max(tx.started_at, now),
                departure=max(prefs.departure_at, now + timedelta(minutes=1)),
                energy_kwh=remaining, max_kw=cfg.car_max_kw, min_kw=0.0 if low else min_kw,
                mode="fast" if prefs.mode == "fast" else "green", defaulted=prefs.defaulted,
                evse_max_kw=0.0 if low else evse_kw))
        return views, needs, base

    @staticmethod
    def _horizon(now: datetime, start: datetime, views: list[SessionView]) -> int:
        last = max([v.prefs.departure_at or now for v in views] + [now + timedelta(hours=2)])
        last = min(last, start + timedelta(hours=36))
        return max(1, int((last - start).total_seconds() // (SLOT_MINUTES * 60)) + 1)

    async def _send(self, result: Plan, views: list[SessionView], inputs: SiteInputs,
                    now: datetime) -> None:
        caps = {v.tx.station_id: inputs.caps_of(v.tx.station_id) for v in views}
        jobs = []
        for view in views:
            key = str(view.tx.pk)
            sp = result.sessions.get(key)
            if sp is None:
                continue
            view.plan = list(sp.power_kw)
            view.shortfall_kwh = sp.shortfall_kwh
            last = self._sent.get(_key(view.tx))
            if cp.should_send(last, result, key, now, self.config.min_interval):
                jobs.append(self._send_one(result, view, now, caps[view.tx.station_id]))
            elif last is not None:
                view.last_profile = _describe(last)
        await asyncio.gather(*jobs)

    async def _send_one(self, result: Plan, view: SessionView, now: datetime,
                        caps: ChargingCapabilities) -> None:
        tx, unit = view.tx, caps.unit(self.config.unit)
        profile, renew_at = cp.tx_profile(
            result, result.sessions[str(tx.pk)], tx.transaction_id, now, view.prefs.departure_at,
            unit, caps.max_periods or cp.MAX_PERIODS, cp.stack_level(caps.max_stack_level))
        status = await self._command(tx.station_id, tx.evse_id, profile)
        accepted = status == "Accepted"
        sent = cp.Sent(result, now, accepted, status, renew_at)
        self._sent[_key(tx)] = sent
        view.last_profile = _describe(sent)
        if not accepted and not status.startswith(NOT_SENT):
            await self._mark_unmanaged(tx.station_id, f"rejected a charging profile: {status}")
        elif accepted:
            self._check_later(tx, sent, unit)

    async def _command(self, station_id: str, evse_id: int, profile: dict[str, Any]) -> str:
        try:
            command = SetChargingProfile(ChargingProfile.from_data(profile), evse_id)
            reply = await self._gateway.send(station_id, command)
        except StationCallError as e:
            return f"CALLERROR {e.code}"
        except (StationOffline, InvalidInput) as e:  # it never reached the charger
            log.info("profile not sent to %s: %s", station_id, e)
            return f"{NOT_SENT}{e}"
        except DomainError as e:  # no answer in time, or one that makes no sense
            return f"no answer: {e}"
        await self._profiles.profile_set(station_id, command, reply)
        return reply.status

    async def _verify(self, views: list[SessionView], inputs: SiteInputs, now: datetime) -> None:
        """A charger drawing well above its limit twice in a row ignores profiles."""
        for view in views:
            sent = self._sent.get(_key(view.tx))
            sample = inputs.power_kw.get(view.tx.pk)
            if sent is None or not sent.accepted or sample is None or not view.managed:
                continue
            sampled_at, measured = sample
            if sampled_at < sent.at + self.config.verify_grace:
                continue  # measured before the charger had time to follow
            await self._judge(view.tx, measured, cp.planned_kw(sent, str(view.tx.pk), now),
                              "draws")

    async def _judge(self, tx: Transaction, kw: float, allowed: float, what: str) -> None:
        """Well above its limit twice in a row, by measurement or by the charger's own
        composite schedule: the charger ignores profiles."""
        key = _key(tx)
        if kw <= allowed * 1.15 + 1.0:
            self._strikes.pop(key, None)
            return
        strikes = self._strikes[key] = self._strikes.get(key, 0) + 1
        if strikes >= 2:
            await self._mark_unmanaged(tx.station_id, (
                f"ignores charging profiles: {what} {kw:.1f} kW, allowed {allowed:.1f} kW"))

    def _check_later(self, tx: Transaction, sent: cp.Sent, unit: str) -> None:
        """One GetCompositeSchedule a little after an accepted TxProfile (owned task)."""
        delay = self.config.check_delay
        if delay is None:
            return
        task = asyncio.create_task(self._check(tx, sent, unit, delay.total_seconds()),
                                   name=f"composite-{tx.station_id}")
        self._checks.add(task)
        task.add_done_callback(self._checks.discard)

    async def _check(self, tx: Transaction, sent: cp.Sent, unit: str, delay: float) -> None:
        await asyncio.sleep(delay)
        if self._sent.get(_key(tx)) is not sent:
            return  # superseded or ended: its successor is checked instead
        try:
            now = self._clock.now()
            kw = await composite_kw(self._gateway, tx.station_id, tx.evse_id, unit, now)
            if kw is not None and self._sent.get(_key(tx)) is sent:
                await self._judge(tx, kw, cp.planned_kw(sent, str(tx.pk), now), "allows")
        except Exception:
            log.exception("composite check failed", extra={"station_id": tx.station_id})

    async def close(self) -> None:
        """Stop the checks and probes in flight (shutdown)."""
        for task in list(self._checks):
            task.cancel()
        await asyncio.gather(*self._checks, return_exceptions=True)
        await self.capabilities.close()

    async def _send_defaults(self, inputs: SiteInputs, managed: set[str]) -> None:
        tops = {s.id: max(inputs.caps_of(s.id).evse_max_kw.values(),
                          default=self.config.evse_max_kw) for s in inputs.stations}
        shares = cp.default_shares(list(tops), inputs.site.grid_limit_kw,
                                   cp.limit_to_kw(self.config.min_amps, "A"), tops)
        todo = [s for s in inputs.stations
                if s.id in managed and self._defaults_sent.get(s.id) != shares[s.id]]
        # cuts first, so that a new split never has the old and the new shares both in force
        todo.sort(key=lambda s: shares[s.id] - self._defaults_sent.get(s.id, 0.0))
        for station in todo:
            unit = inputs.caps_of(station.id).unit(self.config.unit)
            profile = cp.default_profile(shares[station.id], unit)
            status = await self._command(station.id, 0, profile)
            if status == "Accepted":
                self._defaults_sent[station.id] = shares[station.id]
            else:
                log.info("TxDefaultProfile for %s: %s", station.id, status)

    async def _mark_unmanaged(self, station_id: str, reason: str) -> None:
        log.warning("charging control lost: %s", reason, extra={"station_id": station_id})

        def work(uow: UnitOfWork) -> None:
            uow.stations.update(station_id, charging_control=UNMANAGED,
                                charging_control_reason=reason)

        await self._db.write(work)

    def forget(self, station_id: str, transaction_id: str) -> None:
        """The session ended: its charger needs no more profiles."""
        self._sent.pop((station_id, transaction_id), None)
        self._strikes.pop((station_id, transaction_id), None)


def _key(tx: Transaction) -> tuple[str, str]:
    return tx.station_id, tx.transaction_id


def _describe(sent: cp.Sent) -> dict[str, Any]:
    return {"sent_at": sent.at.isoformat(), "status": sent.status, "accepted": sent.accepted}
