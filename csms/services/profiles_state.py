"""What csms believes each station holds: charging profiles, external limits, reports.

Installed profiles are tracked where every profile command passes: `TrackingGateway` wraps the
station gateway, so the API's commands and the smart-charging planner (which calls
`gateway.command("set-charging-profile", ...)` itself) are both seen without either knowing.
An Accepted `set-charging-profile` installs (replacing the same id), an Accepted
`clear-charging-profile` removes what its criteria match, and a transaction's end removes its
TxProfiles (`follow`, after the stop's commit; at start-up, stops missed by a restart). The raw
OCPP route and profiles inside a remote start are the station's own JSON and not tracked.

Stations' own word is kept beside it: the last ReportChargingProfiles answer (all its parts),
external limits (NotifyChargingLimit / ClearedChargingLimit, 2.0.1 K11-K13) and the EV's
schedules (NotifyEVChargingSchedule, stored as station reports). `external_limit_kw` gives
the planner a station's grid-operator limit in force now, to be respected as a hard cap.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from csms.clock import Clock
from csms.domain.charging_profiles import ChargingProfile, parse_profile, profile_id
from csms.domain.charging_state import (
    ChargingLimit,
    InstalledProfile,
    ProfileReportPart,
    clears,
    in_force_kw,
)
from csms.domain.commands import Command, Result
from csms.domain.errors import NotFound
from csms.domain.events import TRANSACTION_STOPPED
from csms.services.eventbus import EventBus
from csms.services.ports import Database, StationGateway, UnitOfWork

log = logging.getLogger(__name__)
R = TypeVar("R", bound=Result)

EV_SCHEDULE = "NotifyEVChargingSchedule"  # station report kind (stored by the OCPP edge)


def profile_json(p: ChargingProfile) -> dict[str, Any]:
    """The version-agnostic profile as JSON (times as ISO 8601 UTC)."""
    out: dict[str, Any] = {
        "purpose": p.purpose, "stack_level": p.stack_level, "unit": p.unit,
        "periods": [{"start_s": x.start_s, "limit": x.limit}
                    | ({} if x.phases is None else {"phases": x.phases}) for x in p.periods]}
    for key in ("transaction_id", "recurrency", "duration_s", "min_rate"):
        if getattr(p, key) is not None:
            out[key] = getattr(p, key)
    for key in ("valid_from", "valid_to"):
        value = getattr(p, key)
        if value is not None:
            out[key] = value.isoformat().replace("+00:00", "Z")
    return out


@dataclass(frozen=True)
class ProfilesView:
    installed: list[InstalledProfile]
    report: list[ProfileReportPart]  # the last report, all its parts


@dataclass(frozen=True)
class LimitsView:
    limits: list[ChargingLimit]
    in_force_kw: dict[int, float]
    ev_schedules: list[tuple[datetime, dict[str, Any]]]


class ProfileStateService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    # --- after a command ----------------------------------------------------------------
    async def command_done(self, station_id: str, name: str, args: dict[str, Any],
                           reply: dict[str, Any]) -> None:
        if reply.get("status") != "Accepted":
            return
        if name == "set-charging-profile":
            await self._installed(station_id, args, reply)
        elif name == "clear-charging-profile":
            await self._cleared(station_id, args)

    async def _installed(self, station_id: str, args: dict[str, Any],
                         reply: dict[str, Any]) -> None:
        profile = parse_profile(args["profile"])
        evse = profile.target_evse(args.get("evse_id"))
        pid = reply.get("profile_id")
        installed = InstalledProfile(
            station_id=station_id, evse_id=evse, purpose=profile.purpose,
            profile_id=int(pid) if pid is not None else profile_id(
                evse, profile.purpose, profile.stack_level),
            stack_level=profile.stack_level, transaction_id=profile.transaction_id,
            profile=profile_json(profile), set_at=self._clock.now())
        await self._db.write(lambda uow: uow.charging_state.put_profile(installed))

    async def _cleared(self, station_id: str, criteria: dict[str, Any]) -> None:
        def work(uow: UnitOfWork) -> int:
            gone = [p.profile_id for p in uow.charging_state.profiles(station_id)
                    if clears(p, criteria)]
            return uow.charging_state.delete_profiles(station_id, gone) if gone else 0

        removed = await self._db.write(work)
        log.info("%d charging profiles cleared", removed, extra={"station_id": station_id})

    # --- what stations report -----------------------------------------------------------
    async def report(self, station_id: str, request_id: int, evse_id: int, source: str,
                     profiles: list[dict[str, Any]], tbc: bool) -> None:
        """One part of a ReportChargingProfiles answer (the station's own JSON)."""
        now = self._clock.now()

        def work(uow: UnitOfWork) -> None:
            seq = uow.charging_state.next_seq(station_id, request_id)
            uow.charging_state.add_report(ProfileReportPart(
                station_id, request_id, seq, evse_id, source, tuple(profiles), tbc, now))

        await self._db.write(work)

    async def limit_notified(self, station_id: str, evse_id: int | None, source: str,
                             grid_critical: bool | None,
                             schedules: list[dict[str, Any]]) -> None:
        limit = ChargingLimit(station_id, evse_id or 0, source, grid_critical, tuple(schedules),
                              self._clock.now())
        await self._db.write(lambda uow: uow.charging_state.put_limit(limit))

    async def limit_cleared(self, station_id: str, source: str, evse_id: int | None) -> None:
        """Without an EVSE every limit from that source is gone."""
        await self._db.write(
            lambda uow: uow.charging_state.clear_limits(station_id, source, evse_id))

    # --- reads --------------------------------------------------------------------------
    async def profiles(self, station_id: str) -> ProfilesView:
        def work(uow: UnitOfWork) -> ProfilesView | None:
            if uow.stations.get(station_id) is None:
                return None
            return ProfilesView(uow.charging_state.profiles(station_id),
                                uow.charging_state.last_report(station_id))

        view = await self._db.read(work)
        if view is None:
            raise NotFound(f"station {station_id!r} not found")
        return view

    async def limits(self, station_id: str) -> LimitsView:
        def work(uow: UnitOfWork) -> LimitsView | None:
            if uow.stations.get(station_id) is None:
                return None
            limits = uow.charging_state.limits(station_id)
            reports = uow.station_events.recent(station_id, EV_SCHEDULE, limit=20)
            latest: dict[int, tuple[datetime, dict[str, Any]]] = {}
            for _, at, data in reports:  # newest first: keep the newest per EVSE
                latest.setdefault(int(data.get("evseId", 0)), (at, data))
            return LimitsView(limits, in_force_kw(limits, self._clock.now()),
                              [latest[k] for k in sorted(latest)])

        view = await self._db.read(work)
        if view is None:
            raise NotFound(f"station {station_id!r} not found")
        return view

    async def external_limit_kw(self, station_id: str) -> float | None:
        """The station-wide (EVSE 0) external limit in force now, in kW; None when there is
        none. For the planner: reserve no more than this for the station, whatever it plans."""
        limits = await self._db.read(lambda uow: uow.charging_state.limits(station_id))
        return in_force_kw(limits, self._clock.now()).get(0)

    # --- transactions ending ------------------------------------------------------------
    async def follow(self, bus: EventBus) -> None:
        """Drop TxProfiles of ended transactions (runs until cancelled)."""
        async with bus.subscribe({TRANSACTION_STOPPED}) as queue:
            purged = await self._db.write(lambda uow: uow.charging_state.delete_ended_tx_profiles())
            if purged:
                log.info("%d TxProfiles of transactions ended while away dropped", purged)
            while True:
                event = await queue.get()
                if event.type != TRANSACTION_STOPPED:
                    continue
                try:
                    await self.transaction_ended(event.station_id, str(event.data.get("id")))
                except Exception:
                    log.exception("TxProfiles not dropped", extra={"station_id": event.station_id})

    async def transaction_ended(self, station_id: str, transaction_id: str) -> int:
        return await self._db.write(
            lambda uow: uow.charging_state.delete_tx_profiles(station_id, transaction_id))


class TrackingGateway:
    """The station gateway, telling `ProfileStateService` about every command's outcome."""

    def __init__(self, inner: StationGateway, state: ProfileStateService) -> None:
        self._inner = inner
        self._state = state

    def is_connected(self, station_id: str) -> bool:
        return self._inner.is_connected(station_id)

    def protocol_of(self, station_id: str) -> str | None:
        return self._inner.protocol_of(station_id)

    async def disconnect(self, station_id: str, reason: str) -> None:
        await self._inner.disconnect(station_id, reason)

    async def call(self, station_id: str, action: str, payload: dict[str, Any],
                   timeout: float | None = None) -> dict[str, Any]:
        return await self._inner.call(station_id, action, payload, timeout)

    async def send(self, station_id: str, command: Command[R],
                   timeout: float | None = None) -> R:
        return await self._inner.send(station_id, command, timeout)

    async def command(self, station_id: str, name: str, args: dict[str, Any],
                      timeout: float | None = None) -> dict[str, Any]:
        reply = await self._inner.command(station_id, name, args, timeout)
        try:
            await self._state.command_done(station_id, name, args, reply)
        except Exception:  # bookkeeping must not turn the station's answer into an error
            log.exception("%s: charging state not updated", name,
                          extra={"station_id": station_id})
        return reply

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)
