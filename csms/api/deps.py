"""Request dependencies: the services bundle and input hygiene (access: csms.api.access)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from csms.services.container import Services


def services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


def no_nul(request: Request) -> None:
    """Path and query values with NUL characters are refused (PostgreSQL cannot compare them)."""
    values = [*request.path_params.values(), *request.query_params.values()]
    if any("\x00" in str(v) for v in values):
        raise HTTPException(422, "NUL characters are not allowed in the path or query")


Svc = Annotated[Services, Depends(services)]
