"""Users, sign-in with expiring access tokens, throttling, API tokens shown once."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

from tests.api.support import assert_detail
from tests.conftest import ServerFactory, api_client
from tests.people.fleet import client


async def add_user(api: httpx.AsyncClient, name: str, role: str, **extra: Any) -> None:
    r = await api.post("/users", json={"username": name, "password": "correct horse",
                                       "role": role, **extra})
    assert r.status_code == 201, r.text
    assert "password" not in r.json() and "password_hash" not in r.json()


async def login(server: Any, name: str, password: str = "correct horse") -> httpx.Response:
    async with client(server, None) as anonymous:
        return await anonymous.post("/auth/login", json={"username": name,
                                                         "password": password})


async def test_a_user_signs_in_and_acts_with_the_role_given(server: Any,
                                                            api: httpx.AsyncClient) -> None:
    await add_user(api, "vera", "viewer")
    r = await login(server, "vera")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["token_type"] == "bearer" and body["expires_at"].endswith(("Z", "+00:00"))
    async with client(server, body["access_token"]) as vera:
        assert (await vera.get("/auth/me")).json() == {
            "actor": "user:vera", "role": "viewer", "site_ids": None}
        assert (await vera.get("/stations")).status_code == 200
        assert_detail(await vera.post("/id-tokens", json={"id_token": "X1"}), 403)
        # a new role applies at once to the sessions the user has
        assert (await api.patch("/users/vera", json={"role": "operator"})).status_code == 200
        assert (await vera.post("/id-tokens", json={"id_token": "X1"})).status_code == 201
        assert_detail(await vera.get("/users"), 403)
        # signing out ends this session
        assert (await vera.post("/auth/logout")).status_code == 204
        assert_detail(await vera.get("/stations"), 401)


async def test_a_new_password_works_and_a_removed_user_is_locked_out(
        server: Any, api: httpx.AsyncClient) -> None:
    await add_user(api, "olga", "operator")
    token = (await login(server, "olga")).json()["access_token"]
    r = await api.patch("/users/olga", json={"password": "battery staple"})
    assert r.status_code == 200
    assert_detail(await login(server, "olga"), 401)
    assert (await login(server, "olga", "battery staple")).status_code == 200
    assert [u["username"] for u in (await api.get("/users")).json()] == ["olga"]
    assert (await api.delete("/users/olga")).status_code == 204
    async with client(server, token) as olga:
        assert_detail(await olga.get("/stations"), 401)
    assert_detail(await api.delete("/users/olga"), 404)


async def test_bad_user_input_is_422_or_409(server: Any, api: httpx.AsyncClient) -> None:
    for body in ({"username": "a", "password": "short", "role": "viewer"},
                 {"username": "a b", "password": "long enough", "role": "viewer"},
                 {"username": "a", "password": "long enough", "role": "god"},
                 {"username": "a", "password": "long enough", "role": "viewer",
                  "site_ids": ["nowhere"]},
                 {"username": "", "password": "long enough", "role": "viewer"}):
        assert_detail(await api.post("/users", json=body), 422)
    await add_user(api, "dup", "viewer")
    assert_detail(await api.post("/users", json={"username": "dup", "password": "whatever1",
                                                 "role": "viewer"}), 409)
    assert_detail(await api.patch("/users/nobody", json={"role": "admin"}), 404)
    assert_detail(await api.patch("/users/dup", json={"password": "short"}), 422)
    assert_detail(await login(server, "x" * 65), 422)
    async with client(server, None) as anonymous:
        assert_detail(await anonymous.post("/auth/login", json={"username": "dup"}), 422)


async def test_sign_in_is_throttled_after_repeated_failures(server: Any,
                                                            api: httpx.AsyncClient) -> None:
    await add_user(api, "tess", "viewer")
    for _ in range(5):
        assert_detail(await login(server, "tess", "wrong password"), 401)
    r = await login(server, "tess")  # even the right password waits now
    assert_detail(r, 429)
    assert int(r.headers["retry-after"]) > 0
    assert (await login(server, "someone-else-unknown", "x")).status_code == 401
    # the audit log has each attempt with its result
    entries = (await api.get("/audit", params={"actor": "user:tess"})).json()
    assert [e["status_code"] for e in entries] == [429, 401, 401, 401, 401, 401]
    assert {e["action"] for e in entries} == {"sign-in"}
    assert entries[0]["outcome"] == "throttled" and entries[0]["client"] == "127.0.0.1"


async def test_an_access_token_expires(server_factory: ServerFactory) -> None:
    server = await server_factory(session_ttl_s=1.0)
    async with api_client(server) as api:
        await add_user(api, "eve", "viewer")
    token = (await login(server, "eve")).json()["access_token"]
    async with client(server, token) as eve:
        assert (await eve.get("/stations")).status_code == 200
        deadline = time.monotonic() + 10
        while (await eve.get("/stations")).status_code == 200:
            assert time.monotonic() < deadline, "the access token never expired"
            await asyncio.sleep(0.1)
        assert_detail(await eve.get("/stations"), 401)


async def test_api_tokens_are_shown_once_and_can_be_revoked(server: Any,
                                                            api: httpx.AsyncClient) -> None:
    r = await api.post("/sites", json={"id": "yard", "name": "Yard", "grid_limit_kw": 40})
    assert r.status_code == 201
    r = await api.post("/api-tokens", json={"name": "meter feed", "role": "operator",
                                            "site_ids": ["yard"],
                                            "expires_at": "2099-01-01T00:00:00Z"})
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["token"].startswith("csms_") and made["created_by"] == "admin-token"
    listed = (await api.get("/api-tokens")).json()
    assert [t["name"] for t in listed] == ["meter feed"]
    assert listed[0]["token"] is None and listed[0]["site_ids"] == ["yard"]
    async with client(server, made["token"]) as feed:
        assert (await feed.get("/sites")).json()[0]["id"] == "yard"
        assert_detail(await feed.post("/api-tokens", json={"name": "x", "role": "admin"}), 403)
        assert (await api.delete(f"/api-tokens/{made['id']}")).status_code == 204
        assert_detail(await feed.get("/sites"), 401)
    assert_detail(await api.delete(f"/api-tokens/{made['id']}"), 404)
    for body in ({"name": "", "role": "viewer"}, {"name": "x", "role": "root"},
                 {"name": "x", "role": "viewer", "expires_at": "2001-01-01T00:00:00Z"},
                 {"name": "x", "role": "viewer", "site_ids": ["nowhere"]}):
        assert_detail(await api.post("/api-tokens", json=body), 422)
