"""Id tokens: the RFID cards and app tokens stations authorize against."""

from __future__ import annotations

from fastapi import APIRouter, Response

from csms.api.deps import Tokens
from csms.api.schemas import IdTokenIn, IdTokenOut, IdTokenPatch
from csms.domain.model import AuthStatus, IdToken

router = APIRouter(tags=["id-tokens"])


def token_out(t: IdToken) -> IdTokenOut:
    return IdTokenOut(id_token=t.id_token, status=t.status, expires_at=t.expires_at,
                      group_id=t.group_id, member=t.member)


@router.post("/id-tokens", status_code=201)
async def add_token(body: IdTokenIn, tokens: Tokens) -> IdTokenOut:
    token = IdToken(**(body.model_dump() | {"status": AuthStatus(body.status)}))
    return token_out(await tokens.add(token))


@router.get("/id-tokens")
async def list_tokens(tokens: Tokens) -> list[IdTokenOut]:
    return [token_out(t) for t in await tokens.all()]


@router.get("/id-tokens/{id_token:path}")
async def get_token(id_token: str, tokens: Tokens) -> IdTokenOut:
    return token_out(await tokens.get(id_token))


@router.patch("/id-tokens/{id_token:path}")
async def patch_token(id_token: str, body: IdTokenPatch, tokens: Tokens) -> IdTokenOut:
    changes = body.model_dump(exclude_unset=True)
    if "status" in changes:
        if changes["status"] is None:  # not nullable: null leaves it as it is
            changes.pop("status")
        else:
            changes["status"] = AuthStatus(changes["status"])
    if not changes:  # nothing to change (an UPDATE without columns is not SQL): as it is
        return token_out(await tokens.get(id_token))
    return token_out(await tokens.update(id_token, changes))


@router.delete("/id-tokens/{id_token:path}", status_code=204)
async def delete_token(id_token: str, tokens: Tokens) -> Response:
    await tokens.delete(id_token)
    return Response(status_code=204)
