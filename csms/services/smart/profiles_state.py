"""What csms believes each station holds: charging profiles, external limits, reports.

Installed profiles are tracked by whoever sends a profile command: the API's commands
(CommandService) and the smart-charging planner tell `profile_set` / `profiles_cleared` what
the station answered. An Accepted SetChargingProfile installs (replacing the same id), an
Accepted ClearChargingProfile removes what its criteria match, and a transaction's end removes its
TxProfiles (`follow`, after the stop's commit; at start-up, stops missed by a restart). The raw
OCPP route and profiles inside a remote start are the station's own JSON and not tracked.

Stations' own word is kept beside it: the last ReportChargingProfiles answer (all its parts),
external limits (NotifyChargingLimit / ClearedChargingLimit, 2.0.1 K11-K13) and the EV's
schedules (NotifyEVChargingSchedule, stored as station reports). `external_limit_kw` gives
the planner a station's grid-operator limit in force now, to be respected as a hard cap.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from csms.clock import Clock
from csms.domain.charging_profiles import ChargingProfile
from csms.domain.charging_state import (
    ChargingLimit,
    InstalledProfile,
    LimitSchedule,
    ProfileReportPart,
    clears,
    in_force_kw,
)
from csms.domain.commands import Result
from csms.domain.commands.charging import (
    ClearChargingProfile,
    ProfileSetResult,
    SetChargingProfile,
)
from csms.domain.errors import NotFound
from csms.services.ports import Database, UnitOfWork
from csms.services.smart.ports import EvScheduleForm

log = logging.getLogger(__name__)

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
class EvSchedule:
    """An EV's charging schedule as its station reported it: `as_sent` is shown, not read."""

    evse_id: int
    received_at: datetime
    as_sent: dict[str, Any]


@dataclass(frozen=True)
class LimitsView:
    limits: list[ChargingLimit]
    in_force_kw: dict[int, float]
    ev_schedules: list[EvSchedule]  # the newest per EVSE, by EVSE


class ProfileStateService:
    def __init__(self, db: Database, clock: Clock, ev_schedules: EvScheduleForm) -> None:
        self._db = db
        self._clock = clock
        self._ev_schedules = ev_schedules

    # --- after a command: whoever sent it tells this service what the station took -------
    async def profile_set(self, station_id: str, command: SetChargingProfile,
                          result: ProfileSetResult) -> None:
        if result.status != "Accepted":
            return
        profile = command.profile
        evse = profile.target_evse(command.evse_id)
        installed = InstalledProfile(
            station_id=station_id, evse_id=evse, purpose=profile.purpose,
            profile_id=result.profile_id, stack_level=profile.stack_level,
            transaction_id=profile.transaction_id, profile=profile_json(profile),
            set_at=self._clock.now())
        try:
            await self._db.write(lambda uow: uow.charging_state.put_profile(installed))
        except Exception:  # bookkeeping must not turn the station's answer into an error
            log.exception("charging state not updated", extra={"station_id": station_id})

    async def profiles_cleared(self, station_id: str, command: ClearChargingProfile,
                               result: Result) -> None:
        if result.status != "Accepted":
            return

        def work(uow: UnitOfWork) -> int:
            gone = [p.profile_id for p in uow.charging_state.profiles(station_id)
                    if clears(p, command)]
            return uow.charging_state.delete_profiles(station_id, gone) if gone else 0

        try:
            removed = await self._db.write(work)
        except Exception:  # bookkeeping must not turn the station's answer into an error
            log.exception("charging state not updated", extra={"station_id": station_id})
            return
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
                             grid_critical: bool | None, schedules: Sequence[LimitSchedule],
                             as_sent: Sequence[Mapping[str, Any]]) -> None:
        """`as_sent`: the station's own schedules, kept only to be shown as it sent them."""
        limit = ChargingLimit(station_id, evse_id or 0, source, grid_critical, tuple(schedules),
                              self._clock.now(), tuple(as_sent))
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
            latest: dict[int, EvSchedule] = {}
            for _, at, data in reports:  # newest first: keep the newest per EVSE
                evse_id = self._ev_schedules.evse_id(data)
                latest.setdefault(evse_id, EvSchedule(evse_id, at, data))
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
    async def purge_ended(self) -> int:
        """TxProfiles of transactions that ended while nobody followed the stops."""
        return await self._db.write(lambda uow: uow.charging_state.delete_ended_tx_profiles())

    async def transaction_ended(self, station_id: str, transaction_id: str) -> int:
        return await self._db.write(
            lambda uow: uow.charging_state.delete_tx_profiles(station_id, transaction_id))
