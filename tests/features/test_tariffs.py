"""Tariffs: the cost arithmetic (green energy cheaper, rounding per line) and the tariff API
with every kind of bad input."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest

from csms.domain.errors import InvalidInput
from csms.domain.tariffs import Tariff, check_currency, check_price, check_tariff, cost, pick
from tests.api.support import assert_detail

EUR = Tariff(id="t", currency="EUR", price_per_kwh=Decimal("0.30"),
             green_price_per_kwh=Decimal("0.12"), price_per_minute=Decimal("0.02"),
             session_fee=Decimal("0.50"))


# --- arithmetic ---------------------------------------------------------------------------

def test_cost_adds_fee_minutes_grid_and_green_energy() -> None:
    c = cost(EUR, energy_wh=10_000, green_wh=4_000, seconds=30 * 60)
    assert c.session.amount == Decimal("0.50")
    assert c.time.amount == Decimal("0.60")  # 30 min x 0.02
    assert c.energy.quantity == Decimal("6") and c.energy.amount == Decimal("1.80")
    assert c.green_energy.quantity == Decimal("4") and c.green_energy.amount == Decimal("0.48")
    assert c.total == Decimal("3.38")
    assert c.currency == "EUR" and c.tariff_id == "t"


def test_green_energy_is_cheaper_than_grid_energy() -> None:
    all_grid = cost(EUR, 10_000, 0, 0)
    all_green = cost(EUR, 10_000, 10_000, 0)
    assert all_green.total < all_grid.total
    assert all_grid.total - all_green.total == Decimal("1.80")  # 10 kWh x (0.30 - 0.12)


def test_each_line_is_rounded_half_up_and_the_total_is_their_sum() -> None:
    t = Tariff(id="r", currency="EUR", price_per_kwh=Decimal("0.125"),
               green_price_per_kwh=Decimal("0.125"), price_per_minute=Decimal("0.005"))
    c = cost(t, energy_wh=1_000, green_wh=0, seconds=60)  # 0.125 and 0.005
    assert c.energy.amount == Decimal("0.13") and c.time.amount == Decimal("0.01")
    assert c.total == Decimal("0.14")  # not round(0.130) = 0.13
    yen = Tariff(id="y", currency="JPY", price_per_kwh=Decimal("33.5"),
                 green_price_per_kwh=Decimal("20"))
    assert cost(yen, 1_000, 0, 0).total == Decimal("34")  # no minor unit
    dinar = Tariff(id="k", currency="KWD", price_per_kwh=Decimal("0.0125"),
                   green_price_per_kwh=Decimal("0.0125"))
    assert cost(dinar, 1_000, 0, 0).total == Decimal("0.013")  # three decimals


def test_no_float_drift_and_odd_inputs_are_clamped() -> None:
    t = Tariff(id="f", currency="EUR", price_per_kwh=Decimal("0.1"),
               green_price_per_kwh=Decimal("0.1"))
    assert cost(t, 3_000, 0, 0).total == Decimal("0.30")  # 0.1 * 3 is exact
    green_above = cost(EUR, 1_000, 5_000, 0)  # accounting ahead of a meter correction
    assert green_above.green_energy.quantity == Decimal("1") and green_above.energy.amount == 0
    negative = cost(EUR, -5, -5, -60)
    assert negative.total == Decimal("0.50")  # the fee only


def test_group_wins_over_site_wins_over_default() -> None:
    g, s, d = (Tariff(id=i, currency="EUR", price_per_kwh=Decimal(1),
                      green_price_per_kwh=Decimal(1)) for i in "gsd")
    assert pick(g, s, d) is g
    assert pick(None, s, d) is s
    assert pick(None, None, d) is d
    assert pick(None, None, None) is None


@pytest.mark.parametrize("value", [-1, "-0.01", "abc", None, True, float("nan"), "1e7",
                                   "0.0000001", [1]])
def test_bad_prices_are_refused(value: Any) -> None:
    with pytest.raises(InvalidInput):
        check_price(value, "price_per_kwh")


@pytest.mark.parametrize("value", ["EU", "EURO", "eur", "E1R", "ÉUR", None, 978])
def test_bad_currencies_are_refused(value: Any) -> None:
    with pytest.raises(InvalidInput):
        check_currency(value)


def test_green_above_grid_price_or_two_scopes_are_refused() -> None:
    with pytest.raises(InvalidInput, match="green"):
        check_tariff(Tariff(id="x", currency="EUR", price_per_kwh=Decimal("0.1"),
                            green_price_per_kwh=Decimal("0.2")))
    with pytest.raises(InvalidInput, match="not both"):
        check_tariff(Tariff(id="x", currency="EUR", price_per_kwh=Decimal("0.1"),
                            green_price_per_kwh=Decimal("0.1"), site_id="s", group_id="g"))


# --- the API ------------------------------------------------------------------------------

async def _site_and_group(api: httpx.AsyncClient) -> None:
    r = await api.post("/sites", json={"id": "yard", "name": "Yard", "grid_limit_kw": 50})
    assert r.status_code == 201, r.text
    r = await api.post("/id-tokens", json={"id_token": "M1", "group_id": "members"})
    assert r.status_code == 201, r.text


async def test_tariff_crud(api: httpx.AsyncClient) -> None:
    await _site_and_group(api)
    r = await api.post("/tariffs", json={
        "id": "site", "name": "Yard", "currency": "EUR", "price_per_kwh": "0.35",
        "green_price_per_kwh": 0.15, "price_per_minute": 0.01, "session_fee": 1,
        "site_id": "yard"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["scope"] == "site" and body["price_per_kwh"] == 0.35
    assert body["green_price_per_kwh"] == 0.15 and body["session_fee"] == 1.0
    r = await api.post("/tariffs", json={"currency": "EUR", "price_per_kwh": 0.3,
                                         "group_id": "members"})
    assert r.status_code == 201, r.text
    group = r.json()
    assert group["scope"] == "group" and group["id"]
    assert group["green_price_per_kwh"] == 0.3  # defaults to the grid price
    assert group["price_per_minute"] == 0 and group["session_fee"] == 0
    r = await api.post("/tariffs", json={"id": "std", "currency": "EUR", "price_per_kwh": 0.4})
    assert r.status_code == 201 and r.json()["scope"] == "default"

    listed = (await api.get("/tariffs")).json()
    assert {t["id"] for t in listed} == {"site", group["id"], "std"}
    assert (await api.get("/tariffs/site")).json()["name"] == "Yard"

    r = await api.patch("/tariffs/site", json={"price_per_kwh": 0.5, "name": None})
    assert r.status_code == 200, r.text
    assert r.json()["price_per_kwh"] == 0.5 and r.json()["name"] is None
    assert r.json()["green_price_per_kwh"] == 0.15
    r = await api.patch("/tariffs/site", json={"site_id": None})  # a second default
    assert "default" in assert_detail(r, 409)
    r = await api.patch("/tariffs/std", json={"site_id": "yard"})  # the site has one
    assert "site" in assert_detail(r, 409)

    assert (await api.delete("/tariffs/std")).status_code == 204
    assert_detail(await api.get("/tariffs/std"), 404)
    assert_detail(await api.delete("/tariffs/std"), 404)
    r = await api.patch("/tariffs/site", json={"site_id": None})  # now it may be the default
    assert r.status_code == 200 and r.json()["scope"] == "default"


@pytest.mark.parametrize("body", [
    {"currency": "EUR", "price_per_kwh": -0.1},
    {"currency": "EUR", "price_per_kwh": 0.3, "price_per_minute": -1},
    {"currency": "EUR", "price_per_kwh": 0.3, "session_fee": "-2"},
    {"currency": "EUR", "price_per_kwh": 0.3, "green_price_per_kwh": -0.01},
    {"currency": "EUR", "price_per_kwh": 0.1, "green_price_per_kwh": 0.2},
    {"currency": "EUR", "price_per_kwh": "abc"},
    {"currency": "EUR", "price_per_kwh": 0.1234567},
    {"currency": "EUR", "price_per_kwh": 2_000_000},
    {"currency": "EURO", "price_per_kwh": 0.3},
    {"currency": "eur", "price_per_kwh": 0.3},
    {"currency": "EU", "price_per_kwh": 0.3},
    {"price_per_kwh": 0.3},
    {"currency": "EUR"},
    {"currency": "EUR", "price_per_kwh": 0.3, "site_id": "nowhere"},
    {"currency": "EUR", "price_per_kwh": 0.3, "group_id": "nobody"},
    {"currency": "EUR", "price_per_kwh": 0.3, "site_id": "yard", "group_id": "members"},
    {"currency": "EUR", "price_per_kwh": 0.3, "id": "bad id/"},
    {"currency": "EUR", "price_per_kwh": 0.3, "colour": "green"},
    {"currency": "EUR", "price_per_kwh": 0.3, "name": "nul\x00"},
    {"currency": "EUR", "price_per_kwh": 0.3, "site_id": ""},
])
async def test_bad_tariffs_are_422_and_nothing_is_stored(
    api: httpx.AsyncClient, body: dict[str, Any]
) -> None:
    await _site_and_group(api)
    assert_detail(await api.post("/tariffs", json=body), 422)
    assert (await api.get("/tariffs")).json() == []


async def test_bad_requests_on_every_tariff_route(api: httpx.AsyncClient) -> None:
    await _site_and_group(api)
    r = await api.post("/tariffs", json={"id": "a", "currency": "EUR", "price_per_kwh": 0.3,
                                         "green_price_per_kwh": 0.1, "site_id": "yard"})
    assert r.status_code == 201
    assert_detail(await api.post("/tariffs", json={"id": "a", "currency": "EUR",
                                                   "price_per_kwh": 0.3}), 409)
    assert_detail(await api.post("/tariffs", json={"currency": "EUR", "price_per_kwh": 0.3,
                                                   "site_id": "yard"}), 409)
    assert_detail(await api.post("/tariffs", content=b"{not json",
                                 headers={"content-type": "application/json"}), 422)
    assert_detail(await api.post("/tariffs", json=[1, 2]), 422)
    for patch in ({"price_per_kwh": -1}, {"price_per_kwh": 0.05},  # below the green price
                  {"currency": "E"}, {"currency": None}, {"price_per_kwh": None},
                  {"site_id": "nowhere"}, {"group_id": "nobody"}, {"group_id": "members"},
                  {"unknown": 1}):
        assert_detail(await api.patch("/tariffs/a", json=patch), 422)
    assert_detail(await api.patch("/tariffs/missing", json={"price_per_kwh": 1}), 404)
    assert_detail(await api.get("/tariffs/missing"), 404)
    stored = (await api.get("/tariffs/a")).json()
    assert stored["price_per_kwh"] == 0.3 and stored["site_id"] == "yard"  # unchanged
    async with httpx.AsyncClient(base_url=str(api.base_url)) as anonymous:
        assert (await anonymous.get("/tariffs")).status_code == 401
        assert (await anonymous.post("/tariffs", json={})).status_code == 401
