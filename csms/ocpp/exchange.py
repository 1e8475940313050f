"""How a typed command becomes one OCPP call and its reply a typed result, whatever the version.

Each version's commands module holds one table from command type to an `Exchange`: `build`
turns the command into the call (raising InvalidInput for what the version cannot express),
`parse` turns the station's reply into the command's result. Only `parse` reads what the
station sent, so only its failures become StationBadReply. A command that needs several calls
in a version is a `Conversation` there.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from csms.domain.commands import Command, Result

C = TypeVar("C", bound=Command[Any])
R = TypeVar("R", bound=Result)


@dataclass(frozen=True, slots=True)
class Call:
    action: str
    payload: dict[str, Any]
    # A call of an optional extension (1.6 security): a station without it answers
    # NotImplemented/NotSupported, which makes the request invalid for it (422), not a failure.
    extension: str | None = None


@dataclass(frozen=True, slots=True)
class Exchange(Generic[C, R]):
    build: Callable[[C, datetime], Call]  # the command, now
    parse: Callable[[dict[str, Any], Call, C], R]  # the reply, the call sent, the command


Ask = Callable[[Call], Awaitable[dict[str, Any]]]  # send one call, the station's reply


@dataclass(frozen=True, slots=True)
class Conversation(Generic[C, R]):
    """A command that takes several calls in this version (1.6 lists installed certificates
    one type at a time): `run(command, now, ask)` makes them through `ask` and builds the
    result. What it reads of the replies fails as StationBadReply, as `parse` does."""

    run: Callable[[C, datetime, Ask], Awaitable[R]]


Table = dict[type[Command[Any]], Exchange[Any, Any] | Conversation[Any, Any]]
