"""What every command and every result is: a frozen dataclass, registered by its API name.

A command type names its result type, so `StationGateway.send(station_id, command)` returns
the result typed; the registry (`COMMAND_TYPES`) is the one list of commands that the API's
routes, the cluster relay and the OCPP edge's tables are keyed to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

R = TypeVar("R", bound="Result")

# name -> command type; filled as the command modules are imported (csms.domain.commands).
COMMAND_TYPES: dict[str, type[Command[Any]]] = {}


def api_commands() -> dict[str, type[Command[Any]]]:
    """The commands the API offers (`/stations/{id}/commands/{name}`)."""
    return {name: typed for name, typed in COMMAND_TYPES.items() if typed.api}


def omitted_when_none() -> Any:
    """A result field that the answer leaves out when the station did not say it."""
    return field(default=None, metadata={"omit_none": True})


@dataclass(frozen=True, slots=True)
class Result:
    """A station's answer in the domain's words; `status` is the station's own word."""

    status: str


@dataclass(frozen=True, slots=True)
class StatusResult(Result):
    """An answer that is only a status (and, in 2.0.1, the reason the station gave)."""

    reason: str | None = omitted_when_none()


class Command(Generic[R]):
    """Base of the command dataclasses: `name` is the API's (`/commands/{name}`) and the
    cluster relay's, `result` the type of the answer. Subclasses are frozen dataclasses
    named in imperative mood."""

    name: ClassVar[str]
    result: ClassVar[type[Result]]
    api: ClassVar[bool] = True  # False: csms sends it on its own; no API route

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        name = cls.__dict__.get("name")
        if isinstance(name, str):
            if name in COMMAND_TYPES and COMMAND_TYPES[name] is not cls:
                raise TypeError(f"two commands named {name!r}")
            COMMAND_TYPES[name] = cls
