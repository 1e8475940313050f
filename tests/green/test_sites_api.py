"""Sites, green sources and readings through the API, with bad input at every route."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

SITE = {"id": "coop-1", "name": "Co-op yard", "grid_limit_kw": 60, "latitude": 42.7,
        "longitude": 23.3, "timezone": "Europe/Sofia"}


async def test_site_and_source_lifecycle(api: httpx.AsyncClient) -> None:
    created = await api.post("/sites", json=SITE)
    assert created.status_code == 201, created.text
    assert created.json()["grid_limit_kw"] == 60
    assert (await api.post("/sites", json=SITE)).status_code == 409
    patched = await api.patch("/sites/coop-1", json={"grid_limit_kw": 45.5})
    assert patched.json()["grid_limit_kw"] == 45.5
    assert (await api.get("/sites/coop-1")).json()["name"] == "Co-op yard"
    assert [s["id"] for s in (await api.get("/sites")).json()] == ["coop-1"]

    src = await api.post("/sites/coop-1/sources", json={"id": "pv-roof", "peak_kw": 80})
    assert src.status_code == 201, src.text
    assert src.json()["on_site"] is True
    assert (await api.post("/sites/coop-1/sources",
                           json={"id": "pv-roof", "peak_kw": 1})).status_code == 409
    sources = (await api.get("/sites/coop-1/sources")).json()
    assert [(s["id"], s["peak_kw"], s["azimuth_deg"]) for s in sources] == [("pv-roof", 80, 180)]


async def test_readings_are_stored_and_replaced(api: httpx.AsyncClient) -> None:
    await api.post("/sites", json=SITE)
    await api.post("/sites/coop-1/sources", json={"id": "pv", "peak_kw": 50})
    t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    body = [{"timestamp": (t0 + timedelta(minutes=15 * i)).isoformat(), "power_kw": 10.0 + i}
            for i in range(4)]
    r = await api.post("/sites/coop-1/sources/pv/readings", json=body)
    assert (r.status_code, r.json()) == (201, {"stored": 4})
    again = await api.post("/sites/coop-1/sources/pv/readings",
                           json=[{"timestamp": body[0]["timestamp"], "power_kw": 99}])
    assert again.json() == {"stored": 1}


@pytest.mark.parametrize(("path", "body"), [
    ("/sites", {**SITE, "grid_limit_kw": -5}),
    ("/sites", {**SITE, "grid_limit_kw": 0}),
    ("/sites", {**SITE, "latitude": 91}),
    ("/sites", {**SITE, "timezone": "Mars/Olympus"}),
    ("/sites", {**SITE, "id": "has space"}),
    ("/sites", {**SITE, "extra": 1}),
    ("/sites", {"id": "x"}),
    ("/sites/coop-1/sources", {"id": "pv", "peak_kw": -1}),
    ("/sites/coop-1/sources", {"id": "pv", "peak_kw": 5, "kind": "coal"}),
    ("/sites/coop-1/sources", {"id": "pv", "peak_kw": 5, "azimuth_deg": 360}),
])
async def test_bad_site_and_source_bodies_are_422(
    api: httpx.AsyncClient, path: str, body: dict[str, object]
) -> None:
    await api.post("/sites", json=SITE)
    r = await api.post(path, json=body)
    assert r.status_code == 422, r.text
    assert "detail" in r.json()
    assert len((await api.get("/sites")).json()) == 1


async def test_bad_readings_and_unknown_targets(api: httpx.AsyncClient) -> None:
    await api.post("/sites", json=SITE)
    await api.post("/sites/coop-1/sources", json={"id": "pv", "peak_kw": 50})
    url = "/sites/coop-1/sources/pv/readings"
    future = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    assert (await api.post(url, json=[{"timestamp": future, "power_kw": 1}])).status_code == 422
    assert (await api.post(url, json=[{"timestamp": "2026-06-01T12:00:00",
                                       "power_kw": 1}])).status_code == 422
    assert (await api.post(url, json=[{"timestamp": "2026-06-01T12:00:00Z",
                                       "power_kw": -1}])).status_code == 422
    assert (await api.post(url, content=b"{not json")).status_code == 422
    ok = [{"timestamp": "2026-06-01T12:00:00Z", "power_kw": 1}]
    assert (await api.post("/sites/nope/sources/pv/readings", json=ok)).status_code == 404
    assert (await api.post("/sites/coop-1/sources/nope/readings", json=ok)).status_code == 404
    assert (await api.get("/sites/nope")).status_code == 404
    assert (await api.patch("/sites/nope", json={"name": "x"})).status_code == 404
    assert (await api.post("/sites/nope/sources",
                           json={"id": "pv", "peak_kw": 1})).status_code == 404


async def test_a_site_says_whether_it_has_a_local_guard(api: httpx.AsyncClient) -> None:
    created = (await api.post("/sites", json=SITE)).json()
    assert created["local_guard"] is False  # the strict rule unless the site says otherwise
    guarded = {**SITE, "id": "guarded", "local_guard": True}
    assert (await api.post("/sites", json=guarded)).json()["local_guard"] is True
    assert (await api.get("/sites/guarded")).json()["local_guard"] is True
    patched = await api.patch("/sites/coop-1", json={"local_guard": True})
    assert patched.status_code == 200 and patched.json()["local_guard"] is True
    assert (await api.patch("/sites/coop-1", json={"name": "Yard"})).json()["local_guard"] is True
    off = await api.patch("/sites/coop-1", json={"local_guard": False})
    assert off.json()["local_guard"] is False
    assert (await api.get("/sites/coop-1")).json()["local_guard"] is False
    assert (await api.patch("/sites/coop-1", json={"local_guard": "maybe"})).status_code == 422
    assert (await api.patch("/sites/coop-1", json={"local_guard": None})).status_code == 200
    assert (await api.get("/sites/coop-1")).json()["local_guard"] is False  # null: unchanged
