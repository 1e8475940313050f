"""Server-Sent Events: what happens to stations and transactions, as it is committed.

Each event has an id; a reader that reconnects with `Last-Event-ID` (browsers send it by
themselves) gets what it missed from the recent events the server keeps. When they are gone
(or the id is from before a restart) it gets a `stream.reset` event: reload, then follow.
A reader scoped to some sites sees only their stations' events.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from sse_starlette import EventSourceResponse, ServerSentEvent

from csms.api.access import Who
from csms.api.deps import Db
from csms.domain.events import Event
from csms.domain.people import Principal
from csms.services.event_log import EventLog, Numbered

router = APIRouter(tags=["events"])

KEEPALIVE_S = 15.0
RESET = "stream.reset"


class _Visibility:
    """Whether a scoped reader may see an event; stations' sites are looked up once."""

    def __init__(self, who: Principal, db: Db) -> None:
        self._who = who
        self._db = db
        self._sites: dict[str, str | None] = {}

    async def allows(self, event: Event) -> bool:
        if self._who.site_ids is None:
            return True
        if event.station_id:
            if event.station_id not in self._sites:
                station = await self._db.read(lambda uow: uow.stations.get(event.station_id))
                self._sites[event.station_id] = station.site_id if station else None
            return self._who.sees_site(self._sites[event.station_id])
        site_id = getattr(event, "site_id", None)  # events about no station name their site
        return site_id is None or self._who.sees_site(str(site_id))


def _message(log: EventLog, n: Numbered) -> ServerSentEvent:
    data = json.dumps({"station_id": n.event.station_id, **n.event.to_json()}, default=str)
    return ServerSentEvent(data=data, event=n.event.type, id=log.event_id(n.seq))


@router.get("/events", response_class=EventSourceResponse)
async def events(
    request: Request,
    db: Db,
    who: Who,
    station_id: str | None = None,
    last_event_id: Annotated[str | None, Header(max_length=64)] = None,
    resume_after: Annotated[str | None, Query(
        max_length=64, description="like the Last-Event-ID header, for clients that cannot "
        "set headers")] = None,
    access_token: Annotated[str | None, Query(
        max_length=256, description="the bearer token, for a browser's EventSource, which "
        "cannot send an Authorization header")] = None,
) -> EventSourceResponse:
    """`text/event-stream`; `event:` is the type (e.g. `transaction.started`), `id:` its id."""
    del access_token  # read by the access check
    closing: asyncio.Event = request.app.state.closing
    log: EventLog = request.app.state.event_log
    visible = _Visibility(who, db)
    wanted = last_event_id or resume_after
    position = log.position(wanted)

    async def stream() -> AsyncIterator[ServerSentEvent]:
        yield ServerSentEvent(comment="connected")
        seq = position if position is not None else log.last_seq
        if position is None:
            yield ServerSentEvent(data=json.dumps({"reason": "unknown or expired event id"}),
                                  event=RESET, id=log.event_id(seq))
        closed = asyncio.ensure_future(closing.wait())
        try:
            while not closing.is_set():
                batch = log.after(seq)
                if batch is None:  # this reader fell behind the ring
                    seq = log.last_seq
                    yield ServerSentEvent(data=json.dumps({"reason": "events were missed"}),
                                          event=RESET, id=log.event_id(seq))
                    continue
                for n in batch:
                    seq = n.seq
                    if station_id is not None and n.event.station_id != station_id:
                        continue
                    if await visible.allows(n.event):
                        yield _message(log, n)
                waiting = asyncio.ensure_future(log.wait(seq))
                try:
                    await asyncio.wait({waiting, closed}, return_when=asyncio.FIRST_COMPLETED)
                finally:
                    waiting.cancel()
        finally:
            closed.cancel()

    return EventSourceResponse(stream(), ping=int(KEEPALIVE_S), sep="\n",
                               headers={"Cache-Control": "no-cache"})
