"""Serves the web console: its page at `/` and its static files under `/console/`.

The page needs no authorization (it holds no data); everything it shows comes from the
bearer-protected API, with the token the person signs in with.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from csms.console import STATIC_DIR

router = APIRouter(include_in_schema=False)

# The page is small and changes with every release: revalidate rather than cache stale code.
_NO_STALE = {"Cache-Control": "no-cache"}
# The console loads only its own files and talks only to its own origin.
_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'")


@router.get("/")
async def console_page() -> FileResponse:
    headers = {**_NO_STALE, "Content-Security-Policy": _CSP, "X-Content-Type-Options": "nosniff"}
    return FileResponse(STATIC_DIR / "index.html", media_type="text/html", headers=headers)


def install(app: FastAPI) -> None:
    """Add the page and mount the static files (a mount cannot travel in a router)."""
    app.include_router(router)
    app.mount("/console", StaticFiles(directory=STATIC_DIR), name="console")
