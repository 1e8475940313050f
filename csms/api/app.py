"""The FastAPI application: routes under /api/v1, docs at /docs."""

from __future__ import annotations

import asyncio
from pathlib import Path

import fastapi_offline
from fastapi import Depends, FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.staticfiles import StaticFiles
from starlette.requests import Request
from starlette.responses import HTMLResponse

from csms import __version__
from csms.api import console, errors
from csms.api.access import PREFIX, authorize, check_rules
from csms.api.audit_trail import AuditTrail
from csms.api.deps import no_nul
from csms.api.responses import declare_error_responses
from csms.api.routes import (
    charging_state,
    commands,
    compatibility,  # chargers that break the spec
    device_model,  # device model
    display,  # display messages
    energy,
    events,
    exports,
    firmware,
    health,
    id_tokens,
    local_lists,  # local authorization lists, availability
    people,
    reservations,  # reservations
    security,  # security events, certificates, credentials
    sites,
    smart,
    station_setup,  # metering set on boot
    stations,
    tariffs,
    token_groups,  # smart charging: per-group defaults
    transactions,
    uploads,
)
from csms.services.container import Services
from csms.services.event_log import EventLog
from csms.services.office.admin import AdminToken
from csms.services.office.office import Office

# Swagger UI and ReDoc, served by csms itself (a site network may have no internet): the
# assets of the pinned fastapi-offline package (docs/third-party.md lists their licences).
DOCS_ASSETS = Path(fastapi_offline.__file__).parent / "static"


ROUTES = (
    health,
    uploads,  # stations' uploads: the one-time token in the URL is the authorization
    firmware,
    people,  # sign-in, users, API tokens, audit
    exports,  # before `/transactions/{id}`, which would take `transactions.csv`
    stations, id_tokens, smart, transactions, commands, events, sites, energy, token_groups,
    device_model, display,  # device model and display messages
    reservations, local_lists,  # reservations, local authorization lists, availability
    security,  # security events, certificates, password and security profile
    tariffs, charging_state,  # tariffs; charging profiles and limits per station
    compatibility,  # compatibility profiles, schema violations
    station_setup,  # metering set on boot: site policies, stations' answers
)


def create_app(services: Services, admin_token: AdminToken, office: Office,
               event_log: EventLog) -> FastAPI:
    app = FastAPI(
        title="csms",
        version=__version__,
        description="Green-first charging-station management (OCPP 1.6 and 2.0.1). "
        "Authorize with `Authorization: Bearer <token>`: the admin token, an access token "
        "from `POST /api/v1/auth/login`, or an API token.",
        docs_url=None, redoc_url=None,
    )
    app.state.services = services
    app.state.admin_token = admin_token
    app.state.office = office
    app.state.event_log = event_log
    app.state.closing = asyncio.Event()  # set by close_streams(): long-lived responses end
    errors.install(app)
    # Every route passes the access check: its rule is in csms.api.access.RULES.
    check_rules([module.router for module in ROUTES])
    secured = [Depends(authorize), Depends(no_nul)]
    for module in ROUTES:
        declare_error_responses(module.router)  # 401/403/404/409/422 in the OpenAPI document
        app.include_router(module.router, prefix=PREFIX, dependencies=secured)
    _docs(app)
    app.add_middleware(AuditTrail, audit=office.audit, prefix=PREFIX,
                       skip=(f"{PREFIX}/auth/login",))
    console.install(app)  # the web console at / and its files under /console/
    return app


def _docs(app: FastAPI) -> None:
    app.mount("/docs-assets", StaticFiles(directory=DOCS_ASSETS), name="docs-assets")

    async def swagger(_req: Request) -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json", title="csms API",
            swagger_js_url="/docs-assets/swagger-ui-bundle.js",
            swagger_css_url="/docs-assets/swagger-ui.css",
            swagger_favicon_url="/docs-assets/favicon.png")

    async def redoc(_req: Request) -> HTMLResponse:
        return get_redoc_html(openapi_url="/openapi.json", title="csms API",
                              redoc_js_url="/docs-assets/redoc.standalone.js",
                              redoc_favicon_url="/docs-assets/favicon.png",
                              with_google_fonts=False)

    # plain routes, outside the API and its access rules
    app.add_route("/docs", swagger, include_in_schema=False)
    app.add_route("/redoc", redoc, include_in_schema=False)


def close_streams(app: FastAPI) -> None:
    """End the long-lived responses (the SSE stream), so that the server can shut down."""
    app.state.closing.set()
