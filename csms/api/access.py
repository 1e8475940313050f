"""Who may call which route: one declared rule per route, enforced by one dependency.

Every route of the application has a line in RULES: the least role that may call it and how
site scoping applies. A route without a line makes `check_rules` fail at start-up (and the
test that walks every route), so nothing is reachable by accident.

Scope kinds:
- `path`: the route names a station, site or transaction in its path (or a `station_id`
  query); a reader scoped to other sites gets 404, as if it did not exist.
- `list`: the route lists things of several sites and filters them for the reader itself.
- `global`: the resource belongs to no site (id tokens, tariffs, users, ...).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from csms.api.deps import Db
from csms.domain.errors import NotFound
from csms.domain.people import Principal, Role
from csms.services.office.admin import AdminToken

PREFIX = "/api/v1"
Scope = Literal["path", "list", "global"]
PUBLIC = "public"


@dataclass(frozen=True, slots=True)
class Rule:
    role: Role | None  # None: public
    scope: Scope


_TABLE = """
GET    /health                                            public
POST   /auth/login                                        public
POST   /auth/logout                                       viewer   global
GET    /auth/me                                           viewer   global
PUT    /uploads/{token}                                   public
POST   /uploads/{token}                                   public
PUT    /uploads/{token}/{name}                            public
POST   /uploads/{token}/{name}                            public
GET    /users                                             admin    global
POST   /users                                             admin    global
GET    /users/{username}                                  admin    global
PATCH  /users/{username}                                  admin    global
DELETE /users/{username}                                  admin    global
GET    /api-tokens                                        admin    global
POST   /api-tokens                                        admin    global
DELETE /api-tokens/{token_id}                             admin    global
GET    /audit                                             admin    global
GET    /events                                            viewer   list
POST   /stations                                          admin    list
GET    /stations                                          viewer   list
GET    /stations/{station_id}                             viewer   path
PATCH  /stations/{station_id}                             admin    path
DELETE /stations/{station_id}                             admin    path
GET    /stations/{station_id}/reports                     viewer   path
GET    /stations/{station_id}/messages                    viewer   path
GET    /stations/{station_id}/charging-profiles           viewer   path
GET    /stations/{station_id}/charging-limits             viewer   path
GET    /stations/{station_id}/smart-charging              viewer   path
GET    /stations/{station_id}/variables                   viewer   path
GET    /stations/{station_id}/device-reports              viewer   path
GET    /stations/{station_id}/monitors                    viewer   path
GET    /stations/{station_id}/device-events               viewer   path
GET    /stations/{station_id}/display-messages            viewer   path
GET    /stations/{station_id}/security-events             viewer   path
GET    /stations/{station_id}/certificates                viewer   path
POST   /stations/{station_id}/certificates/renew          admin    path
POST   /stations/{station_id}/certificates/install-csms-root  admin  path
POST   /stations/{station_id}/certificates/{serial}/revoke    admin  path
POST   /stations/{station_id}/password                    admin    path
POST   /stations/{station_id}/security-profile            admin    path
GET    /stations/{station_id}/firmware                    viewer   path
POST   /stations/{station_id}/firmware                    operator path
GET    /stations/{station_id}/diagnostics                 viewer   path
GET    /stations/{station_id}/diagnostics/files/{file_id} operator path
GET    /stations/{station_id}/local-list                  viewer   path
POST   /stations/{station_id}/local-list/sync             operator path
GET    /stations/{station_id}/availability                viewer   path
GET    /stations/{station_id}/configuration-policy        viewer   path
POST   /stations/{station_id}/commands/{command}          operator path
POST   /stations/{station_id}/ocpp/{action}               admin    path
GET    /stations/{station_id}/compatibility               viewer   path
PUT    /stations/{station_id}/compatibility               admin    path
DELETE /stations/{station_id}/compatibility               admin    path
GET    /stations/{station_id}/violations                  viewer   path
GET    /compatibility/models                              viewer   global
GET    /compatibility/models/{vendor}/{model}             viewer   global
PUT    /compatibility/models/{vendor}/{model}             admin    global
DELETE /compatibility/models/{vendor}/{model}             admin    global
GET    /certificate-authority                             viewer   global
GET    /id-tokens                                         viewer   global
POST   /id-tokens                                         operator global
GET    /id-tokens/{id_token}                              viewer   global
PATCH  /id-tokens/{id_token}                              operator global
DELETE /id-tokens/{id_token}                              operator global
GET    /token-groups/{group_id}/defaults                  viewer   global
PUT    /token-groups/{group_id}/defaults                  operator global
DELETE /token-groups/{group_id}/defaults                  operator global
GET    /transactions                                      viewer   list
GET    /transactions.csv                                  viewer   list
GET    /transactions/{transaction_id}                     viewer   path
GET    /transactions/{transaction_id}/meter-values        viewer   path
GET    /transactions/{transaction_id}/preferences         viewer   path
PUT    /transactions/{transaction_id}/preferences         operator path
GET    /statements                                        viewer   list
GET    /statements.csv                                    viewer   list
GET    /reservations                                      viewer   list
POST   /reservations                                      operator list
GET    /reservations/{reservation_id}                     viewer   list
DELETE /reservations/{reservation_id}                     operator list
GET    /sites                                             viewer   list
POST   /sites                                             admin    global
GET    /sites/{site_id}                                   viewer   path
PATCH  /sites/{site_id}                                   admin    path
GET    /sites/{site_id}/sources                           viewer   path
POST   /sites/{site_id}/sources                           admin    path
DELETE /sites/{site_id}/sources/{source_id}               admin    path
POST   /sites/{site_id}/sources/{source_id}/readings      operator path
PUT    /sites/{site_id}/sources/{source_id}/forecast      operator path
GET    /sites/{site_id}/sources/{source_id}/forecast      viewer   path
DELETE /sites/{site_id}/sources/{source_id}/forecast      operator path
GET    /sites/{site_id}/plan                              viewer   path
GET    /sites/{site_id}/energy                            viewer   path
GET    /sites/{site_id}/energy.csv                        viewer   path
GET    /sites/{site_id}/station-configuration             viewer   path
PUT    /sites/{site_id}/station-configuration             admin    path
GET    /tariffs                                           viewer   global
POST   /tariffs                                           admin    global
GET    /tariffs/{tariff_id}                               viewer   global
PATCH  /tariffs/{tariff_id}                               admin    global
DELETE /tariffs/{tariff_id}                               admin    global
"""


def _parse(table: str) -> dict[tuple[str, str], Rule]:
    rules: dict[tuple[str, str], Rule] = {}
    for line in table.strip().splitlines():
        method, path, role, *scope = line.split()
        key = (method, path)
        assert key not in rules, f"two rules for {key}"
        rules[key] = (Rule(None, "global") if role == PUBLIC
                      else Rule(Role(role), scope[0]))  # type: ignore[arg-type]
    return rules


RULES = _parse(_TABLE)

# A browser's EventSource cannot send headers: the stream also takes `?access_token=`.
QUERY_TOKEN_ROUTES = frozenset({("GET", "/events")})


def template(route: APIRoute) -> str:
    """The route's path below /api/v1 with converters dropped: `/x/{id:path}` -> `/x/{id}`.
    (Depending on the FastAPI version, a route of an included router knows its prefix or not.)
    """
    path = route.path.removeprefix(PREFIX)
    parts = [p.split(":")[0] + "}" if p.startswith("{") and ":" in p else p
             for p in path.split("/")]
    return "/".join(parts)


def rule_of(method: str, route: APIRoute) -> Rule | None:
    """The rule of a route; the generated command routes share the generic command rule."""
    path = template(route)
    found = RULES.get((method, path))
    generic = "/stations/{station_id}/commands/{command}"
    if found is None and path.startswith(generic.rsplit("/", 1)[0] + "/"):
        found = RULES.get((method, generic))
    return found


def check_rules(routers: list[APIRouter]) -> None:
    """Refuse to build an application with a route that has no rule."""
    missing = [f"{m} {r.path}" for router in routers for r in router.routes
               if isinstance(r, APIRoute) for m in sorted(r.methods or ())
               if rule_of(m, r) is None]
    if missing:
        raise RuntimeError(f"routes without an access rule: {', '.join(missing)}")


_bearer = HTTPBearer(auto_error=False, description="the admin token, a sign-in access token "
                     "(POST /api/v1/auth/login) or an API token")


async def authorize(
    request: Request,
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal | None:
    """The principal of the request, checked against the route's rule (401, 403, 404)."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        raise HTTPException(403, "this route has no access rule")
    rule = rule_of(request.method, route)
    note: dict[str, object] = request.scope.get("csms.audit", {})
    note["action"] = f"{request.method} {PREFIX}{template(route)}"
    if rule is None:
        raise HTTPException(403, "this route has no access rule")
    if rule.role is None:
        return None
    if creds is None and (request.method, template(route)) in QUERY_TOKEN_ROUTES:
        query_token = request.query_params.get("access_token")
        if query_token:
            creds = HTTPAuthorizationCredentials(scheme="Bearer", credentials=query_token)
    principal = await _principal(request, creds)
    note["principal"] = principal
    if not principal.role.allows(rule.role):
        raise HTTPException(403, f"the role {principal.role.value!r} may not do this "
                            f"({rule.role.value} needed)")
    if rule.scope == "path" and principal.site_ids is not None:
        await _check_scope(request, principal)
    request.state.principal = principal
    return principal


async def _principal(request: Request, creds: HTTPAuthorizationCredentials | None) -> Principal:
    if creds is None or creds.scheme.lower() != "bearer":
        raise _unauthorized()
    admin: AdminToken = request.app.state.admin_token
    if admin.check(creds.credentials):
        return Principal("admin-token", Role.ADMIN, None)
    found = await request.app.state.office.people.principal(creds.credentials)
    if found is None:
        raise _unauthorized()
    return found  # type: ignore[no-any-return]


def _unauthorized() -> HTTPException:
    return HTTPException(401, "missing, wrong or expired bearer token",
                         headers={"WWW-Authenticate": "Bearer"})


async def _check_scope(request: Request, principal: Principal) -> None:
    """Things outside the reader's sites do not exist for it (404)."""
    params = request.path_params
    station_id = params.get("station_id") or request.query_params.get("station_id")
    if "site_id" in params and not principal.sees_site(params["site_id"]):
        raise NotFound(f"site {params['site_id']!r} not found")
    if station_id is not None:
        await ensure_station_visible(request.app.state.services.db, principal, station_id)
    if "transaction_id" in params:
        tx_id = params["transaction_id"]
        sites = await request.app.state.office.db.read(
            lambda uow: uow.reports.site_of_transaction(tx_id, station_id))
        if not sites or not all(principal.sees_site(s) for s in sites):
            raise NotFound(f"transaction {tx_id!r} not found")


async def ensure_station_visible(db: Db, who: Principal, station_id: str) -> None:
    """404 for a station on a site the reader may not see (a body's `station_id`)."""
    if who.site_ids is None:
        return
    station = await db.read(lambda uow: uow.stations.get(station_id))
    if station is None or not who.sees_site(station.site_id):
        raise NotFound(f"station {station_id!r} not found")


def current(request: Request) -> Principal:
    """The principal `authorize` found (the admin for public routes never asks)."""
    found: Principal = request.state.principal
    return found


Who = Annotated[Principal, Depends(current)]
