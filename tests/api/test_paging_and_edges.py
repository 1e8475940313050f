"""Station paging with a total, and requests that used to answer 500."""

from __future__ import annotations

from typing import Any

import httpx

from tests.api.support import assert_detail, register


async def test_stations_have_pages_filters_and_a_total(server: Any,
                                                       api: httpx.AsyncClient) -> None:
    assert (await api.post("/sites", json={"id": "s", "name": "s", "grid_limit_kw": 9})
            ).status_code == 201
    for n in range(105):
        await register(api, f"P{n:03d}", **({"site_id": "s"} if n % 5 == 0 else {}))
    everything = await api.get("/stations")
    assert len(everything.json()) == 105 and everything.headers["x-total-count"] == "105"
    page = await api.get("/stations", params={"limit": 10, "offset": 100})
    assert [s["id"] for s in page.json()] == [f"P{n}" for n in range(100, 105)]
    assert page.headers["x-total-count"] == "105"
    on_site = await api.get("/stations", params={"site_id": "s", "limit": 3})
    assert on_site.headers["x-total-count"] == "21" and len(on_site.json()) == 3
    offline = await api.get("/stations", params={"connected": "false", "limit": 1})
    assert offline.headers["x-total-count"] == "105"
    assert (await api.get("/stations", params={"connected": "true"})).json() == []
    for params in ({"limit": 0}, {"offset": -1}, {"offset": "1e20"}, {"connected": "perhaps"}):
        assert_detail(await api.get("/stations", params=params), 422)


async def test_requests_that_answered_500(server: Any, api: httpx.AsyncClient) -> None:
    r = await api.post("/sites", json={"id": "e", "name": "Edge", "grid_limit_kw": 11})
    assert r.status_code == 201
    r = await api.patch("/sites/e", json={})
    assert r.status_code == 200 and r.json()["name"] == "Edge"
    assert_detail(await api.patch("/sites/none", json={}), 404)
    assert (await api.post("/sites/e/sources", json={"id": "pv", "kind": "solar",
                                                     "peak_kw": 10})).status_code == 201
    r = await api.post("/sites/e/sources/pv/readings", json=[])
    assert r.status_code == 201 and r.json()["stored"] == 0
    assert_detail(await api.post("/sites/e/sources/none/readings", json=[]), 404)
    assert_detail(await api.get("/transactions", params={"offset": "1e20"}), 422)
    assert_detail(await api.get("/transactions", params={"offset": str(2**40)}), 422)
    await register(api, "D1")
    assert_detail(await api.get("/stations/D1/diagnostics/files/1e20"), 422)
    assert_detail(await api.get(f"/stations/D1/diagnostics/files/{2**64}"), 422)
    assert_detail(await api.get("/stations/D1/diagnostics/files/7"), 404)
