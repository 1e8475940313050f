"""Helpers for the API tests: register stations, and play a station answering CSMS calls."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import httpx

from tests.helpers import RawStation


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


async def register(api: httpx.AsyncClient, station_id: str, **fields: Any) -> dict[str, Any]:
    r = await api.post("/stations", json={"id": station_id, **fields})
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


async def answer_call(
    st: RawStation,
    reply: dict[str, Any] | None = None,
    error: tuple[str, str] | None = None,
    timeout: float = 5.0,
) -> list[Any]:
    """Read the next CALL the server sends and answer it with `reply` or a CALLERROR."""
    while True:
        frame = await st.recv(timeout)
        if frame[0] == 2:
            break
    if error is not None:
        await st.send([4, frame[1], error[0], error[1], {"hint": "from test"}])
    else:
        await st.send([3, frame[1], reply if reply is not None else {}])
    return frame


async def command(
    api: httpx.AsyncClient,
    st: RawStation,
    path: str,
    body: Any = None,
    reply: dict[str, Any] | None = None,
    error: tuple[str, str] | None = None,
) -> tuple[list[Any], httpx.Response]:
    """POST `path` while the station answers the CALL it receives: (CALL frame, response)."""
    kwargs: dict[str, Any] = {} if body is None else {"json": body}
    request = asyncio.create_task(api.post(path, **kwargs))
    try:
        frame = await answer_call(st, reply, error)
    except BaseException:
        request.cancel()
        raise
    return frame, await request


def assert_detail(r: httpx.Response, *codes: int) -> Any:
    """A 4xx/5xx JSON `{"detail": ...}` with one of `codes` (never a 500)."""
    assert r.status_code in codes, (r.status_code, r.text)
    assert r.headers["content-type"].startswith("application/json"), r.headers
    body = r.json()
    assert isinstance(body, dict) and "detail" in body, body
    return body["detail"]
