"""CSV exports (parsed as CSV) and monthly statements per id token, token group and site."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.api.support import assert_detail, register
from tests.people.fleet import charge

TX_HEADER = ["id", "station_id", "evse_id", "connector_id", "id_token", "started_at",
             "stopped_at", "energy_wh", "green_energy_wh", "cost", "currency", "stop_reason"]


def parse(r: httpx.Response) -> list[dict[str, str]]:
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    assert r.text.endswith("\r\n")  # RFC 4180 line breaks
    return list(csv.DictReader(io.StringIO(r.text, newline="")))


async def fleet(server: Any, api: httpx.AsyncClient) -> dict[str, str]:
    for site in ("north", "south"):
        assert (await api.post("/sites", json={"id": site, "name": site,
                                               "grid_limit_kw": 30})).status_code == 201
    r = await api.post("/tariffs", json={"id": "n", "currency": "EUR", "price_per_kwh": 0.25,
                                         "site_id": "north"})
    assert r.status_code == 201, r.text
    await register(api, "N1", site_id="north")
    await register(api, "S1", site_id="south")
    for tag, group in (("ANNA", "family"), ("BEN", "family"), ("CARL", None)):
        assert (await api.post("/id-tokens", json={"id_token": tag, "group_id": group})
                ).status_code == 201
    return {"anna1": await charge(server, "N1", "ANNA", 2000),
            "anna2": await charge(server, "S1", "ANNA", 3000),
            "ben": await charge(server, "N1", "BEN", 4000),
            "carl": await charge(server, "S1", "CARL", 1000)}


async def test_transactions_csv_follows_the_filters(server: Any, api: httpx.AsyncClient) -> None:
    ids = await fleet(server, api)
    r = await api.get("/transactions.csv")
    assert r.text.splitlines()[0].split(",") == TX_HEADER
    rows = parse(r)
    assert sorted(row["id"] for row in rows) == sorted(ids.values())
    anna = [row for row in rows if row["id"] == ids["anna1"]][0]
    assert (anna["station_id"], anna["id_token"], float(anna["energy_wh"])) == ("N1", "ANNA",
                                                                               2000.0)
    assert (anna["currency"], float(anna["cost"])) == ("EUR", 0.5)  # 2 kWh at 0.25
    carl = [row for row in rows if row["id"] == ids["carl"]][0]
    assert carl["cost"] == "" and carl["currency"] == ""  # no tariff on the south site
    assert datetime.fromisoformat(anna["started_at"]).tzinfo is not None

    north = parse(await api.get("/transactions.csv", params={"site_id": "north"}))
    assert {row["id"] for row in north} == {ids["anna1"], ids["ben"]}
    annas = parse(await api.get("/transactions.csv", params={"id_token": "ANNA"}))
    assert {row["id"] for row in annas} == {ids["anna1"], ids["anna2"]}
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    assert parse(await api.get("/transactions.csv", params={"from": future})) == []
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    assert len(parse(await api.get("/transactions.csv", params={"from": past, "to": future}))
               ) == 4
    # the JSON list: the same filters, pages and a total
    r = await api.get("/transactions", params={"id_token": "ANNA", "limit": 1})
    assert r.headers["x-total-count"] == "2" and len(r.json()) == 1
    r2 = await api.get("/transactions", params={"id_token": "ANNA", "limit": 1, "offset": 1})
    assert {r.json()[0]["id"], r2.json()[0]["id"]} == {ids["anna1"], ids["anna2"]}


async def test_statements_per_token_group_and_site(server: Any, api: httpx.AsyncClient) -> None:
    await fleet(server, api)
    month = datetime.now(UTC).strftime("%Y-%m")
    by_token = (await api.get("/statements", params={"month": month})).json()
    assert by_token["by"] == "id_token" and by_token["month"] == month
    lines = {m["member"]: m for m in by_token["members"]}
    assert set(lines) == {"ANNA", "BEN", "CARL"}
    assert (lines["ANNA"]["sessions"], lines["ANNA"]["energy_wh"]) == (2, 5000)
    assert lines["ANNA"]["costs"] == {"EUR": 0.5}  # only her north session is priced
    assert lines["BEN"]["cost"] == 1.0 and lines["BEN"]["currency"] == "EUR"
    assert lines["CARL"]["cost"] is None and lines["CARL"]["costs"] == {}
    txs = (await api.get("/transactions")).json()
    for member, line in lines.items():
        green = sum(t["green_energy_wh"] for t in txs if t["id_token"] == member)
        assert abs(line["green_energy_wh"] - green) < 0.01
        share = line["green_share"]
        assert share is None or 0 <= share <= 1

    groups = (await api.get("/statements", params={"month": month, "by": "group"})).json()
    assert [(m["member"], m["sessions"]) for m in groups["members"]] == [("family", 3),
                                                                          (None, 1)]
    sites = (await api.get("/statements", params={"month": month, "by": "site"})).json()
    assert [(m["member"], m["energy_wh"]) for m in sites["members"]] == [("north", 6000),
                                                                          ("south", 4000)]
    rows = parse(await api.get("/statements.csv", params={"month": month, "by": "site"}))
    assert list(rows[0]) == ["member", "sessions", "energy_kwh", "green_energy_kwh",
                             "green_share", "cost", "currency"]
    assert [(r["member"], float(r["energy_kwh"]), r["cost"]) for r in rows] == [
        ("north", 6.0, "1.50"), ("south", 4.0, "")]
    last_year = f"{int(month[:4]) - 1}{month[4:]}"
    assert (await api.get("/statements", params={"month": last_year})).json()["members"] == []


async def test_site_energy_csv_per_interval(server: Any, api: httpx.AsyncClient) -> None:
    await fleet(server, api)
    # a window that has passed: the report has no intervals beyond now
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=2)
    window = {"from": start.isoformat(), "to": (start + timedelta(hours=2)).isoformat()}
    hourly = parse(await api.get("/sites/north/energy.csv", params={**window, "interval": "1h"}))
    quarter = parse(await api.get("/sites/north/energy.csv",
                                  params={**window, "interval": "15m"}))
    assert list(hourly[0]) == ["start", "end", "load_kwh", "green_measured_kwh",
                               "green_forecast_kwh", "green_source", "grid_import_kwh",
                               "green_used_kwh"]
    assert (len(hourly), len(quarter)) == (2, 8)
    assert datetime.fromisoformat(hourly[0]["start"]) == start
    for column in ("load_kwh", "grid_import_kwh", "green_used_kwh"):
        assert abs(sum(float(r[column]) for r in hourly)
                   - sum(float(r[column]) for r in quarter)) < 0.001
    for row in quarter:
        load, used, grid = (float(row[k]) for k in ("load_kwh", "green_used_kwh",
                                                    "grid_import_kwh"))
        assert abs(grid - max(0.0, load - used)) < 0.001
        assert row["green_source"] in ("measured", "forecast", "mixed")


async def test_bad_export_requests_are_clear(server: Any, api: httpx.AsyncClient) -> None:
    await api.post("/sites", json={"id": "w", "name": "w", "grid_limit_kw": 5})
    for params in ({"month": "2026-13"}, {"month": "26-01"}, {"month": "2026-01", "by": "x"},
                   {}):
        assert_detail(await api.get("/statements", params=params), 422)
        assert_detail(await api.get("/statements.csv", params=params), 422)
    for params in ({"from": "2026-02-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"},
                   {"from": "soon"}, {"to": "2026-01-01T00:00:00"}, {"active": "maybe"}):
        assert_detail(await api.get("/transactions.csv", params=params), 422)
        assert_detail(await api.get("/transactions", params=params), 422)
    assert_detail(await api.get("/sites/w/energy.csv", params={"interval": "5m"}), 422)
    assert_detail(await api.get("/sites/w/energy.csv", params={
        "from": "2026-01-01T00:00:00Z", "to": "2026-03-01T00:00:00Z"}), 422)
    assert_detail(await api.get("/sites/nowhere/energy.csv"), 404)
