"""Liveness: no token needed, so load balancers and `make run` users can probe it.

`{"status": "ok"}` while writes reach the database. When they fail (disk full, read-only
file, database unreachable) stations get errors for what they send, so the check says so:
503 with `{"status": "degraded", "database": {...}}`, until a commit succeeds again.
"""

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from csms.api.deps import Storage

router = APIRouter(tags=["health"])


@router.get("/health", responses={503: {"description": "database writes fail"}})
async def health(storage: Storage) -> Any:
    fault = storage.fault
    if fault is None:
        return {"status": "ok"}
    return JSONResponse({"status": "degraded", "database": {
        "error": fault.error, "since": fault.since.isoformat().replace("+00:00", "Z"),
        "failed_writes": fault.failed_writes}}, status_code=503)
