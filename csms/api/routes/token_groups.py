"""Per token-group defaults for sessions without preferences (smart charging).

A group's defaults win over its site's and the settings', field by field. Any group id may
have defaults, even before a token of that group exists.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel, ConfigDict, Field

from csms.api.deps import ChargingPreferences
from csms.domain.smart import ChargingDefaults

router = APIRouter(tags=["smart charging"])

GroupId = Annotated[str, Path(min_length=1, max_length=64)]


class GroupDefaultsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dwell_h: float | None = Field(None, gt=0, le=168, description="assumed stay in hours")
    energy_kwh: float | None = Field(None, gt=0, le=500, description="assumed energy need")
    mode: Literal["green", "fast"] | None = None


class GroupDefaultsOut(GroupDefaultsIn):
    group_id: str


def _out(group_id: str, d: ChargingDefaults) -> GroupDefaultsOut:
    return GroupDefaultsOut(group_id=group_id, dwell_h=d.dwell_h, energy_kwh=d.energy_kwh,
                            mode=d.mode)  # type: ignore[arg-type]


@router.put("/token-groups/{group_id}/defaults")
async def put_group_defaults(group_id: GroupId, body: GroupDefaultsIn,
                             preferences: ChargingPreferences) -> GroupDefaultsOut:
    """Set the group's defaults (a field left out falls back to the site's, then global)."""
    d = ChargingDefaults(body.dwell_h, body.energy_kwh, body.mode)
    return _out(group_id, await preferences.set_group_defaults(group_id, d))


@router.get("/token-groups/{group_id}/defaults")
async def get_group_defaults(group_id: GroupId, preferences: ChargingPreferences
                             ) -> GroupDefaultsOut:
    return _out(group_id, await preferences.group_defaults(group_id))


@router.delete("/token-groups/{group_id}/defaults", status_code=204)
async def delete_group_defaults(group_id: GroupId, preferences: ChargingPreferences) -> Response:
    await preferences.delete_group_defaults(group_id)
    return Response(status_code=204)
