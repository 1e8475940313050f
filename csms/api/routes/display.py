"""Display messages (OCPP 2.0.1 block O) as csms believes a station holds them."""

from __future__ import annotations

from fastapi import APIRouter

from csms.api.deps import DeviceModel
from csms.api.device_schemas import DisplayMessageOut
from csms.domain.device import DisplayMessage

router = APIRouter(tags=["display messages"])


def message_out(m: DisplayMessage) -> DisplayMessageOut:
    return DisplayMessageOut(
        id=m.id, priority=m.priority, state=m.state,
        message={"content": m.content, "format": m.format, "language": m.language},
        start_at=m.start_at, end_at=m.end_at, transaction_id=m.transaction_id,
        evse_id=m.evse_id, source=m.source, updated_at=m.updated_at)


@router.get("/stations/{station_id}/display-messages")
async def station_display_messages(station_id: str, device_model: DeviceModel
                                  ) -> list[DisplayMessageOut]:
    """Set through set-display-message (Accepted) or reported by NotifyDisplayMessages
    (get-display-messages); a complete unfiltered report replaces the list."""
    return [message_out(m) for m in await device_model.display_messages(station_id)]
