"""Domain errors -> HTTP: `{"detail": ...}` with a fitting code, never a stack trace."""

from __future__ import annotations

import logging
import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
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


def json_safe(value: Any) -> Any:
    """`value` with NaN and infinities (which Python's JSON parser lets in) as strings."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def has_non_finite(value: Any) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, dict):
        return any(has_non_finite(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(has_non_finite(v) for v in value)
    return False


INT64 = range(-(2**63), 2**64)  # what a JSON encoder (and most stations) can take


def out_of_range_integer(value: Any) -> bool:
    """An integer beyond 64 bits anywhere in `value`: it cannot be put on the wire."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value not in INT64
    if isinstance(value, dict):
        return any(out_of_range_integer(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(out_of_range_integer(v) for v in value)
    return False


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid_request(_req: Request, exc: RequestValidationError) -> JSONResponse:
        # The input is echoed back: a NaN in it must not turn a 422 into a 500.
        detail = json_safe(jsonable_encoder(exc.errors()))
        return JSONResponse({"detail": detail}, status_code=422)

    @app.exception_handler(e.DomainError)
    async def domain_error(_req: Request, exc: e.DomainError) -> JSONResponse:
        code = next((c for kind, c in _STATUS if isinstance(exc, kind)), 400)
        detail: object = str(exc)
        if isinstance(exc, e.StationCallError):
            detail = {"error_code": exc.code, "description": exc.description,
                      "details": exc.details}
        return JSONResponse({"detail": detail}, status_code=code)

    @app.exception_handler(e.StorageUnavailable)
    async def storage_unavailable(_req: Request, exc: e.StorageUnavailable) -> JSONResponse:
        # Logged by the database writer, once per interval; retrying later is the remedy.
        return JSONResponse({"detail": f"database unavailable: {exc}"}, status_code=503,
                            headers={"Retry-After": "5"})

    @app.exception_handler(Exception)
    async def unexpected(_req: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled API error")
        return JSONResponse({"detail": "internal error"}, status_code=500)
