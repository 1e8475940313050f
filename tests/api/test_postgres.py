"""The API on PostgreSQL, where SQLite's leniency (NUL characters, lengths) does not hold.

Skipped when no PostgreSQL is found (tests/conftest.py: service_url); required in CI.
"""

from __future__ import annotations

from tests.api.support import assert_detail, now_iso
from tests.conftest import ServerFactory, api_client
from tests.helpers import BOOT_16, raw_station


async def test_nul_characters_are_refused_on_postgresql(server_factory: ServerFactory,
                                                        postgres_url: str) -> None:
    server = await server_factory(database_url=postgres_url)
    async with api_client(server) as api:
        for method, path, body in (
            ("POST", "/stations", {"id": "a\u0000b"}),
            ("POST", "/stations", {"id": "PGOK", "description": "x\u0000"}),
            ("POST", "/id-tokens", {"id_token": "t\u0000"}),
            ("POST", "/id-tokens", {"id_token": "PGT", "member": "m\u0000"}),
            ("GET", "/stations/a%00b", None),
            ("GET", "/id-tokens/a%00b", None),
            ("GET", "/transactions/a%00b", None),
        ):
            r = await api.request(method, path, json=body)
            assert_detail(r, 422)
        r = await api.get("/transactions", params={"station_id": "a\u0000b"})
        assert_detail(r, 422)
        assert (await api.get("/stations")).json() == []
        assert (await api.get("/id-tokens")).json() == []


async def test_stations_tokens_and_transactions_on_postgresql(server_factory: ServerFactory,
                                                              postgres_url: str) -> None:
    server = await server_factory(database_url=postgres_url)
    async with api_client(server) as api:
        r = await api.post("/stations", json={"id": "PG1", "password": "p" * 64,
                                              "site_id": "s" * 64, "description": "d" * 1000})
        assert r.status_code == 201, r.text
        r = await api.post("/id-tokens", json={"id_token": "t" * 36, "group_id": "g" * 36,
                                               "member": "m" * 255,
                                               "expires_at": "2030-01-01T00:00:00"})
        assert r.status_code == 201, r.text
        async with raw_station(server, "PG1", password="p" * 64) as st:
            await st.ok("BootNotification", BOOT_16)
            tx = await st.ok("StartTransaction", {"connectorId": 1, "idTag": "T", "meterStart": 5,
                                                  "timestamp": now_iso()})
            await st.ok("StopTransaction", {"transactionId": tx["transactionId"],
                                            "meterStop": 1005, "timestamp": now_iso()})
        got = (await api.get(f"/transactions/{tx['transactionId']}")).json()
        assert got["energy_wh"] == 1000
        assert (await api.get("/id-tokens/" + "t" * 36)).json()["expires_at"] == (
            "2030-01-01T00:00:00Z")
        assert (await api.patch("/stations/PG1", json={"site_id": None})).status_code == 200
        assert (await api.delete("/stations/PG1")).status_code == 204
