"""Remote commands: one documented route per version-agnostic command, plus raw OCPP."""

# No `from __future__ import annotations`: FastAPI must see each route's body model.
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path
from pydantic import BaseModel

from csms.api.command_bodies import command_bodies
from csms.api.deps import Commands
from csms.api.errors import has_non_finite, out_of_range_integer
from csms.domain.errors import InvalidInput, NotFound

router = APIRouter(tags=["commands"])

_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"description": "unknown station"},
    409: {"description": "station offline"},
    422: {"description": "invalid arguments for this station's OCPP version"},
    502: {"description": "the station answered with a CALLERROR"},
    504: {"description": "the station did not answer in time"},
}


def _command_route(name: str, model: type[BaseModel]) -> None:
    optional = all(not f.is_required() for f in model.model_fields.values())
    endpoint: Callable[..., Awaitable[Any]]

    if optional:
        async def run_optional(station_id: str, commands: Commands,
                               body: model | None = None) -> Any:  # type: ignore[valid-type]
            args = (body or model()).model_dump(exclude_none=True)  # type: ignore[attr-defined]
            return await commands.run(station_id, name, args)

        endpoint = run_optional
    else:
        async def run_required(station_id: str, body: model, commands: Commands) -> Any:  # type: ignore[valid-type]
            args = body.model_dump(exclude_none=True)  # type: ignore[attr-defined]
            return await commands.run(station_id, name, args)

        endpoint = run_required
    router.post(
        f"/stations/{{station_id}}/commands/{name}",
        summary=f"{name} (waits for the station's reply)",
        responses=_RESPONSES,
        operation_id=f"command_{name.replace('-', '_')}",
    )(endpoint)


# Every command the API offers, with its request body (hand-written or generated).
BODIES: dict[str, type[BaseModel]] = command_bodies()

for _name, _model in BODIES.items():
    _command_route(_name, _model)


@router.post("/stations/{station_id}/commands/{command}", include_in_schema=False)
async def unknown_command(station_id: str, command: str) -> Any:
    raise NotFound(f"unknown command {command!r}; known: {', '.join(sorted(BODIES))}")


@router.post("/stations/{station_id}/ocpp/{action}", responses=_RESPONSES)
async def raw_ocpp(
    station_id: str,
    action: Annotated[str, Path(pattern=r"^[A-Za-z0-9]{1,64}$")],
    payload: Annotated[dict[str, Any], Body()],
    commands: Commands,
) -> dict[str, Any]:
    """Send a raw OCPP call in the station's own version; the payload is schema-checked first."""
    if has_non_finite(payload):
        raise InvalidInput("NaN and infinite numbers are not JSON")
    if out_of_range_integer(payload):
        raise InvalidInput("integers beyond 64 bits cannot be sent to a station")
    return await commands.raw(station_id, action, payload)
