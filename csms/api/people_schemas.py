"""Bodies of sign-in, users, API tokens and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from csms.api.schemas import UtcDateTime
from csms.domain.people import Role

Username = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._@+-]+$")
Password = Field(min_length=8, max_length=256)
SiteIds = Field(None, max_length=1000, description="only these sites (and their stations "
                "and transactions); absent or null: every site")


class LoginIn(BaseModel):
    username: str = Field(max_length=64)
    password: str = Field(max_length=256)


class LoginOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: datetime


class MeOut(BaseModel):
    actor: str = Field(description="`admin-token`, `user:NAME` or `token:NAME`")
    role: Role
    site_ids: list[str] | None


class UserIn(BaseModel):
    username: str = Username
    password: str = Password
    role: Role
    site_ids: list[str] | None = SiteIds


class UserPatch(BaseModel):
    password: str | None = Field(None, min_length=8, max_length=256)
    role: Role | None = None
    site_ids: list[str] | None = SiteIds


class UserOut(BaseModel):
    username: str
    role: Role
    site_ids: list[str] | None
    created_at: datetime
    updated_at: datetime


class ApiTokenIn(BaseModel):
    name: str = Field(min_length=1, max_length=128)
    role: Role
    site_ids: list[str] | None = SiteIds
    expires_at: UtcDateTime | None = None


class ApiTokenOut(BaseModel):
    id: str
    name: str
    role: Role
    site_ids: list[str] | None
    expires_at: datetime | None
    created_at: datetime
    created_by: str
    token: str | None = Field(None, description="the bearer token, shown only in the answer "
                              "to its creation (it is stored hashed)")


class AuditOut(BaseModel):
    id: int
    at: datetime
    actor: str
    role: str | None
    action: str = Field(description="`sign-in`, or METHOD and route, e.g. "
                        "`POST /api/v1/stations/{station_id}/commands/reset`")
    method: str | None
    path: str | None
    station_id: str | None
    site_id: str | None
    status_code: int
    outcome: str | None = Field(description="the station's status for a command, the error "
                                "detail for a refusal")
    client: str | None
