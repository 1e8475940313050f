"""The audit log: commands, changes and refusals, with who, what and how it ended."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.api.support import answer_call, assert_detail, register
from tests.helpers import BOOT_16, raw_station
from tests.people.fleet import api_token, client


async def test_commands_changes_and_refusals_are_logged(server: Any,
                                                        api: httpx.AsyncClient) -> None:
    await register(api, "AU1")
    operator = await api_token(api, "night shift", "operator")
    viewer = await api_token(api, "wallboard", "viewer")
    async with client(server, operator) as op, client(server, viewer) as view:
        async with raw_station(server, "AU1") as st:
            await st.ok("BootNotification", BOOT_16)
            reply, frame = await asyncio.gather(
                op.post("/stations/AU1/commands/reset", json={"type": "soft"}),
                answer_call(st, {"status": "Accepted"}))
            assert reply.status_code == 200 and frame[2] == "Reset"
        assert_detail(await op.post("/stations/AU1/commands/reset", json={"type": "hard"}), 409)
        assert_detail(await view.post("/id-tokens", json={"id_token": "NOPE"}), 403)
        assert (await view.get("/stations")).status_code == 200  # reads are not logged
    assert (await api.post("/id-tokens", json={"id_token": "YES"})).status_code == 201

    r = await api.get("/audit", params={"station_id": "AU1"})
    assert r.headers["x-total-count"] == "2"
    refused, accepted = r.json()
    assert accepted["actor"] == "token:night shift" and accepted["role"] == "operator"
    assert accepted["action"] == "POST /api/v1/stations/{station_id}/commands/reset"
    assert accepted["path"] == "/api/v1/stations/AU1/commands/reset"
    assert (accepted["status_code"], accepted["outcome"]) == (200, "Accepted")
    assert refused["status_code"] == 409 and "not connected" in refused["outcome"]

    entries = (await api.get("/audit")).json()
    by_actor = {(e["actor"], e["action"], e["status_code"]) for e in entries}
    assert ("token:wallboard", "POST /api/v1/id-tokens", 403) in by_actor
    assert ("admin-token", "POST /api/v1/id-tokens", 201) in by_actor
    assert ("admin-token", "POST /api/v1/stations", 201) in by_actor
    assert not any(e["method"] == "GET" for e in entries)
    made = [e for e in entries if e["action"] == "POST /api/v1/api-tokens"]
    assert len(made) == 2 and all("csms_" not in (e["outcome"] or "") for e in made)

    only = (await api.get("/audit", params={"actor": "token:wallboard"})).json()
    assert [e["status_code"] for e in only] == [403]
    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert (await api.get("/audit", params={"from": later})).json() == []
    assert len((await api.get("/audit", params={"to": later, "limit": 2})).json()) == 2


async def test_audit_is_for_admins_and_checks_its_filters(server: Any,
                                                          api: httpx.AsyncClient) -> None:
    async with client(server, await api_token(api, "ops", "operator")) as op:
        assert_detail(await op.get("/audit"), 403)
    for params in ({"from": "2026-01-01T00:00:00"}, {"from": "yesterday"}, {"limit": "0"},
                   {"offset": "1e20"}, {"actor": "x" * 200}):
        assert_detail(await api.get("/audit", params=params), 422)
