"""Defaults for sessions without preferences: token group over site over the settings,
shown in the plan and the preferences, used by the planner; bad input at the new routes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.conftest import ServerFactory, api_client
from tests.e2e.test_smart_capabilities import ACCEPT, Answering, answering
from tests.helpers import BOOT_16


async def start(st: Answering, connector: int, token: str) -> str:
    started = await st.ok("StartTransaction", {
        "connectorId": connector, "idTag": token, "meterStart": 0,
        "timestamp": datetime.now(UTC).isoformat()})
    assert started["idTagInfo"]["status"] == "Accepted", started
    return str(started["transactionId"])


async def setup(api: httpx.AsyncClient) -> None:
    for site in ({"id": "s1", "name": "With defaults", "grid_limit_kw": 12.0,
                  "default_dwell_h": 6, "default_energy_kwh": 15},
                 {"id": "s2", "name": "Without", "grid_limit_kw": 50.0}):
        r = await api.post("/sites", json=site)
        assert r.status_code == 201, r.text
    assert r.json()["default_dwell_h"] is None
    for sid, site_id in (("D-1", "s1"), ("D-2", "s2")):
        assert (await api.post("/stations", json={"id": sid, "site_id": site_id})
                ).status_code == 201
    for token, group in (("FLEET1", "fleet"), ("SOLO", None)):
        body: dict[str, Any] = {"id_token": token} | ({"group_id": group} if group else {})
        assert (await api.post("/id-tokens", json=body)).status_code == 201
    r = await api.put("/token-groups/fleet/defaults", json={"dwell_h": 0.5, "energy_kwh": 10})
    assert r.status_code == 200, r.text
    assert r.json() == {"group_id": "fleet", "dwell_h": 0.5, "energy_kwh": 10.0, "mode": None}


def by_tx(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["transaction_id"]: s for s in plan["sessions"]}


def hours(session: dict[str, Any], started: datetime) -> float:
    departure = datetime.fromisoformat(session["departure_at"])
    return (departure - started).total_seconds() / 3600


async def test_group_over_site_over_global(server_factory: ServerFactory) -> None:
    server = await server_factory(default_dwell_h=8.0, default_energy_kwh=20.0)
    handlers = {"SetChargingProfile": lambda p: ACCEPT}
    async with api_client(server) as api:
        await setup(api)
        started = datetime.now(UTC)
        async with answering(server, "D-1", "ocpp1.6", handlers) as d1, \
                answering(server, "D-2", "ocpp1.6", handlers) as d2:
            await d1.ok("BootNotification", BOOT_16)
            await d2.ok("BootNotification", BOOT_16)
            fleet, solo = await start(d1, 1, "FLEET1"), await start(d1, 2, "SOLO")
            other = await start(d2, 1, "SOLO")

            plan = by_tx((await api.get("/sites/s1/plan", params={"refresh": True})).json())
            g, s = plan[fleet], plan[solo]
            assert (g["defaulted"], g["default_source"], g["energy_wh"]) == (True, "group", 10000)
            assert (s["defaulted"], s["default_source"], s["energy_wh"]) == (True, "site", 15000)
            assert hours(g, started) == pytest.approx(0.5, abs=0.05)
            assert hours(s, started) == pytest.approx(6, abs=0.05)
            # the group's short stay makes its session urgent: it gets the site's power first
            assert g["power_kw"][0] >= 10.0 > s["power_kw"][0]
            assert g["mode"] == "green"  # the group gave no mode: the site's, then global

            plan2 = by_tx((await api.get("/sites/s2/plan", params={"refresh": True})).json())
            o = plan2[other]
            assert (o["default_source"], o["energy_wh"]) == ("global", 20000)
            assert hours(o, started) == pytest.approx(8, abs=0.05)

            prefs = (await api.get(f"/transactions/{fleet}/preferences",
                                   params={"station_id": "D-1"})).json()
            assert (prefs["defaulted"], prefs["default_source"]) == (True, "group")

            # the site's mode fills what the group leaves out; without the group: the site's
            r = await api.patch("/sites/s1", json={"default_mode": "fast"})
            assert r.json()["default_mode"] == "fast"
            assert (await api.delete("/token-groups/fleet/defaults")).status_code == 204
            plan = by_tx((await api.get("/sites/s1/plan", params={"refresh": True})).json())
            assert (plan[fleet]["default_source"], plan[fleet]["energy_wh"],
                    plan[fleet]["mode"]) == ("site", 15000, "fast")

            # real wishes are not defaults
            r = await api.put(f"/transactions/{solo}/preferences", params={"station_id": "D-1"},
                              json={"energy_wh": 5000, "departure_at": "2999-01-01T00:00:00Z"})
            assert r.status_code == 200, r.text
            plan = by_tx((await api.get("/sites/s1/plan", params={"refresh": True})).json())
            assert (plan[solo]["defaulted"], plan[solo]["default_source"]) == (False, None)


async def test_bad_input_at_the_defaults_routes(api: httpx.AsyncClient) -> None:
    ok = await api.put("/token-groups/never-seen/defaults", json={"mode": "fast"})
    assert ok.status_code == 200, ok.text  # any group may have defaults
    for body in ({"dwell_h": -1}, {"dwell_h": 0}, {"energy_kwh": -5}, {"mode": "turbo"}, {},
                 {"dwell_h": 2, "colour": "red"}, {"energy_kwh": "lots"}, [1, 2]):
        r = await api.put("/token-groups/never-seen/defaults", json=body)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["detail"]
    r = await api.put("/token-groups/never-seen/defaults", content=b"{not json",
                      headers={"Content-Type": "application/json"})
    assert r.status_code == 422
    assert (await api.get("/token-groups/never-seen/defaults")).json()["mode"] == "fast"
    assert (await api.put(f"/token-groups/{'g' * 65}/defaults",
                          json={"mode": "fast"})).status_code == 422
    assert (await api.get("/token-groups/nobody/defaults")).status_code == 404
    assert (await api.delete("/token-groups/nobody/defaults")).status_code == 404

    site = {"id": "bad", "name": "Bad", "grid_limit_kw": 10}
    for extra in ({"default_dwell_h": -2}, {"default_energy_kwh": 0}, {"default_mode": "x"},
                  {"default_dwell_h": 1000}):
        r = await api.post("/sites", json=site | extra)
        assert r.status_code == 422, (extra, r.text)
    assert (await api.get("/sites/bad")).status_code == 404  # nothing half-written
    assert (await api.patch("/sites/nope", json={"default_dwell_h": 2})).status_code == 404
    assert (await api.post("/sites", json=site | {"default_energy_kwh": 12})).status_code == 201
    assert (await api.patch("/sites/bad", json={"default_mode": "turbo"})).status_code == 422
    cleared = await api.patch("/sites/bad", json={"default_energy_kwh": None})
    assert cleared.status_code == 200 and cleared.json()["default_energy_kwh"] is None
