"""Requested availability per station, EVSE and connector: what `change-availability` asked and
what the station answered, shown next to the connector statuses (csms.domain.availability)."""

from __future__ import annotations

from dataclasses import dataclass

from csms.clock import Clock
from csms.domain import availability as rules
from csms.domain.availability import AvailabilityRequest
from csms.domain.commands import Result
from csms.domain.commands.station import ChangeAvailability
from csms.domain.errors import NotFound
from csms.domain.model import ConnectorState
from csms.services.ports import Database, UnitOfWork


@dataclass(frozen=True, slots=True)
class AvailabilityView:
    station_id: str
    requests: list[tuple[AvailabilityRequest, str]]  # with its state
    connectors: list[tuple[ConnectorState, bool | None]]  # with a pending (scheduled) change


class AvailabilityService:
    """Records every change-availability answer (CommandService tells it)."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def answered(self, station_id: str, command: ChangeAvailability,
                       result: Result) -> None:
        # A connector without an EVSE is a 1.6 connectorId, i.e. an EVSE (2.0.1 refuses it).
        evse, connector = command.evse_id, command.connector_id
        if evse is None:
            evse, connector = connector, None
        req = AvailabilityRequest(
            station_id=station_id, evse_id=evse or 0, connector_id=connector or 0,
            operative=command.operative, status=result.status,
            requested_at=self._clock.now())

        def work(uow: UnitOfWork) -> None:
            uow.availability.put(req)

        await self._db.write(work)

    async def view(self, station_id: str) -> AvailabilityView:
        def work(uow: UnitOfWork) -> AvailabilityView:
            if uow.stations.get(station_id) is None:
                raise NotFound(f"station {station_id!r} not found")
            requests = uow.availability.on_station(station_id)
            connectors = uow.stations.connectors([station_id])
            return AvailabilityView(
                station_id,
                [(r, rules.state_of(r, connectors)) for r in requests],
                [(c, rules.pending_for(c, requests)) for c in connectors if c.evse_id > 0])

        return await self._db.read(work)
