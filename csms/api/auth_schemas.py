"""Bodies of the reservation, local-list and availability routes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from csms.api.schemas import TOKEN_PATTERN, StationId, Strict, UtcDateTime


class ReservationIn(Strict):
    station_id: str = StationId
    evse_id: int = Field(0, ge=0, le=2**31 - 1, description="0: any EVSE of the station")
    id_token: str = Field(min_length=1, max_length=36, pattern=TOKEN_PATTERN)
    group_id: str | None = Field(None, min_length=1, max_length=36, pattern=TOKEN_PATTERN,
                                 description="any token of this group may use it too")
    expires_at: UtcDateTime


class ReservationOut(BaseModel):
    id: int = Field(description="the reservationId the station knows it by")
    station_id: str
    evse_id: int
    id_token: str
    group_id: str | None
    expires_at: datetime
    status: str = Field(description="Requested (no reply yet), Accepted, Rejected, Occupied, "
                        "Faulted, Unavailable, Cancelled, Expired or Used")
    active: bool
    transaction_id: str | None = Field(description="the transaction that used it")
    created_at: datetime
    history: list[dict[str, Any]]


class LocalListSyncIn(Strict):
    full: bool = Field(True, description="false: only what changed since the last sync")


class LocalListOut(BaseModel):
    station_id: str
    enrolled: bool = Field(description="synced at least once, so kept in sync")
    version: int = Field(description="the list version the station acknowledged last")
    entries: int = Field(description="entries the station holds, as csms sent them")
    pending_entries: int = Field(description="entries the id-token table holds now")
    needs_full: bool
    last_status: str | None = Field(description="Accepted, Failed, VersionMismatch, "
                                    "NotSupported, or Error (no usable reply)")
    last_update: str | None = Field(description="full or differential")
    last_error: str | None
    synced_at: datetime | None


class AvailabilityRequestOut(BaseModel):
    evse_id: int = Field(description="0: the whole station")
    connector_id: int = Field(description="0: the whole EVSE")
    operative: bool
    status: str = Field(description="the station's reply: Accepted, Rejected or Scheduled")
    state: str = Field(description="accepted, scheduled, applied or rejected")
    requested_at: datetime


class ConnectorAvailabilityOut(BaseModel):
    evse_id: int
    connector_id: int
    status: str
    operative: bool
    scheduled_operative: bool | None = Field(
        description="the availability a Scheduled change will give it, once free")


class AvailabilityOut(BaseModel):
    station_id: str
    requests: list[AvailabilityRequestOut]
    connectors: list[ConnectorAvailabilityOut]
