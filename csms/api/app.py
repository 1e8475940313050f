"""The FastAPI application: routes under /api/v1, docs at /docs."""

from __future__ import annotations

import asyncio

from fastapi import Depends, FastAPI

from csms import __version__
from csms.api import errors
from csms.api.deps import no_nul, require_admin
from csms.api.routes import (
    commands,
    energy,
    events,
    health,
    id_tokens,
    sites,
    smart,
    stations,
    transactions,
)
from csms.services.admin import AdminToken
from csms.services.container import Services

PREFIX = "/api/v1"


def create_app(services: Services, admin_token: AdminToken) -> FastAPI:
    app = FastAPI(
        title="csms",
        version=__version__,
        description="Green-first charging-station management (OCPP 1.6 and 2.0.1). "
        "Authorize with the admin token: `Authorization: Bearer <token>`.",
    )
    app.state.services = services
    app.state.admin_token = admin_token
    app.state.closing = asyncio.Event()  # set by close_streams(): long-lived responses end
    errors.install(app)
    app.include_router(health.router, prefix=PREFIX)
    secured = [Depends(require_admin), Depends(no_nul)]
    for module in (stations, id_tokens, smart, transactions, commands, events, sites,
                   energy):
        app.include_router(module.router, prefix=PREFIX, dependencies=secured)
    return app


def close_streams(app: FastAPI) -> None:
    """End the long-lived responses (the SSE stream), so that the server can shut down."""
    app.state.closing.set()
