"""Request dependencies: the services bundle and the bearer-token check."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from csms.services.admin import AdminToken
from csms.services.container import Services

_bearer = HTTPBearer(auto_error=False, description="the admin token (CSMS_ADMIN_TOKEN)")


def services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


def require_admin(
    request: Request,
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    token: AdminToken = request.app.state.admin_token
    if creds is None or creds.scheme.lower() != "bearer" or not token.check(creds.credentials):
        raise HTTPException(401, "missing or wrong bearer token",
                            headers={"WWW-Authenticate": "Bearer"})


def no_nul(request: Request) -> None:
    """Path and query values with NUL characters are refused (PostgreSQL cannot compare them)."""
    values = [*request.path_params.values(), *request.query_params.values()]
    if any("\x00" in str(v) for v in values):
        raise HTTPException(422, "NUL characters are not allowed in the path or query")


Svc = Annotated[Services, Depends(services)]
