"""Health, the OpenAPI document and docs, and the bearer token on every other route."""

from __future__ import annotations

import re
import socket
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio

from tests.api.support import assert_detail
from tests.conftest import api_client

pytestmark = pytest.mark.asyncio(loop_scope="module")

@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def anonymous(shared_server: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(shared_server, token=None) as client:
        yield client


SECURED_ROUTES = [
    ("POST", "/stations"), ("GET", "/stations"), ("GET", "/stations/X"),
    ("PATCH", "/stations/X"), ("DELETE", "/stations/X"), ("GET", "/stations/X/reports"),
    ("GET", "/stations/X/messages"),
    ("POST", "/id-tokens"), ("GET", "/id-tokens"), ("GET", "/id-tokens/T"),
    ("PATCH", "/id-tokens/T"), ("DELETE", "/id-tokens/T"),
    ("GET", "/transactions"), ("GET", "/transactions/1"), ("GET", "/transactions/1/meter-values"),
    ("POST", "/stations/X/commands/reset"), ("POST", "/stations/X/commands/self-destruct"),
    ("POST", "/stations/X/ocpp/Reset"), ("GET", "/events"),
]


async def test_health_needs_no_token(shared_server: Any) -> None:
    async with api_client(shared_server, token=None) as anonymous:
        r = await anonymous.get("/health")
        assert r.status_code == 200
        assert r.json() == {"status": "ok"}
    async with api_client(shared_server, token="wrong") as wrong:
        assert (await wrong.get("/health")).json() == {"status": "ok"}


async def test_openapi_and_docs(shared_server: Any) -> None:
    base = f"http://127.0.0.1:{shared_server.api_port}"
    async with httpx.AsyncClient(base_url=base) as client:
        doc = (await client.get("/openapi.json")).json()
        docs = await client.get("/docs")
    assert doc["info"]["title"] == "csms"
    paths = doc["paths"]
    for path in ("/api/v1/health", "/api/v1/stations", "/api/v1/stations/{station_id}",
                 "/api/v1/id-tokens", "/api/v1/transactions", "/api/v1/events",
                 "/api/v1/stations/{station_id}/ocpp/{action}",
                 "/api/v1/stations/{station_id}/commands/remote-start"):
        assert path in paths, sorted(paths)
    for name in ("remote-start", "remote-stop", "reset", "unlock", "change-availability",
                 "trigger-message", "get-configuration", "set-configuration", "clear-cache",
                 "data-transfer"):
        assert "post" in paths[f"/api/v1/stations/{{station_id}}/commands/{name}"]
    assert "bearer" in str(doc["components"]["securitySchemes"]).lower()
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()


async def _documented_routes(server: Any) -> set[tuple[str, str]]:
    """Every documented (method, path) but health, with path parameters filled in."""
    base = f"http://127.0.0.1:{server.api_port}"
    async with httpx.AsyncClient(base_url=base) as client:
        doc = (await client.get("/openapi.json")).json()
    routes = set()
    for path, ops in doc["paths"].items():
        concrete = re.sub(r"\{action\}", "Reset", path.removeprefix("/api/v1"))
        concrete = re.sub(r"\{[a-z_]+\}", "X", concrete)
        routes |= {(method.upper(), concrete) for method in ops}
    # Stations' uploads are authorized by the one-time token in their URL instead
    # (tests/features/test_diagnostics.py feeds them unknown, used and expired tokens).
    return {(m, p) for m, p in routes if not p.startswith("/uploads/")} - {
        ("GET", "/health"), ("POST", "/auth/login")}


async def test_every_route_of_this_page_is_documented(shared_server: Any) -> None:
    documented = await _documented_routes(shared_server)
    expected = {(m, p.replace("/T", "/X").replace("/1", "/X")) for m, p in SECURED_ROUTES}
    expected -= {("POST", "/stations/X/commands/self-destruct")}  # deliberately undocumented
    assert expected <= documented, expected - documented


async def test_every_documented_route_refuses_without_the_token(
        shared_server: Any, anonymous: httpx.AsyncClient) -> None:
    """Routes added later (sites, ...) are covered too: nothing documented is left open."""
    for method, path in sorted(await _documented_routes(shared_server)):
        for header in (None, "Bearer wrong-token"):
            headers = {"Authorization": header} if header else {}
            r = await anonymous.request(method, path, headers=headers, json={})
            assert r.status_code == 401, (method, path, header, r.text)
            assert "detail" in r.json()


@pytest.mark.parametrize(("method", "path"), SECURED_ROUTES)
async def test_secured_route_refuses_without_the_token(anonymous: httpx.AsyncClient, method: str,
                                                       path: str) -> None:
    for header in (None, "Bearer wrong-token", "Basic dGVzdDp0ZXN0", "Bearer", "test-admin-token",
                   "Bearer test-admin-token2", "Bearer  test-admin-token x"):
        headers = {"Authorization": header} if header is not None else {}
        r = await anonymous.request(method, path, headers=headers, json={})
        assert "token" in assert_detail(r, 401), header
        assert r.headers.get("www-authenticate", "").lower().startswith("bearer"), header


async def test_the_token_scheme_is_case_insensitive(shared_server: Any) -> None:
    async with api_client(shared_server, token=None) as client:
        r = await client.get("/stations", headers={"Authorization": "bearer test-admin-token"})
    assert r.status_code == 200


async def test_refused_requests_change_nothing(shared_server: Any,
                                               shared_api: httpx.AsyncClient) -> None:
    async with api_client(shared_server, token="wrong") as wrong:
        assert (await wrong.post("/stations", json={"id": "SNEAK"})).status_code == 401
        assert (await wrong.post("/id-tokens", json={"id_token": "SNEAK"})).status_code == 401
    assert_detail(await shared_api.get("/stations/SNEAK"), 404)
    assert_detail(await shared_api.get("/id-tokens/SNEAK"), 404)


async def test_unknown_api_path_is_json_404(shared_api: httpx.AsyncClient) -> None:
    assert_detail(await shared_api.get("/nothing-here"), 404)
    assert_detail(await shared_api.put("/stations"), 405)


async def test_responses_do_not_wait_for_delayed_acks(shared_server: Any,
                                                      shared_api: httpx.AsyncClient) -> None:
    """Headers and body leave at once: every accepted API connection has TCP_NODELAY, without
    which each response would wait ~40 ms for the client's delayed ACK (Nagle). The option is
    read from the server's own sockets, not inferred from a stopwatch."""
    assert (await shared_api.get("/health")).status_code == 200  # keep-alive: still open
    connections = list(shared_server._uvicorn.server_state.connections)
    assert connections
    for connection in connections:
        sock = connection.transport.get_extra_info("socket")
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY), sock
