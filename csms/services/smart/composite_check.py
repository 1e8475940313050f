"""Read back what a charger will actually allow now (GetCompositeSchedule), in kW.

The smart-charging loop asks this a little after a TxProfile was accepted: a charger whose
composite limit for now is far above what csms sent ignores its profiles, which counts as a
strike like drawing too much power does.
"""

from __future__ import annotations

import logging
from datetime import datetime

from csms.domain.charging_profiles import parse_time
from csms.domain.commands.charging import CompositeSchedule, GetCompositeSchedule
from csms.domain.errors import DomainError
from csms.services.ports import StationGateway
from csms.services.smart import charging_profiles as cp

log = logging.getLogger(__name__)

WINDOW_S = 900


async def composite_kw(gateway: StationGateway, station_id: str, evse_id: int, unit: str,
                       now: datetime) -> float | None:
    """The charger's composite limit at `now` in kW; None when it gives none (no verdict)."""
    try:
        reply = await gateway.send(station_id, GetCompositeSchedule(
            evse_id, WINDOW_S, "W" if unit == "W" else "A"))
    except DomainError as e:
        log.info("no composite schedule: %s", e, extra={"station_id": station_id})
        return None
    return limit_at(reply.schedule, now)


def limit_at(schedule: CompositeSchedule | None, now: datetime) -> float | None:
    """The limit of the period covering `now` in a composite schedule, in kW."""
    if schedule is None or not schedule.periods:
        return None
    try:
        start = parse_time(schedule.start or now, "start")
    except DomainError:
        return None
    elapsed = (now - start).total_seconds()
    current = None
    for p in schedule.periods:
        if p.start_s <= max(elapsed, 0):
            current = p
    if current is None:
        return None
    return cp.limit_to_kw(current.limit, schedule.unit, current.phases or cp.PHASES)
