"""Stations: register, list with live status, change, remove; plus their reports and frames."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from csms.api.access import Who
from csms.api.deps import Compatibility, Db, Gateway, MessageLog, Presence, SmartCharging, Stations
from csms.api.schemas import (
    ConnectorOut,
    EvseOut,
    MessageOut,
    ReportOut,
    StationIn,
    StationOut,
    StationPatch,
    ViolationOut,
)
from csms.domain.compatibility import Violation
from csms.domain.errors import NotFound
from csms.domain.security import SecurityProfile
from csms.services.smart.capabilities import describe  # smart charging
from csms.services.stations.stations import StationView

router = APIRouter(tags=["stations"])


def station_out(view: StationView, gateway: Gateway, presence: Presence) -> StationOut:
    s = view.station
    evses: dict[int, list[ConnectorOut]] = {}
    for c in view.connectors:
        evses.setdefault(c.evse_id, []).append(
            ConnectorOut(connector_id=c.connector_id, status=c.status, error_code=c.error_code,
                         updated_at=c.updated_at))
    connected = gateway.is_connected(s.id)
    return StationOut(
        id=s.id, connected=connected,
        protocol=gateway.protocol_of(s.id) if connected else s.protocol,
        vendor=s.vendor, model=s.model, serial_number=s.serial_number,
        firmware_version=s.firmware_version,
        last_seen=presence.last_seen.get(s.id, s.last_seen),
        last_boot_at=s.last_boot_at, site_id=s.site_id, description=s.description,
        registration_status=s.registration_status,
        charging_control=s.charging_control, charging_control_reason=s.charging_control_reason,
        security_profile=int(s.security_profile), insecure=s.security_profile.insecure,
        evses=[EvseOut(evse_id=k, connectors=v) for k, v in sorted(evses.items())],
    )


@router.post("/stations", status_code=201)
async def register_station(body: StationIn, gateway: Gateway, presence: Presence,
                           stations: Stations, who: Who) -> StationOut:
    if who.site_ids is not None and not who.sees_site(body.site_id):
        raise NotFound(f"site {body.site_id!r} not found")  # only on the reader's own sites
    profile = None if body.security_profile is None else SecurityProfile(body.security_profile)
    view = await stations.register(body.id, body.password, body.site_id, body.description,
                                       profile)
    return station_out(view, gateway, presence)


@router.get("/stations")
async def list_stations(
    stations: Stations,
    gateway: Gateway,
    presence: Presence,
    who: Who,
    response: Response,
    site_id: Annotated[str | None, Query(max_length=64)] = None,
    connected: bool | None = None,
    limit: Annotated[int | None, Query(ge=1, le=10_000,
                                       description="default: all")] = None,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> list[StationOut]:
    """By id; `X-Total-Count` holds the number of all that match the filters."""
    views = [v for v in await stations.all()
             if who.sees_site(v.station.site_id)
             and (site_id is None or v.station.site_id == site_id)
             and (connected is None or gateway.is_connected(v.station.id) == connected)]
    response.headers["X-Total-Count"] = str(len(views))
    page = views[offset:offset + limit if limit is not None else None]
    return [station_out(v, gateway, presence) for v in page]


@router.get("/stations/{station_id}")
async def get_station(station_id: str, gateway: Gateway, presence: Presence,
                      compatibility: Compatibility, stations: Stations,
                      smart_charging: SmartCharging) -> StationOut:
    out = station_out(await stations.get(station_id), gateway, presence)
    # smart charging: the charger's probed capabilities
    out.smart_charging = describe(await smart_charging.capabilities.get(station_id))
    seen = await compatibility.violations(station_id, RECENT_VIOLATIONS)
    out.violations = [violation_out(v) for v in seen] or None
    return out


RECENT_VIOLATIONS = 5


def violation_out(v: Violation) -> ViolationOut:
    return ViolationOut(at=v.at, action=v.action, path=v.path, message=v.message,
                        outcome=v.outcome.value)  # type: ignore[arg-type]


@router.patch("/stations/{station_id}")
async def patch_station(station_id: str, body: StationPatch, gateway: Gateway, presence: Presence,
                        stations: Stations) -> StationOut:
    changes = body.model_dump(exclude_unset=True)
    for key in ("registration_status", "security_profile"):
        if key in changes and changes[key] is None:
            del changes[key]  # not nullable: null leaves it as it is
    view = await stations.update(station_id, changes)
    return station_out(view, gateway, presence)


@router.delete("/stations/{station_id}", status_code=204)
async def delete_station(station_id: str, stations: Stations) -> Response:
    await stations.delete(station_id)
    return Response(status_code=204)


@router.get("/stations/{station_id}/reports")
async def station_reports(
    station_id: str,
    stations: Stations,
    kind: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[ReportOut]:
    """What the station reported: security events, firmware/diagnostics status, reports."""
    rows = await stations.reports(station_id, kind, limit)
    return [ReportOut(kind=k, at=at, data=data) for k, at, data in rows]


@router.get("/stations/{station_id}/messages")
async def station_messages(
    station_id: str, message_log: MessageLog, db: Db, stations: Stations,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[MessageOut]:
    """The newest OCPP frames exchanged with the station (flushed every few seconds)."""
    await message_log.flush(db)
    # The store cuts whole packs, so it may hold a few more than the log's size: never shown.
    # (With the log off, what it kept before is still shown.)
    rows = await stations.messages(station_id, min(limit, message_log.size or limit))
    return [MessageOut(at=at, direction=d, frame=f) for at, d, f in rows]  # type: ignore[arg-type]
