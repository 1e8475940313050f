"""The FastAPI application: routes under /api/v1, docs at /docs."""

from __future__ import annotations

import asyncio

from fastapi import Depends, FastAPI

from csms import __version__
from csms.api import console, errors
from csms.api.deps import no_nul, require_admin
from csms.api.routes import (
    charging_state,
    commands,
    device_model,  # device model
    display,  # display messages
    energy,
    events,
    firmware,
    health,
    id_tokens,
    local_lists,  # local authorization lists, availability
    reservations,  # reservations
    security,  # security events, certificates, credentials
    sites,
    smart,
    stations,
    tariffs,
    token_groups,  # smart charging: per-group defaults
    transactions,
    uploads,
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
    # stations' uploads: the one-time token in the URL is the authorization (issue 4 item 2)
    app.include_router(uploads.router, prefix=PREFIX, dependencies=[Depends(no_nul)])
    app.include_router(firmware.router, prefix=PREFIX,
                       dependencies=[Depends(require_admin), Depends(no_nul)])
    secured = [Depends(require_admin), Depends(no_nul)]
    for module in (stations, id_tokens, smart, transactions, commands, events, sites,
                   energy, token_groups):
        app.include_router(module.router, prefix=PREFIX, dependencies=secured)
    # device model and display messages
    for module in (device_model, display):
        app.include_router(module.router, prefix=PREFIX, dependencies=secured)
    # reservations, local authorization lists, availability
    for module in (reservations, local_lists):
        app.include_router(module.router, prefix=PREFIX, dependencies=secured)
    # security: events, certificates, password and security profile (issue 4 item 8)
    app.include_router(security.router, prefix=PREFIX, dependencies=secured)
    # tariffs; charging profiles and limits per station (issue 4 items 10, 12)
    for module in (tariffs, charging_state):
        app.include_router(module.router, prefix=PREFIX, dependencies=secured)
    console.install(app)  # the web console at / and its files under /console/
    return app


def close_streams(app: FastAPI) -> None:
    """End the long-lived responses (the SSE stream), so that the server can shut down."""
    app.state.closing.set()
