"""Station set-up on boot: each accepted station gets the metering its site's policy wants
(measurands and intervals, for planning and green accounting), once.

The policy is a site's (set through the API) or the defaults (stations without a site, sites
without a policy). What was asked of each station, what it answered and when, is recorded; a
value is asked again only when the policy asks another one, when the last ask got no settled
answer, or when the station reports other firmware (an update may reset its configuration).
A refused value is recorded and left alone. Each version's edge (csms.ocpp.vXX.station_setup)
maps the settings to its keys or variables; this service speaks only of settings.

`StationSetupWorker` (csms.workers.station_setup) calls `apply` after an accepted boot and
after a policy change, as tasks it owns, never inside the OCPP handler.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from csms.clock import Clock
from csms.domain import events as ev
from csms.domain.commands.configuration import ConfigurationSetResult, SetConfiguration
from csms.domain.commands.metering import ApplyMeterSettings, SettingOutcome, SettingValue
from csms.domain.errors import NotFound
from csms.domain.station_setup import (
    HOLDS,
    AppliedSetting,
    MeteringPolicy,
    MeterSetting,
    SettingAnswer,
    SettingRequest,
    due,
    without_optional,
)
from csms.services.devices.device_model import DeviceModelService
from csms.services.ports import Database, StationGateway, UnitOfWork

log = logging.getLogger(__name__)

DEFAULT_POLICY = MeteringPolicy()


@dataclass(frozen=True, slots=True)
class StationMetering:
    """A station's metering as the API shows it: the policy in force, the last answer for
    each setting, and the settings csms will ask at the next opportunity."""

    station_id: str
    policy: MeteringPolicy
    settings: list[AppliedSetting]
    pending: list[MeterSetting]


@dataclass(frozen=True, slots=True)
class _Work:
    policy: MeteringPolicy
    requests: list[SettingRequest]
    firmware_version: str | None


def policy_for(uow: UnitOfWork, site_id: str | None) -> MeteringPolicy:
    found = uow.station_setup.policy(site_id) if site_id else None
    return found or DEFAULT_POLICY


class StationSetupService:
    def __init__(self, db: Database, clock: Clock, gateway: StationGateway,
                 device_model: DeviceModelService | None = None) -> None:
        self._db = db
        self._clock = clock
        self._gateway = gateway
        # keeps what the station took, as a `set-configuration` answer would
        self._device_model = device_model

    # --- the API side: policies and what stations answered --------------------------------

    async def policy(self, site_id: str) -> MeteringPolicy:
        def work(uow: UnitOfWork) -> MeteringPolicy:
            _site(uow, site_id)
            return policy_for(uow, site_id)

        return await self._db.read(work)

    async def set_policy(self, site_id: str, wanted: MeteringPolicy) -> MeteringPolicy:
        """The site's policy becomes `wanted` (its version bumped); connected stations of the
        site are asked for what changed soon after, the others at their next boot."""
        now = self._clock.now()

        def work(uow: UnitOfWork) -> MeteringPolicy:
            _site(uow, site_id)
            old = uow.station_setup.policy(site_id)
            policy = replace(wanted, site_id=site_id, updated_at=now,
                             version=(old.version if old else 0) + 1)
            uow.station_setup.put_policy(policy)
            uow.publish(ev.MeteringPolicyChanged("", site_id, policy.version))
            return policy

        return await self._db.write(work)

    async def station(self, station_id: str) -> StationMetering:
        def work(uow: UnitOfWork) -> StationMetering:
            station = uow.stations.get(station_id)
            if station is None:
                raise NotFound(f"station {station_id!r} not found")
            policy = policy_for(uow, station.site_id)
            applied = uow.station_setup.applied(station_id)
            pending = [r.setting for r in due(policy, applied, station.firmware_version)]
            settings = [applied[s] for s in MeterSetting if s in applied]
            return StationMetering(station_id, policy, settings, pending)

        return await self._db.read(work)

    async def stations_of(self, site_id: str) -> list[str]:
        return [s.id for s in await self._db.read(lambda uow: uow.stations.on_site(site_id))]

    # --- the station side ------------------------------------------------------------------

    async def apply(self, station_id: str) -> list[AppliedSetting]:
        """Ask the station for the settings that are due; what it answered, as recorded.
        An error of the whole request (offline, no answer, unusable reply) passes through
        and nothing is recorded: the next boot asks again."""
        todo = await self._db.read(lambda uow: _due(uow, station_id))
        if todo is None or not todo.requests:
            return []
        asked = {r.setting: r for r in todo.requests}
        answers = await self._ask(station_id, todo.requests)
        # A list refused with an optional measurand in it is asked once more without it.
        second = [r2 for r in todo.requests if answers[r.setting].status == "Rejected"
                  and (r2 := without_optional(r)) is not None]
        if second:
            again = await self._ask(station_id, second)
            for r2 in second:
                if again[r2.setting].status in HOLDS:
                    asked[r2.setting], answers[r2.setting] = r2, again[r2.setting]
        now = self._clock.now()
        records = [AppliedSetting(
            station_id=station_id, setting=r.setting, requested=r.requested, value=r.value,
            status=answers[r.setting].status, key=answers[r.setting].key,
            policy_site_id=todo.policy.site_id, policy_version=todo.policy.version,
            firmware_version=todo.firmware_version, asked_at=now,
            note=answers[r.setting].note) for r in asked.values()]

        # the stored device model first: once recorded, the set-up is seen as done
        for r in records:
            var = answers[r.setting].var
            if r.status in HOLDS and var is not None and self._device_model is not None:
                await self._device_model.configuration_set(
                    station_id, SetConfiguration(r.key, r.value),
                    ConfigurationSetResult(r.status, r.status == "RebootRequired", var))

        def work(uow: UnitOfWork) -> None:
            if uow.stations.get(station_id) is None:
                return  # deleted while we asked
            uow.station_setup.record(records)
            uow.publish(ev.StationMeteringSet(
                station_id, todo.policy.site_id, todo.policy.version,
                {r.setting.value: r.status for r in records}))

        await self._db.write(work)
        refused = [f"{r.key}={r.status}" for r in records if r.status not in HOLDS]
        if refused:
            log.warning("metering settings not taken: %s", ", ".join(refused),
                        extra={"station_id": station_id})
        return records

    async def _ask(self, station_id: str, requests: list[SettingRequest]
                   ) -> dict[MeterSetting, SettingAnswer]:
        reply = await self._gateway.send(station_id, ApplyMeterSettings(tuple(
            SettingValue(r.setting.value, r.value) for r in requests)))
        answers = {a.setting: a for a in map(_answer, reply.outcomes)}
        for r in requests:  # a reply that skipped one: not settled, asked again at a boot
            answers.setdefault(r.setting, SettingAnswer(r.setting, "Failed", r.setting.value,
                                                        "no answer for this setting"))
        return answers


def _site(uow: UnitOfWork, site_id: str) -> None:
    if uow.sites.get(site_id) is None:
        raise NotFound(f"site {site_id!r} not found")


def _due(uow: UnitOfWork, station_id: str) -> _Work | None:
    station = uow.stations.get(station_id)
    if station is None:
        return None
    policy = policy_for(uow, station.site_id)
    applied = uow.station_setup.applied(station_id)
    return _Work(policy, due(policy, applied, station.firmware_version), station.firmware_version)


def _answer(outcome: SettingOutcome) -> SettingAnswer:
    return SettingAnswer(MeterSetting(outcome.setting), outcome.status, outcome.key,
                         outcome.note, outcome.var)
