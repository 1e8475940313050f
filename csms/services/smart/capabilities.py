"""Ask each charger once per connection what it can do with charging profiles.

Two typed commands: what the charger can do with profiles (the edge asks 1.6 configuration
keys or 2.0.1 SmartChargingCtrlr variables) and the most each EVSE can deliver (2.0.1
EVSE.Power MaxSet; a 1.6 station cannot say). The answers are stored per station and drive
the profiles csms sends: the unit, the number of periods, the stack level and the EVSE
maximum. A charger that says it has no smart
charging is marked unmanaged (and managed again if a later probe says it has).

Probes run as tasks this service owns, started by the smart-charging loop (never inside an
OCPP handler); a probe that fails leaves the capabilities unknown, so csms falls back to its
settings, and is not retried before the charger reconnects or reboots.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from csms.clock import Clock
from csms.domain import events as ev
from csms.domain.commands.capabilities import GetEvsePower, GetProfileCapabilities
from csms.domain.errors import DomainError, InvalidInput, StationOffline, StationTimeout
from csms.domain.smart import ChargingCapabilities
from csms.services.ports import Database, StationGateway, UnitOfWork

log = logging.getLogger(__name__)

NO_SMART_CHARGING = "smart charging not available: "


class CapabilityService:
    def __init__(self, db: Database, clock: Clock, gateway: StationGateway,
                 timeout: float = 10.0) -> None:
        self._db = db
        self._clock = clock
        self._gateway = gateway
        self.timeout = timeout
        self._tasks: dict[str, asyncio.Task[ChargingCapabilities | None]] = {}

    def forget(self, station_id: str, running_too: bool = True) -> None:
        """A new connection or a reboot: the next plan probes the charger again (a probe
        still running is kept when `running_too` is false: it is asking the new boot)."""
        task = self._tasks.get(station_id)
        if task is None or (not running_too and not task.done()):
            return
        del self._tasks[station_id]
        task.cancel()

    def ensure(self, station_ids: Iterable[str]) -> list[asyncio.Task[ChargingCapabilities | None]]:
        """Start a probe for each station not probed on this connection; the unfinished ones."""
        for sid in station_ids:
            if sid not in self._tasks:
                self._tasks[sid] = asyncio.create_task(self._run(sid), name=f"probe-{sid}")
        return [t for sid in station_ids if not (t := self._tasks[sid]).done()]

    async def settle(self, station_ids: Iterable[str]) -> bool:
        """Probe the stations (if not yet on this connection); True if anything was learnt."""
        pending = self.ensure(station_ids)
        if not pending:
            return False
        await asyncio.wait(pending, timeout=self.timeout + 1)
        return True

    async def get(self, station_id: str) -> ChargingCapabilities | None:
        caps = await self._db.read(lambda uow: uow.charging_capabilities.get_many([station_id]))
        return caps.get(station_id)

    async def close(self) -> None:
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _run(self, station_id: str) -> ChargingCapabilities | None:
        try:
            caps = await self.probe(station_id)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("probing charging capabilities failed", extra={"station_id": station_id})
            return None
        if caps is not None:
            await self._store(caps)
        return caps

    async def probe(self, station_id: str) -> ChargingCapabilities | None:
        """Ask the charger; None if it went away (nothing learnt, nothing stored)."""
        if not self._gateway.is_connected(station_id):
            return None
        caps = ChargingCapabilities(station_id, probed_at=self._clock.now())
        try:
            said = await self._gateway.send(station_id, GetProfileCapabilities(),
                                            timeout=self.timeout)
        except (StationOffline, StationTimeout):
            return None  # nothing learnt: keep what an earlier connection told
        except DomainError as e:  # it answered, but not with its settings
            log.info("no charging capabilities: %s", e, extra={"station_id": station_id})
            return replace(caps, note=f"GetConfiguration failed: {e}")
        return replace(caps, smart_charging=said.smart_charging, rate_units=said.rate_units,
                       max_periods=said.max_periods, max_stack_level=said.max_stack_level,
                       max_profiles=said.max_profiles,
                       limit_change_significance=said.limit_change_significance,
                       note=said.note, evse_max_kw=await self._evse_power(station_id))

    async def _evse_power(self, station_id: str) -> dict[int, float]:
        """The most each EVSE the station reported can deliver, where its version says."""
        states = await self._db.read(lambda uow: uow.stations.connectors([station_id]))
        evses = sorted({c.evse_id for c in states if c.evse_id > 0}) or [1]
        try:
            said = await self._gateway.send(station_id, GetEvsePower(tuple(evses)),
                                            timeout=self.timeout)
        except InvalidInput:
            return {}  # the station's version cannot say
        except DomainError as e:
            log.info("no EVSE.Power: %s", e, extra={"station_id": station_id})
            return {}
        return said.max_kw

    async def _store(self, caps: ChargingCapabilities) -> None:
        def work(uow: UnitOfWork) -> None:
            station = uow.stations.get(caps.station_id)
            if station is None:
                return  # deleted while we asked
            uow.charging_capabilities.put(caps)
            reason = station.charging_control_reason or ""
            if caps.smart_charging is False and station.charging_control == "managed":
                why = NO_SMART_CHARGING + (caps.note or "disabled")
                uow.stations.update(caps.station_id, charging_control="unmanaged",
                                    charging_control_reason=why)
            elif caps.smart_charging and reason.startswith(NO_SMART_CHARGING):
                uow.stations.update(caps.station_id, charging_control="managed",
                                    charging_control_reason=None)
            uow.publish(ev.CapabilitiesProbed(caps.station_id, caps.smart_charging,
                                              list(caps.rate_units), caps.max_periods))

        await self._db.write(work)
        if caps.smart_charging is False:
            log.warning("charger has no smart charging: unmanaged",
                        extra={"station_id": caps.station_id})


def describe(caps: ChargingCapabilities | None) -> dict[str, Any] | None:
    """The API's view (`smart_charging` of a station)."""
    if caps is None:
        return None
    return {
        "enabled": caps.smart_charging, "rate_units": list(caps.rate_units),
        "max_periods": caps.max_periods, "max_stack_level": caps.max_stack_level,
        "max_profiles": caps.max_profiles,
        "limit_change_significance": caps.limit_change_significance,
        "evse_max_kw": {str(k): v for k, v in sorted(caps.evse_max_kw.items())},
        "probed_at": caps.probed_at, "note": caps.note,
    }
