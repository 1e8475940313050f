"""Every route of the OpenAPI document has a declared rule, and each role gets what that rule
says: 401 without a token, 403 below the rule's role, served (whatever the outcome) at or
above it. Site scoping: a reader scoped to site A finds nothing of site B (404)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio

from csms.api.access import RULES, Rule
from csms.app import CsmsServer
from csms.domain.people import Role
from tests.conftest import api_client, make_settings
from tests.people.fleet import Fleet, build, client

pytestmark = pytest.mark.asyncio(loop_scope="module")

ROLES = (Role.VIEWER, Role.OPERATOR, Role.ADMIN)
PARAMS = {"action": "Reset", "reservation_id": "1", "file_id": "1", "serial": "1"}


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory
                ) -> AsyncIterator[tuple[CsmsServer, Fleet]]:
    path = tmp_path_factory.mktemp("rules")
    server = CsmsServer(make_settings(f"sqlite+aiosqlite:///{path}/csms.db"))
    await server.start()
    async with api_client(server) as api:
        fleet = await build(server, api)
    yield server, fleet
    await server.stop()


async def documented(server: CsmsServer) -> list[tuple[str, str]]:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.api_port}") as c:
        doc = (await c.get("/openapi.json")).json()
    return sorted((method.upper(), path.removeprefix("/api/v1"))
                  for path, ops in doc["paths"].items() for method in ops)


def rule(method: str, path: str) -> Rule:
    found = RULES.get((method, path))
    if found is None and path.startswith("/stations/{station_id}/commands/"):
        found = RULES.get((method, "/stations/{station_id}/commands/{command}"))
    assert found is not None, f"{method} {path} has no access rule in csms.api.access"
    return found


def fill(path: str, values: dict[str, str]) -> str:
    return re.sub(r"\{([a-z_]+)\}", lambda m: values.get(m.group(1), "X"), path)


def body_for(path: str) -> Any:
    return [] if path.endswith("/readings") else {}


async def test_every_documented_route_has_a_rule_and_each_role_gets_it(
        world: tuple[CsmsServer, Fleet]) -> None:
    server, fleet = world
    routes = await documented(server)
    assert len(routes) > 80
    for method, path in routes:
        r_ = rule(method, path)
        if path == "/events":
            continue  # a stream: tests/people/test_events_scope.py checks it
        url = fill(path, PARAMS)
        async with client(server, None) as anonymous:
            r = await anonymous.request(method, url, json=body_for(path))
        if r_.role is None:
            assert r.status_code != 401, (method, path)
            continue
        assert r.status_code == 401, (method, path, r.text)
        for role in ROLES:
            async with client(server, fleet.tokens[role.value]) as c:
                r = await c.request(method, url, json=body_for(path))
            if role.allows(r_.role):
                assert r.status_code not in (401, 403), (method, path, role, r.text)
                assert r.status_code < 500, (method, path, role, r.text)
            else:
                assert r.status_code == 403, (method, path, role, r.text)
                assert r_.role.value in r.json()["detail"]


async def test_every_rule_names_a_route(world: tuple[CsmsServer, Fleet]) -> None:
    """No stale rules: the table and the application agree."""
    server, _ = world
    routes = set(await documented(server))
    hidden = {("POST", "/stations/{station_id}/commands/{command}")}
    assert set(RULES) - hidden <= routes, set(RULES) - hidden - routes


async def test_a_scoped_reader_finds_nothing_of_another_site(
        world: tuple[CsmsServer, Fleet]) -> None:
    """The scoped admin may do anything by role: only the scope stops it (404)."""
    server, fleet = world
    other = {**PARAMS, "station_id": "SB", "site_id": "B", "transaction_id": fleet.tx["SB"]}
    checked = 0
    async with client(server, fleet.tokens["admin@A"]) as scoped:
        for method, path in await documented(server):
            if rule(method, path).scope != "path":
                continue
            r = await scoped.request(method, fill(path, other), json=body_for(path))
            assert r.status_code == 404, (method, path, r.text)
            checked += 1
        # the same reader sees its own site's things
        for url in ("/stations/SA", "/sites/A", f"/transactions/{fleet.tx['SA']}",
                    "/sites/A/energy", "/stations/SA/messages"):
            assert (await scoped.get(url)).status_code == 200, url
        # a body naming another site's station is refused the same way
        r = await scoped.post("/reservations", json={"station_id": "SB", "evse_id": 1,
                                                     "id_token": "TB", "expires_at":
                                                     "2099-01-01T00:00:00Z"})
        assert r.status_code == 404, r.text
        r = await scoped.post("/stations", json={"id": "NEWB", "site_id": "B"})
        assert r.status_code == 404, r.text
    assert checked > 40
    async with api_client(server) as admin:  # nothing of site B was changed or removed
        assert (await admin.get("/stations/SB")).status_code == 200
        assert (await admin.get("/sites/B")).json()["name"] == "site B"


async def test_lists_leave_other_sites_out(world: tuple[CsmsServer, Fleet]) -> None:
    server, fleet = world
    async with client(server, fleet.tokens["viewer@A"]) as scoped:
        stations = await scoped.get("/stations")
        assert [s["id"] for s in stations.json()] == ["SA"]
        assert stations.headers["x-total-count"] == "1"
        assert [s["id"] for s in (await scoped.get("/sites")).json()] == ["A"]
        txs = await scoped.get("/transactions")
        assert [t["station_id"] for t in txs.json()] == ["SA"]
        assert txs.headers["x-total-count"] == "1"
        assert (await scoped.get("/transactions", params={"site_id": "B"})).json() == []
        csv_text = (await scoped.get("/transactions.csv")).text
        assert "SB" not in csv_text and "SA" in csv_text
        me = (await scoped.get("/auth/me")).json()
        assert me == {"actor": "token:a-viewer", "role": "viewer", "site_ids": ["A"]}
    async with client(server, fleet.tokens["viewer"]) as everyone:
        assert (await everyone.get("/stations")).headers["x-total-count"] == "2"


async def test_the_rules_keep_the_policy(world: tuple[CsmsServer, Fleet]) -> None:
    """What CONTRACT.md says of roles and sites, checked on the table itself."""
    server, _ = world
    for method, path in await documented(server):
        r_ = rule(method, path)
        if r_.role is None:
            assert path == "/health" or path.startswith(("/uploads/", "/auth/login")), path
            continue
        admin_only = ("/users", "/api-tokens", "/audit", "/sites/{site_id}/sources/{")
        # a source's readings and forecast are feeds an integration posts, not set-up
        if path.startswith(admin_only) and not path.endswith(("/readings", "/forecast")):
            assert r_.role is Role.ADMIN, (method, path)
        if method != "GET" and not path.startswith("/auth/"):
            assert r_.role is not Role.VIEWER, (method, path)  # viewers only read
        if re.search(r"\{(station_id|site_id|transaction_id)\}", path):
            assert r_.scope == "path", (method, path)  # the scope check sees the id
        if path in ("/stations", "/sites", "/transactions", "/transactions.csv", "/events",
                    "/statements", "/statements.csv", "/reservations") and method == "GET":
            assert r_.scope == "list", (method, path)
