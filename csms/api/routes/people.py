"""Sign-in, users, API tokens and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.security import HTTPAuthorizationCredentials

from csms.api.access import Who, _bearer
from csms.api.deps import Audit, People, Sites
from csms.api.people_schemas import (
    ApiTokenIn,
    ApiTokenOut,
    AuditOut,
    LoginIn,
    LoginOut,
    MeOut,
    UserIn,
    UserOut,
    UserPatch,
)
from csms.domain.errors import InvalidInput, NotFound
from csms.domain.people import Credential, User
from csms.services.office.audit import AuditRecord
from csms.services.office.people import SignInRefused, SignInThrottled
from csms.services.office.ports import AuditFilter

router = APIRouter(tags=["people"])


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post("/auth/login", responses={401: {"description": "wrong user name or password"},
                                       429: {"description": "too many failed sign-ins"}})
async def login(body: LoginIn, request: Request, audit: Audit, people: People) -> LoginOut:
    """Sign in; the access token expires (CSMS_SESSION_TTL_S) and is sent as a bearer token."""
    client = _client(request)
    record = AuditRecord(actor=f"user:{body.username}", role=None, action="sign-in",
                         status_code=200, method="POST", path=request.url.path, client=client)
    try:
        token, expires = await people.sign_in(body.username, body.password, client)
    except SignInThrottled as exc:
        await audit.record(_with(record, 429, "throttled"))
        raise HTTPException(429, str(exc),
                            headers={"Retry-After": str(exc.retry_after_s)}) from None
    except SignInRefused as exc:
        await audit.record(_with(record, 401, "wrong user name or password"))
        raise HTTPException(401, str(exc)) from None
    await audit.record(_with(record, 200, "signed in"))
    return LoginOut(access_token=token, expires_at=expires)


def _with(r: AuditRecord, code: int, outcome: str) -> AuditRecord:
    return AuditRecord(r.actor, r.role, r.action, code, r.method, r.path, outcome=outcome,
                       client=r.client)


@router.post("/auth/logout", status_code=204)
async def logout(
    people: People, creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Response:
    """Ends the sign-in session of this access token (API tokens are deleted instead)."""
    if creds is None or not await people.sign_out(creds.credentials):
        raise InvalidInput("this bearer token is not a sign-in session")
    return Response(status_code=204)


@router.get("/auth/me")
async def me(who: Who) -> MeOut:
    """Who this token acts for: what the console shows and hides follows from it."""
    sites = sorted(who.site_ids) if who.site_ids is not None else None
    return MeOut(actor=who.actor, role=who.role, site_ids=sites)


# --- users ---------------------------------------------------------------------------
def user_out(u: User) -> UserOut:
    return UserOut(username=u.username, role=u.role,
                   site_ids=list(u.site_ids) if u.site_ids is not None else None,
                   created_at=u.created_at, updated_at=u.updated_at)


async def _known_sites(sites: Sites, site_ids: list[str] | None) -> None:
    for site_id in site_ids or ():
        try:
            await sites.get(site_id)
        except NotFound:
            raise InvalidInput(f"unknown site {site_id[:64]!r} in site_ids") from None


@router.post("/users", status_code=201)
async def add_user(body: UserIn, sites: Sites, people: People) -> UserOut:
    await _known_sites(sites, body.site_ids)
    return user_out(await people.add_user(body.username, body.password, body.role,
                                              body.site_ids))


@router.get("/users")
async def list_users(people: People) -> list[UserOut]:
    return [user_out(u) for u in await people.users()]


@router.get("/users/{username}")
async def get_user(username: str, people: People) -> UserOut:
    return user_out(await people.user(username))


@router.patch("/users/{username}")
async def patch_user(username: str, body: UserPatch, sites: Sites, people: People) -> UserOut:
    await _known_sites(sites, body.site_ids)
    given = body.model_fields_set
    return user_out(await people.update_user(
        username, body.password, body.role, body.site_ids, "site_ids" in given))


@router.delete("/users/{username}", status_code=204)
async def delete_user(username: str, people: People) -> Response:
    await people.delete_user(username)
    return Response(status_code=204)


# --- API tokens ----------------------------------------------------------------------
def token_out(c: Credential, token: str | None = None) -> ApiTokenOut:
    assert c.role is not None
    return ApiTokenOut(id=c.id, name=c.name, role=c.role,
                       site_ids=list(c.site_ids) if c.site_ids is not None else None,
                       expires_at=c.expires_at, created_at=c.created_at,
                       created_by=c.created_by, token=token)


@router.post("/api-tokens", status_code=201)
async def add_api_token(body: ApiTokenIn, sites: Sites, people: People, who: Who) -> ApiTokenOut:
    """The answer holds the token, once: csms keeps only its hash."""
    await _known_sites(sites, body.site_ids)
    cred, token = await people.add_api_token(body.name, body.role, body.site_ids,
                                                 body.expires_at, who.actor)
    return token_out(cred, token)


@router.get("/api-tokens")
async def list_api_tokens(people: People) -> list[ApiTokenOut]:
    return [token_out(c) for c in await people.api_tokens()]


@router.delete("/api-tokens/{token_id}", status_code=204)
async def delete_api_token(token_id: str, people: People) -> Response:
    await people.delete_api_token(token_id)
    return Response(status_code=204)


# --- audit ---------------------------------------------------------------------------
@router.get("/audit")
async def audit(
    audit: Audit,
    response: Response,
    from_: Annotated[datetime | None, Query(alias="from")] = None,
    to: datetime | None = None,
    actor: Annotated[str | None, Query(max_length=160)] = None,
    station_id: Annotated[str | None, Query(max_length=48)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> list[AuditOut]:
    """Newest first; the number of all matching entries is in `X-Total-Count`."""
    for name, at in (("from", from_), ("to", to)):
        if at is not None and at.tzinfo is None:
            raise InvalidInput(f"{name!r} needs a time zone (e.g. a trailing Z)")
    entries, total = await audit.search(AuditFilter(from_, to, actor, station_id),
                                            limit, offset)
    response.headers["X-Total-Count"] = str(total)
    return [AuditOut(id=e.id, at=e.at, actor=e.actor, role=e.role, action=e.action,
                     method=e.method, path=e.path, station_id=e.station_id,
                     site_id=e.site_id, status_code=e.status_code, outcome=e.outcome,
                     client=e.client) for e in entries]
