"""The compatibility routes: per station, per vendor/model, who may change them, bad input."""

from __future__ import annotations

from typing import Any

import httpx

from simulators import StationConfig, make_station
from tests.conftest import api_client
from tests.people.fleet import api_token, client

STRICT = {"lenient_validation": False, "timezone": None, "id_token_pattern": None,
          "meter_register": "lifetime", "ping": True}


async def test_station_profile_round_trip(api: httpx.AsyncClient) -> None:
    assert (await api.post("/stations", json={"id": "CP-1"})).status_code == 201
    got = (await api.get("/stations/CP-1/compatibility")).json()
    assert got == {"station_id": "CP-1", "source": "default", "effective": STRICT,
                   "station": None, "model": None}
    body = {"lenient_validation": True, "timezone": "Europe/Berlin", "ping": False}
    r = await api.put("/stations/CP-1/compatibility", json=body)
    assert r.status_code == 200, r.text
    assert r.json()["source"] == "station"
    assert r.json()["station"] == r.json()["effective"] == {**STRICT, **body}
    assert (await api.get("/stations/CP-1/compatibility")).json() == r.json()
    assert (await api.delete("/stations/CP-1/compatibility")).status_code == 204
    assert (await api.get("/stations/CP-1/compatibility")).json()["source"] == "default"
    assert (await api.get("/stations/CP-1/violations")).json() == []


async def test_unknown_station_and_bad_input(api: httpx.AsyncClient) -> None:
    assert (await api.get("/stations/NOPE/compatibility")).status_code == 404
    assert (await api.put("/stations/NOPE/compatibility", json={})).status_code == 404
    assert (await api.get("/stations/NOPE/violations")).status_code == 404
    assert (await api.post("/stations", json={"id": "CP-2"})).status_code == 201
    bad: list[dict[str, Any]] = [
        {"timezone": "Mars/Olympus"}, {"id_token_pattern": "(unclosed"},
        {"meter_register": "yearly"}, {"lenient": True}, {"id_token_pattern": "x" * 201}]
    for body in bad:
        r = await api.put("/stations/CP-2/compatibility", json=body)
        assert r.status_code == 422, (body, r.text)
        assert "detail" in r.json()
    assert (await api.get("/stations/CP-2/compatibility")).json()["source"] == "default"


async def test_model_profile_applies_by_boot_unless_the_station_has_its_own(
    server: Any, api: httpx.AsyncClient
) -> None:
    url = f"ws://127.0.0.1:{server.ocpp_port}/ocpp"
    body = {"lenient_validation": True}
    r = await api.put("/compatibility/models/ACME/Wallbox 7", json=body)
    assert r.status_code == 200 and r.json()["vendor"] == "ACME"
    listed = (await api.get("/compatibility/models")).json()
    assert [(m["vendor"], m["model"]) for m in listed] == [("ACME", "Wallbox 7")]
    assert (await api.get("/compatibility/models/acme/WALLBOX 7")).json()["lenient_validation"]
    assert (await api.post("/stations", json={"id": "CP-3"})).status_code == 201
    cfg = StationConfig(station_id="CP-3", protocol="2.0.1", vendor="acme",
                        model="wallbox 7", quirks=frozenset({"long-serial"}))
    async with make_station(url, cfg) as st:
        assert await st.boot() == "Accepted"  # lenient from this very BootNotification
        got = (await api.get("/stations/CP-3/compatibility")).json()
        assert got["source"] == "model" and got["model"]["model"] == "Wallbox 7"
        own = await api.put("/stations/CP-3/compatibility", json={"ping": False})
        assert own.json()["source"] == "station" and not own.json()["effective"]["ping"]
        assert not own.json()["effective"]["lenient_validation"]  # the station's own wins
    assert (await api.delete("/compatibility/models/Acme/Wallbox 7")).status_code == 204
    assert (await api.delete("/compatibility/models/Acme/Wallbox 7")).status_code == 404
    assert (await api.get("/compatibility/models/Acme/Wallbox 7")).status_code == 404


async def test_only_admins_change_profiles(server: Any, api: httpx.AsyncClient) -> None:
    assert (await api.post("/stations", json={"id": "CP-4"})).status_code == 201
    operator = await api_token(api, "ops", "operator")
    viewer = await api_token(api, "wall", "viewer")
    async with client(server, operator) as op, client(server, viewer) as view:
        assert (await view.get("/stations/CP-4/compatibility")).status_code == 200
        assert (await view.get("/stations/CP-4/violations")).status_code == 200
        assert (await view.get("/compatibility/models")).status_code == 200
        assert (await op.put("/stations/CP-4/compatibility", json={})).status_code == 403
        assert (await op.put("/compatibility/models/A/B", json={})).status_code == 403
        assert (await op.delete("/stations/CP-4/compatibility")).status_code == 403
    async with api_client(server, None) as anonymous:
        assert (await anonymous.get("/compatibility/models")).status_code == 401

