"""Domain errors -> HTTP: `{"detail": ...}` with a fitting code, never a stack trace."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from csms.domain import errors as e

log = logging.getLogger(__name__)

_STATUS: list[tuple[type[e.DomainError], int]] = [
    (e.NotFound, 404),
    (e.Conflict, 409),
    (e.InvalidInput, 422),
    (e.StationOffline, 409),
    (e.StationTimeout, 504),
    (e.StationCallError, 502),
    (e.StationBadReply, 502),
]


def install(app: FastAPI) -> None:
    @app.exception_handler(e.DomainError)
    async def domain_error(_req: Request, exc: e.DomainError) -> JSONResponse:
        code = next((c for kind, c in _STATUS if isinstance(exc, kind)), 400)
        detail: object = str(exc)
        if isinstance(exc, e.StationCallError):
            detail = {"error_code": exc.code, "description": exc.description,
                      "details": exc.details}
        return JSONResponse({"detail": detail}, status_code=code)

    @app.exception_handler(Exception)
    async def unexpected(_req: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled API error")
        return JSONResponse({"detail": "internal error"}, status_code=500)
