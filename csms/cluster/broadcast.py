"""Domain events and cache invalidations for every node.

Two event buses per node: `local` carries what happened on this node (the workers that act on
a station's behalf, such as costs or local lists, listen there, so only the station's node
acts); `everywhere` also carries what other nodes published (the SSE stream and the planner
listen there). Events about no station (id tokens, sites, defaults changed) concern every
node, so they reach `local` too. A node ignores its own broadcasts: no echo.
"""

from __future__ import annotations

import logging

from csms.cluster.messages import BadMessage, EventNote, InvalidationNote, encode
from csms.cluster.wiring import Keys, Outbox
from csms.domain.events import Event
from csms.services.eventbus import EventBus
from csms.services.invalidation import Invalidation, LocalInvalidations

log = logging.getLogger(__name__)


class EventRelay:
    """The EventSink of this node's database and services."""

    def __init__(self, keys: Keys, outbox: Outbox, local: EventBus, everywhere: EventBus) -> None:
        self._keys = keys
        self._outbox = outbox
        self.local = local
        self.everywhere = everywhere

    def publish(self, event: Event) -> None:
        self.local.publish(event)
        self.everywhere.publish(event)
        self._outbox.publish(self._keys.events, encode(EventNote.of(self._keys.node_id, event)))

    def received(self, note: EventNote) -> None:
        if note.sender == self._keys.node_id:
            return
        try:
            event = note.event()
        except BadMessage:  # a node of another version, with types this one does not know
            log.warning("dropped an event of unknown type %r", note.type)
            return
        self.everywhere.publish(event)
        if not event.station_id:
            self.local.publish(event)


class ClusterInvalidations(LocalInvalidations):
    """Invalidations run here at once and reach the handlers of every other node."""

    def __init__(self, keys: Keys, outbox: Outbox) -> None:
        super().__init__()
        self._keys = keys
        self._outbox = outbox

    def publish(self, invalidation: Invalidation) -> None:
        self.deliver(invalidation)
        self._outbox.publish(self._keys.invalidations, encode(
            InvalidationNote(self._keys.node_id, invalidation.kind, invalidation.key)))

    def received(self, note: InvalidationNote) -> None:
        if note.sender != self._keys.node_id:
            self.deliver(Invalidation(note.kind, note.key))
