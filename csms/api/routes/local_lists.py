"""A station's local authorization list (sync, state) and its requested availability."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from csms.api.auth_schemas import (
    AvailabilityOut,
    AvailabilityRequestOut,
    ConnectorAvailabilityOut,
    LocalListOut,
    LocalListSyncIn,
)
from csms.api.deps import Availability, LocalLists
from csms.domain.local_lists import LocalListState

router = APIRouter(tags=["local authorization list", "availability"])

_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"description": "unknown station"},
    409: {"description": "station offline"},
    502: {"description": "the station answered with a CALLERROR"},
    504: {"description": "the station did not answer in time"},
}


def list_out(state: LocalListState, enrolled: bool, pending: int) -> LocalListOut:
    return LocalListOut(
        station_id=state.station_id, enrolled=enrolled, version=state.version,
        entries=len(state.entries), pending_entries=pending, needs_full=state.needs_full,
        last_status=state.last_status, last_update=state.last_update,
        last_error=state.last_error, synced_at=state.synced_at)


@router.get("/stations/{station_id}/local-list", responses=_RESPONSES)
async def get_local_list(station_id: str, local_lists: LocalLists) -> LocalListOut:
    state, pending = await local_lists.state(station_id)
    return list_out(state, state.last_status is not None, pending)


@router.post("/stations/{station_id}/local-list/sync", responses=_RESPONSES)
async def sync_local_list(station_id: str, local_lists: LocalLists,
                          body: LocalListSyncIn | None = None) -> LocalListOut:
    """Send the station the whole list generated from the id-token table (or, with
    `full: false`, what changed since its last sync); from then on csms keeps it in sync."""
    await local_lists.sync(station_id, full=body.full if body is not None else True)
    state, pending = await local_lists.state(station_id)
    return list_out(state, True, pending)


@router.get("/stations/{station_id}/availability", responses=_RESPONSES)
async def get_availability(station_id: str, availability: Availability) -> AvailabilityOut:
    """What change-availability asked and the station answered, per scope, with its state:
    a Scheduled change stays `scheduled` until the connectors report it."""
    view = await availability.view(station_id)
    return AvailabilityOut(
        station_id=view.station_id,
        requests=[AvailabilityRequestOut(
            evse_id=r.evse_id, connector_id=r.connector_id, operative=r.operative,
            status=r.status, state=state, requested_at=r.requested_at)
            for r, state in view.requests],
        connectors=[ConnectorAvailabilityOut(
            evse_id=c.evse_id, connector_id=c.connector_id, status=c.status,
            operative=c.status not in ("Unavailable", "Faulted"), scheduled_operative=pending)
            for c, pending in view.connectors])
