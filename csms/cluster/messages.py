"""What nodes send each other over Redis: typed messages, JSON on the wire.

Every message names its sender node, so a node can ignore its own broadcasts (no echo).
Anything that does not decode is logged and dropped by the reader, never raised.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from csms.domain import errors
from csms.domain.events import BadEvent, Event, event_from_json


@dataclass(frozen=True, slots=True)
class Request:
    """Run `op` (call, send, disconnect) on the station held by the receiving node."""

    id: str
    sender: str
    op: str
    station_id: str
    name: str = ""
    payload: dict[str, Any] = field(default_factory=dict)
    timeout: float | None = None


@dataclass(frozen=True, slots=True)
class Reply:
    id: str
    sender: str
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Eviction:
    """A newer connection of the station is held by `sender`: close connection `conn`."""

    sender: str
    station_id: str
    conn: str
    protocol: str


@dataclass(frozen=True, slots=True)
class PresenceChange:
    """`sender` now holds the station (protocol set) or no longer does (protocol None)."""

    sender: str
    station_id: str
    protocol: str | None = None


@dataclass(frozen=True, slots=True)
class EventNote:
    """A domain event by its stable name and JSON fields (`Event.to_json`)."""

    sender: str
    type: str
    station_id: str
    data: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, sender: str, event: Event) -> EventNote:
        return cls(sender, event.type, event.station_id, event.to_json())

    def event(self) -> Event:
        """Raises BadMessage for an event type or fields this node does not know."""
        try:
            return event_from_json(self.type, self.station_id, self.data)
        except BadEvent as e:
            raise BadMessage(str(e)) from e


@dataclass(frozen=True, slots=True)
class InvalidationNote:
    sender: str
    kind: str
    key: str


Message = Request | Reply | Eviction | PresenceChange | EventNote | InvalidationNote
_KINDS: dict[str, type[Message]] = {
    cls.__name__: cls
    for cls in (Request, Reply, Eviction, PresenceChange, EventNote, InvalidationNote)
}


class BadMessage(ValueError):
    pass


def encode(message: Message) -> bytes:
    body = asdict(message)
    body["message"] = type(message).__name__  # no message has a field of that name
    return json.dumps(body, separators=(",", ":"), default=str).encode()


def decode(raw: bytes | str) -> Message:
    try:
        body = json.loads(raw)
        cls = _KINDS[body.pop("message")]
        return cls(**body)
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        raise BadMessage(f"undecodable cluster message: {e!r}") from e


# --- errors crossing nodes: the requesting node raises what the holding node raised ------
_ERRORS: dict[str, type[errors.DomainError]] = {
    cls.__name__: cls for cls in (errors.NotFound, errors.Conflict, errors.InvalidInput,
                                  errors.StationOffline, errors.StationTimeout,
                                  errors.StationBadReply)
}


def error_of(exc: BaseException) -> dict[str, Any]:
    if isinstance(exc, errors.StationCallError):
        return {"type": "StationCallError", "code": exc.code,
                "description": exc.description, "details": exc.details}
    name = type(exc).__name__
    if name in _ERRORS and isinstance(exc, errors.DomainError):
        return {"type": name, "message": str(exc)}
    return {"type": "internal", "message": f"{name} on the station's node"}


def raise_error(error: dict[str, Any]) -> None:
    kind = error.get("type")
    if kind == "StationCallError":
        raise errors.StationCallError(str(error.get("code")), str(error.get("description")),
                                      error.get("details"))
    cls = _ERRORS.get(str(kind))
    if cls is not None:
        raise cls(str(error.get("message")))
    raise RuntimeError(str(error.get("message", "the station's node failed")))
