"""Server-Sent Events: what happens to stations and transactions, as it is committed."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from csms.api.deps import Svc

router = APIRouter(tags=["events"])

KEEPALIVE_S = 15.0


@router.get("/events", response_class=StreamingResponse)
async def events(request: Request, svc: Svc, station_id: str | None = None) -> StreamingResponse:
    """`text/event-stream`; `event:` is the type (e.g. `transaction.started`)."""

    async def stream() -> AsyncIterator[str]:
        async with svc.events.subscribe() as queue:
            yield ": connected\n\n"
            while not await request.is_disconnected():
                try:
                    event = await asyncio.wait_for(queue.get(), KEEPALIVE_S)
                except TimeoutError:
                    yield ": keepalive\n\n"
                    continue
                if station_id is not None and event.station_id != station_id:
                    continue
                data = json.dumps({"station_id": event.station_id, **event.data}, default=str)
                yield f"event: {event.type}\ndata: {data}\n\n"

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache"})
