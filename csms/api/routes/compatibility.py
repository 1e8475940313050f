"""Compatibility profiles for chargers that break the specification, and what they sent.

A station's own profile wins over the profile of its vendor and model (from its last
BootNotification); without either it is strict. Changes apply from the station's next message.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from csms.api.deps import Compatibility, Stations
from csms.api.routes.stations import violation_out
from csms.api.schemas import ViolationOut
from csms.domain.compatibility import (
    MAX_PATTERN,
    CompatibilityProfile,
    MeterRegister,
    ModelProfile,
)
from csms.services.devices.compatibility import StationCompatibility

router = APIRouter(tags=["compatibility"])

Name = Annotated[str, Path(min_length=1, max_length=64)]


class ProfileIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lenient_validation: bool = Field(
        False, description="repair what breaks the schema where possible (unknown fields "
        "dropped, numbers sent as strings read, long strings cut) and log it; "
        "false: answer a violation with the specification's CALLERROR")
    timezone: str | None = Field(
        None, max_length=64, description="IANA zone for timestamps without an offset "
        "(without one: UTC)", examples=["Europe/Berlin"])
    id_token_pattern: str | None = Field(
        None, max_length=MAX_PATTERN, description="regular expression: its first group is the "
        "real idToken, or without a group, the part it matches is stripped", examples=[
            r"^(.*)-[0-9A-F]{4}$"])
    meter_register: Literal["lifetime", "per_session"] = Field(
        "lifetime", description="per_session: the energy register restarts at 0 for every "
        "transaction")
    ping: bool = Field(True, description="false: csms sends this station no websocket pings")

    def profile(self) -> CompatibilityProfile:
        return CompatibilityProfile(
            lenient_validation=self.lenient_validation, timezone=self.timezone or None,
            id_token_pattern=self.id_token_pattern or None,
            meter_register=MeterRegister(self.meter_register), ping=self.ping)


class ProfileOut(ProfileIn):
    @classmethod
    def of(cls, p: CompatibilityProfile) -> ProfileOut:
        return cls(lenient_validation=p.lenient_validation, timezone=p.timezone,
                   id_token_pattern=p.id_token_pattern,
                   meter_register=p.meter_register.value,  # type: ignore[arg-type]
                   ping=p.ping)


class ModelProfileOut(ProfileOut):
    vendor: str
    model: str


class StationCompatibilityOut(BaseModel):
    station_id: str
    source: Literal["station", "model", "default"] = Field(
        description="where `effective` comes from")
    effective: ProfileOut
    station: ProfileOut | None = Field(description="the station's own profile")
    model: ModelProfileOut | None = Field(description="the profile of its vendor and model")


def _model_out(m: ModelProfile) -> ModelProfileOut:
    return ModelProfileOut(vendor=m.vendor, model=m.model,
                           **ProfileOut.of(m.profile).model_dump())


def _station_out(c: StationCompatibility) -> StationCompatibilityOut:
    return StationCompatibilityOut(
        station_id=c.station_id, source=c.source.value,  # type: ignore[arg-type]
        effective=ProfileOut.of(c.effective),
        station=ProfileOut.of(c.own) if c.own is not None else None,
        model=_model_out(c.model) if c.model is not None else None)


@router.get("/stations/{station_id}/compatibility")
async def get_station_compatibility(station_id: str, stations: Stations,
                                    compatibility: Compatibility) -> StationCompatibilityOut:
    """The profile that applies to the station, and its own and its model's."""
    await stations.get(station_id)  # 404 for an unknown station
    return _station_out(await compatibility.station(station_id))


@router.put("/stations/{station_id}/compatibility")
async def put_station_compatibility(station_id: str, body: ProfileIn, stations: Stations,
                                    compatibility: Compatibility) -> StationCompatibilityOut:
    """Set the station's own profile (it wins over its vendor and model's)."""
    await stations.get(station_id)
    await compatibility.set_station(station_id, body.profile())
    return _station_out(await compatibility.station(station_id))


@router.delete("/stations/{station_id}/compatibility", status_code=204)
async def delete_station_compatibility(station_id: str, stations: Stations,
                                       compatibility: Compatibility) -> Response:
    """Drop the station's own profile: its model's applies, else strict."""
    await stations.get(station_id)
    await compatibility.delete_station(station_id)
    return Response(status_code=204)


@router.get("/stations/{station_id}/violations")
async def list_station_violations(
    station_id: str, stations: Stations, compatibility: Compatibility,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> list[ViolationOut]:
    """What the station sent against its version's schemas, newest first (the last 100 are
    kept; the same violation is logged at most once a minute)."""
    await stations.get(station_id)
    return [violation_out(v) for v in await compatibility.violations(station_id, limit)]


@router.get("/compatibility/models")
async def list_model_compatibility(compatibility: Compatibility) -> list[ModelProfileOut]:
    return [_model_out(m) for m in compatibility.models()]


@router.get("/compatibility/models/{vendor}/{model}")
async def get_model_compatibility(vendor: Name, model: Name, compatibility: Compatibility
                                 ) -> ModelProfileOut:
    return _model_out(compatibility.model(vendor, model))


@router.put("/compatibility/models/{vendor}/{model}")
async def put_model_compatibility(vendor: Name, model: Name, body: ProfileIn,
                                  compatibility: Compatibility) -> ModelProfileOut:
    """The profile of every station whose BootNotification names this vendor and model
    (compared without case), unless the station has its own."""
    profile = ModelProfile(vendor, model, body.profile())
    await compatibility.set_model(profile)
    return _model_out(profile)


@router.delete("/compatibility/models/{vendor}/{model}", status_code=204)
async def delete_model_compatibility(vendor: Name, model: Name, compatibility: Compatibility
                                    ) -> Response:
    await compatibility.delete_model(vendor, model)
    return Response(status_code=204)
