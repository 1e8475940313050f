"""The compatibility profiles in memory, and the log of what stations sent against the schemas.

Every process keeps all profiles (a few rows) and the vendor/model of every station (from its
last BootNotification), loaded at start: the OCPP edge asks `profile(station_id)` for each
message and reads nothing from the database. API writes commit, then publish an invalidation;
every process (this one too) re-reads what changed. A station's own profile wins; else the
profile of its vendor and model; else strict.

Violations are stored bounded (the newest `KEPT` per station), and the same violation of a
station at most once per `REPEAT_S`: a charger that breaks the schema in every message costs
one write a minute, not one per message. A station sending ever new violations (a fuzzer's
values appear in the schema's messages) is stored at most `PER_MINUTE` times a minute.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from csms.clock import Clock, SystemClock
from csms.domain.compatibility import (
    STRICT,
    CompatibilityProfile,
    MeterRegister,
    ModelKey,
    ModelProfile,
    ProfileSource,
    Violation,
)
from csms.domain.errors import NotFound
from csms.services.devices.ports import CompatDatabase, CompatRepo
from csms.services.invalidation import Invalidation, Invalidations

log = logging.getLogger(__name__)

STATION_PROFILE = "compat.station"  # key: station id (its profile or its vendor/model)
MODEL_PROFILES = "compat.models"
KEPT = 100
REPEAT_S = 60.0
PER_MINUTE = 20
_KINDS_REMEMBERED = 64


@dataclass(frozen=True, slots=True)
class StationCompatibility:
    """What applies to a station and where it comes from."""

    station_id: str
    own: CompatibilityProfile | None
    model: ModelProfile | None
    effective: CompatibilityProfile
    source: ProfileSource


class CompatibilityBook:
    def __init__(self, db: CompatDatabase | None = None,
                 invalidations: Invalidations | None = None, clock: Clock | None = None
                 ) -> None:
        self._db = db
        self._invalidations = invalidations
        self._clock = clock or SystemClock()
        self._stations: dict[str, CompatibilityProfile] = {}
        self._models: dict[ModelKey, ModelProfile] = {}
        self._model_of: dict[str, ModelKey] = {}
        self._moved: set[str] = set()  # vendor/model changed by a boot not yet stored
        self._recent: dict[str, OrderedDict[tuple[str, str, str], datetime]] = {}
        self._stored: dict[str, tuple[datetime, int]] = {}  # minute started, writes in it
        self._tasks: set[asyncio.Task[None]] = set()
        if invalidations is not None:
            invalidations.on(STATION_PROFILE, self._on_station)
            invalidations.on(MODEL_PROFILES, lambda _: self._start(self._reload_models()))

    async def load(self) -> None:
        def work(repo: CompatRepo) -> tuple[dict[str, CompatibilityProfile],
                                            list[ModelProfile], dict[str, tuple[str, str]]]:
            return repo.station_profiles(), repo.model_profiles(), repo.station_models()

        if self._db is None:
            return
        own, models, model_of = await self._db.read(work)
        self._stations = own
        self._models = {m.key: m for m in models}
        self._model_of = {sid: ModelKey.of(*vm) for sid, vm in model_of.items()}

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    # --- the hot path: memory only ------------------------------------------------------

    def profile(self, station_id: str) -> CompatibilityProfile:
        own = self._stations.get(station_id)
        if own is not None:
            return own
        key = self._model_of.get(station_id)
        model = self._models.get(key) if key is not None else None
        return model.profile if model is not None else STRICT

    def meter_register(self, station_id: str) -> MeterRegister:
        return self.profile(station_id).meter_register

    def booting(self, station_id: str, vendor: str, model: str) -> CompatibilityProfile:
        """A BootNotification names the station's vendor and model: their profile applies
        from this message on (unless the station has its own)."""
        key = ModelKey.of(vendor, model)
        if self._model_of.get(station_id) != key:
            self._model_of[station_id] = key
            self._moved.add(station_id)
        return self.profile(station_id)

    def booted(self, station_id: str) -> None:
        """The BootNotification is stored: other processes re-read the station's vendor and
        model (it may connect to one of them next)."""
        if station_id in self._moved:
            self._moved.discard(station_id)
            self._changed(STATION_PROFILE, station_id)

    async def record(self, violations: Sequence[Violation]) -> None:
        """Store them (each kind of a station at most once per REPEAT_S). Never raises: the
        log is for people, the station's message goes on whatever happens to it."""
        fresh = [v for v in violations if self._first_in_a_while(v)]
        for v in fresh:
            log.warning("%s %s: %s (%s)", v.action, v.path, v.message, v.outcome.value,
                        extra={"station_id": v.station_id})
        if not fresh or self._db is None or not self._within_budget(fresh[0]):
            return
        try:
            await self._db.write(lambda repo: repo.add_violations(fresh, KEPT))
        except Exception:
            log.exception("violations not stored", extra={"station_id": fresh[0].station_id})

    def _within_budget(self, v: Violation) -> bool:
        started, writes = self._stored.get(v.station_id, (v.at, 0))
        if v.at - started >= timedelta(minutes=1):
            started, writes = v.at, 0
        self._stored[v.station_id] = (started, writes + 1)
        return writes < PER_MINUTE

    def _first_in_a_while(self, v: Violation) -> bool:
        recent = self._recent.setdefault(v.station_id, OrderedDict())
        kind = (v.action, v.path, v.message)
        last = recent.get(kind)
        if last is not None and v.at - last < timedelta(seconds=REPEAT_S):
            return False
        recent[kind] = v.at
        recent.move_to_end(kind)
        while len(recent) > _KINDS_REMEMBERED:
            recent.popitem(last=False)
        return True

    # --- the API: read and change, then invalidate --------------------------------------

    async def station(self, station_id: str) -> StationCompatibility:
        own = self._stations.get(station_id)
        key = self._model_of.get(station_id)
        model = self._models.get(key) if key is not None else None
        source = (ProfileSource.STATION if own is not None else
                  ProfileSource.MODEL if model is not None else ProfileSource.DEFAULT)
        return StationCompatibility(station_id, own, model, self.profile(station_id), source)

    async def set_station(self, station_id: str, profile: CompatibilityProfile) -> None:
        at = self._clock.now()
        await self._store().write(lambda repo: repo.put_station(station_id, profile, at))
        self._stations[station_id] = profile
        self._changed(STATION_PROFILE, station_id)

    async def delete_station(self, station_id: str) -> bool:
        found = await self._store().write(lambda repo: repo.delete_station(station_id))
        self._stations.pop(station_id, None)
        self._changed(STATION_PROFILE, station_id)
        return found

    def models(self) -> list[ModelProfile]:
        return sorted(self._models.values(), key=lambda m: (m.key.vendor, m.key.model))

    def model(self, vendor: str, model: str) -> ModelProfile:
        found = self._models.get(ModelKey.of(vendor, model))
        if found is None:
            raise NotFound(f"no compatibility profile for {vendor!r} {model!r}")
        return found

    async def set_model(self, profile: ModelProfile) -> None:
        at = self._clock.now()
        await self._store().write(lambda repo: repo.put_model(profile, at))
        self._models[profile.key] = profile
        self._changed(MODEL_PROFILES)

    async def delete_model(self, vendor: str, model: str) -> None:
        key = ModelKey.of(vendor, model)
        if not await self._store().write(lambda repo: repo.delete_model(key)):
            raise NotFound(f"no compatibility profile for {vendor!r} {model!r}")
        self._models.pop(key, None)
        self._changed(MODEL_PROFILES)

    async def violations(self, station_id: str, limit: int) -> list[Violation]:
        return await self._store().read(lambda repo: repo.violations(station_id, limit))

    def _store(self) -> CompatDatabase:
        if self._db is None:
            raise RuntimeError("compatibility profiles have no database")
        return self._db

    def _changed(self, kind: str, key: str = "") -> None:
        if self._invalidations is not None:
            self._invalidations.publish(Invalidation(kind, key))

    # --- invalidations from any process -------------------------------------------------

    def _on_station(self, note: Invalidation) -> None:
        self._start(self._reload_station(note.key))

    async def _reload_station(self, station_id: str) -> None:
        def work(repo: CompatRepo) -> tuple[CompatibilityProfile | None, tuple[str, str] | None]:
            return (repo.station_profiles([station_id]).get(station_id),
                    repo.station_models([station_id]).get(station_id))

        own, vendor_model = await self._store().read(work)
        if own is None:
            self._stations.pop(station_id, None)
        else:
            self._stations[station_id] = own
        if vendor_model is not None and station_id not in self._moved:
            self._model_of[station_id] = ModelKey.of(*vendor_model)

    async def _reload_models(self) -> None:
        models = await self._store().read(lambda repo: repo.model_profiles())
        self._models = {m.key: m for m in models}

    def _start(self, coro: Coroutine[Any, Any, None]) -> None:
        if self._db is None:
            coro.close()
            return
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("compatibility profiles not re-read: %r", task.exception())
