"""Server-Sent Events: what happens to stations and transactions, as it is committed."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from csms.api.deps import Svc
from csms.domain.events import Event

router = APIRouter(tags=["events"])

KEEPALIVE_S = 15.0


@router.get("/events", response_class=StreamingResponse)
async def events(request: Request, svc: Svc, station_id: str | None = None) -> StreamingResponse:
    """`text/event-stream`; `event:` is the type (e.g. `transaction.started`)."""
    closing: asyncio.Event = request.app.state.closing

    async def stream() -> AsyncIterator[str]:
        async with svc.events.subscribe() as queue:
            yield ": connected\n\n"
            closed = asyncio.ensure_future(closing.wait())
            getter: asyncio.Future[Event] | None = None
            try:
                while not closing.is_set() and not await request.is_disconnected():
                    getter = asyncio.ensure_future(queue.get())
                    await asyncio.wait({getter, closed}, timeout=KEEPALIVE_S,
                                       return_when=asyncio.FIRST_COMPLETED)
                    if not getter.done():
                        getter.cancel()  # an item put meanwhile stays in the queue
                        if not closing.is_set():
                            yield ": keepalive\n\n"
                        continue
                    event = getter.result()
                    if station_id is not None and event.station_id != station_id:
                        continue
                    data = json.dumps({"station_id": event.station_id, **event.data}, default=str)
                    yield f"event: {event.type}\ndata: {data}\n\n"
            finally:
                closed.cancel()
                if getter is not None:
                    getter.cancel()

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache"})
