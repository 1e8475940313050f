"""Domain events, published after their commit; the API streams them as Server-Sent Events."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Event:
    """`type` is past tense (`transaction.started`); `data` is JSON-ready."""

    type: str
    station_id: str
    data: dict[str, Any] = field(default_factory=dict)


STATION_CONNECTED = "station.connected"
STATION_DISCONNECTED = "station.disconnected"
STATION_BOOTED = "station.booted"
STATUS_CHANGED = "status.changed"
TRANSACTION_STARTED = "transaction.started"
TRANSACTION_UPDATED = "transaction.updated"
TRANSACTION_STOPPED = "transaction.stopped"
# security (issue 4 item 8)
SECURITY_EVENT = "station.security_event"
