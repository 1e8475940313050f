"""The error answers every route can give, declared in the OpenAPI document.

They follow from how a request is checked, before and after its handler runs: the access rule
(401 without a valid token, 403 for a role below the route's), the path (404 for an id that
does not exist, or that a site-scoped reader may not see), the input (422, and 400 for a body
that cannot be read at all) and the state of what a write touches (409: exists already,
station offline, still in use). A route's own declaration of the same code, with its own
description, is kept.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute

from csms.api.access import rule_of
from csms.domain.people import Role

_ERROR = {"content": {"application/json": {"schema": {
    "type": "object", "properties": {"detail": {}}, "required": ["detail"]}}}}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def _answer(description: str) -> dict[str, Any]:
    return {"description": description, **_ERROR}


def _secured(method: str, route: APIRoute, role: Role, scope: str) -> dict[int, str]:
    wanted = {401: "missing, wrong or expired bearer token",
              422: "invalid path, query or body"}
    if role != Role.VIEWER:
        wanted[403] = f"the caller's role is below {role.value}"
    if "{" in route.path or scope == "path":
        wanted[404] = "not found (or on a site the caller may not see)"
    if method in WRITES:
        wanted[409] = "conflicts with the current state (exists already, station offline, " \
                      "in use)"
    return wanted


def declare_error_responses(router: APIRouter) -> None:
    """Before the router is included (the application keeps included routers as they are)."""
    for route in router.routes:
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        method = sorted(route.methods or {"GET"})[0]
        rule = rule_of(method, route)
        if rule is None:
            continue
        declared: dict[int | str, Any] = route.responses
        found = {int(code) for code in declared if str(code).isdigit()}
        wanted: dict[int, str] = {}
        if route.body_field is not None:
            wanted[400] = "the body is not what its content type says (e.g. not JSON)"
        if rule.role is not None:  # public routes declare the rest themselves
            wanted |= _secured(method, route, rule.role, rule.scope)
        for code, description in wanted.items():
            if code not in found:
                declared[code] = _answer(description)
