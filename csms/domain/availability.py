"""Requested availability: what csms asked a station for, and whether it has taken effect.

A station answers ChangeAvailability with Accepted, Rejected or Scheduled (a transaction runs
on what should become inoperative: 1.6 §5.2, 2.0.1 G03). A request is `applied` once the
connectors it covers report the matching status (Unavailable for inoperative, Available or in
use for operative); a Scheduled request shows `scheduled` until then.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from csms.domain.model import ConnectorState


@dataclass(frozen=True, slots=True)
class AvailabilityRequest:
    station_id: str
    evse_id: int  # 0: the whole station
    connector_id: int  # 0: the whole EVSE
    operative: bool
    status: str  # the station's reply: Accepted | Rejected | Scheduled
    requested_at: datetime


def covers(req: AvailabilityRequest, c: ConnectorState) -> bool:
    if c.evse_id <= 0:  # 1.6 connector 0 stands for the station, not an outlet
        return False
    if req.evse_id == 0:
        return True
    return c.evse_id == req.evse_id and req.connector_id in (0, c.connector_id)


def matches(operative: bool, status: str, scheduled: bool) -> bool:
    """Does a connector in `status` show the requested availability? After a scheduled change
    the connector must be free (Available), not still in the transaction that delayed it."""
    if not operative:
        return status == "Unavailable"
    if scheduled:
        return status == "Available"
    return status not in ("Unavailable", "Faulted")


def state_of(req: AvailabilityRequest, connectors: Iterable[ConnectorState]) -> str:
    """rejected | scheduled | accepted (not yet visible) | applied."""
    if req.status == "Rejected":
        return "rejected"
    covered = [c for c in connectors if covers(req, c)]
    scheduled = req.status == "Scheduled"
    if covered and all(matches(req.operative, c.status, scheduled) for c in covered):
        return "applied"
    return "scheduled" if scheduled else "accepted"


def pending_for(c: ConnectorState, requests: Iterable[AvailabilityRequest]) -> bool | None:
    """The availability a scheduled request will give connector `c`, if one is pending."""
    for req in sorted(requests, key=lambda r: r.requested_at, reverse=True):
        if covers(req, c) and state_of(req, [c]) == "scheduled":
            return req.operative
    return None
