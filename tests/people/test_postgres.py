"""People, audit, scoped lists and statements on PostgreSQL (JSON site lists, counts, joins).

Skipped when no PostgreSQL is found (tests/conftest.py: service_url); required in CI.
"""

from __future__ import annotations

from datetime import UTC, datetime

from tests.api.support import assert_detail
from tests.conftest import ServerFactory, api_client
from tests.people.fleet import build, client


async def test_people_and_reports_on_postgresql(server_factory: ServerFactory,
                                                postgres_url: str) -> None:
    server = await server_factory(database_url=postgres_url)
    async with api_client(server) as api:
        fleet = await build(server, api)
        r = await api.post("/users", json={"username": "pg", "password": "long enough",
                                           "role": "viewer", "site_ids": ["B"]})
        assert r.status_code == 201 and r.json()["site_ids"] == ["B"]
        async with client(server, None) as anonymous:
            assert_detail(await anonymous.post("/auth/login", json={
                "username": "pg", "password": "wrong one"}), 401)
            token = (await anonymous.post("/auth/login", json={
                "username": "pg", "password": "long enough"})).json()["access_token"]
        async with client(server, token) as pg:
            txs = await pg.get("/transactions")
            assert [t["station_id"] for t in txs.json()] == ["SB"]
            assert txs.headers["x-total-count"] == "1"
            assert_detail(await pg.get(f"/transactions/{fleet.tx['SA']}"), 404)
        month = datetime.now(UTC).strftime("%Y-%m")
        sites = (await api.get("/statements", params={"month": month, "by": "site"})).json()
        assert [(m["member"], m["energy_wh"]) for m in sites["members"]] == [("A", 4000),
                                                                              ("B", 6000)]
        audit = await api.get("/audit", params={"actor": "user:pg"})
        assert [e["status_code"] for e in audit.json()] == [200, 401]
