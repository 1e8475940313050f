"""Green accounting end to end: readings and two stations' meter values in, green Wh out.

A site with one solar source and readings; a 1.6 and a 2.0.1 station on the site charge at
the same time, with register values at known timestamps in the recent past; a third station
without a site charges alongside. After the stops the API's `green_energy_wh` is exactly the
hand computation below, and the energy report adds up.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from csms.app import CsmsServer
from tests.api.support import register
from tests.helpers import BOOT_16, BOOT_201, raw_station

SITE = {"id": "yard", "name": "Co-op yard", "grid_limit_kw": 40, "latitude": 42.7,
        "longitude": 23.3, "timezone": "Europe/Sofia"}
NOW = datetime.now(UTC)
T0 = NOW.replace(minute=(NOW.minute // 15) * 15, second=0, microsecond=0) - timedelta(hours=3)

# Per 15-minute interval k (from T0): mean solar power (kW) of the readings, and Wh charged.
#   k   readings kW -> green Wh   1.6 Wh   2.0.1 Wh   used   1.6 green   2.0.1 green
#   0   20          -> 5000       3000     -          3000   3000        -
#   1   6, 10 = 8   -> 2000       3000     1000       2000   1500        500
#   2   4           -> 1000       3000     2000       1000   600         400
#   3   12          -> 3000       -        2000       2000   -           2000
READINGS = {0: [20.0], 1: [6.0, 10.0], 2: [4.0], 3: [12.0]}
GREEN_16, GREEN_201 = 5100.0, 2900.0


def at(minutes: float) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z")


def register_16(minutes: float, wh: float) -> dict[str, Any]:
    return {"timestamp": at(minutes), "sampledValue": [
        {"value": str(wh), "measurand": "Energy.Active.Import.Register", "unit": "Wh"}]}


def event_201(kind: str, seq: int, minutes: float, kwh: float, **extra: Any) -> dict[str, Any]:
    trigger = {"Started": "Authorized", "Updated": "MeterValuePeriodic", "Ended": "EVDeparted"}
    p: dict[str, Any] = {
        "eventType": kind, "timestamp": at(minutes), "seqNo": seq,
        "triggerReason": trigger[kind], "transactionInfo": {"transactionId": "e2e-201"},
        "meterValue": [{"timestamp": at(minutes), "sampledValue": [
            {"value": kwh, "measurand": "Energy.Active.Import.Register",
             "unitOfMeasure": {"unit": "kWh"}}]}],
    }
    return p | extra


async def setup_site(api: httpx.AsyncClient) -> None:
    assert (await api.post("/sites", json=SITE)).status_code == 201
    r = await api.post("/sites/yard/sources", json={"id": "pv", "peak_kw": 50})
    assert r.status_code == 201, r.text
    body = [{"timestamp": at(15 * k + 3 + 5 * n), "power_kw": kw}
            for k, values in READINGS.items() for n, kw in enumerate(values)]
    r = await api.post("/sites/yard/sources/pv/readings", json=body)
    assert r.status_code == 201, r.text
    await register(api, "E16", site_id="yard")
    await register(api, "E201", site_id="yard")
    await register(api, "LONER")  # no site: charges alongside, takes no green
    await api.post("/id-tokens", json={"id_token": "CAR1"})
    await api.post("/id-tokens", json={"id_token": "CAR2"})


async def charge(server: CsmsServer) -> tuple[str, str]:
    async with raw_station(server, "E16") as s16, \
            raw_station(server, "E201", "ocpp2.0.1") as s201, \
            raw_station(server, "LONER") as loner:
        await s16.ok("BootNotification", BOOT_16)
        await s201.ok("BootNotification", BOOT_201)
        await loner.ok("BootNotification", BOOT_16)
        started = await s16.ok("StartTransaction", {"connectorId": 1, "idTag": "CAR1",
                                                    "meterStart": 0, "timestamp": at(0)})
        tx16 = started["transactionId"]
        alone = await loner.ok("StartTransaction", {"connectorId": 1, "idTag": "CAR2",
                                                    "meterStart": 0, "timestamp": at(0)})
        await s201.ok("TransactionEvent", event_201(
            "Started", 0, 15, 10.0, evse={"id": 1, "connectorId": 1},
            idToken={"idToken": "CAR2", "type": "ISO14443"}))
        # out of order on purpose: the 30' register arrives before the 15' one
        await s16.ok("MeterValues", {"connectorId": 1, "transactionId": tx16,
                                     "meterValue": [register_16(30, 6000)]})
        await s16.ok("MeterValues", {"connectorId": 1, "transactionId": tx16,
                                     "meterValue": [register_16(15, 3000)]})
        await s201.ok("TransactionEvent", event_201("Updated", 1, 30, 11.0))
        await s16.ok("StopTransaction", {"transactionId": tx16, "meterStop": 9000,
                                         "timestamp": at(45), "reason": "EVDisconnected"})
        await s201.ok("TransactionEvent", event_201(
            "Ended", 2, 60, 15.0, transactionInfo={"transactionId": "e2e-201",
                                                   "stoppedReason": "EVDisconnected"}))
        await loner.ok("StopTransaction", {"transactionId": alone["transactionId"],
                                           "meterStop": 4000, "timestamp": at(60)})
        return str(tx16), str(alone["transactionId"])


async def green_of(api: httpx.AsyncClient, tx_id: str, expected: float) -> dict[str, Any]:
    """The transaction once its green energy is accounted (the stop triggers it)."""
    for _ in range(100):
        tx: dict[str, Any] = (await api.get(f"/transactions/{tx_id}")).json()
        if tx["green_energy_wh"] == pytest.approx(expected, abs=0.01):
            return tx
        await asyncio.sleep(0.05)
    raise AssertionError(f"green_energy_wh of {tx_id}: {tx['green_energy_wh']} != {expected}")


async def test_green_energy_of_concurrent_sessions(
        server: CsmsServer, api: httpx.AsyncClient) -> None:
    await setup_site(api)
    tx16, loner = await charge(server)
    t16 = await green_of(api, tx16, GREEN_16)
    t201 = await green_of(api, "e2e-201", GREEN_201)
    assert (t16["energy_wh"], t201["energy_wh"]) == (9000, 5000)
    assert (await api.get(f"/transactions/{loner}")).json()["green_energy_wh"] == 0
    # recomputing changes nothing (idempotent), and the periodic refresh agrees
    assert await server.services.accounting.recompute_site("yard") == 0
    await server.services.accounting.refresh()
    assert (await api.get(f"/transactions/{tx16}")).json()["green_energy_wh"] == t16[
        "green_energy_wh"]

    r = await api.get("/sites/yard/energy", params={"from": at(0), "to": at(60)})
    assert r.status_code == 200, r.text
    report = r.json()
    assert report == {
        "site_id": "yard", "from": at(0), "to": at(60), "energy_wh": 14000.0,
        "green_energy_wh": GREEN_16 + GREEN_201,
        "green_share": round((GREEN_16 + GREEN_201) / 14000, 4), "sessions": 2,
        "green_source": "measured",
    }
    detail = (await api.get("/sites/yard/energy", params={
        "from": at(0), "to": at(60), "detail": "true"})).json()
    rows = [(i["energy_wh"], i["green_available_wh"], i["green_energy_wh"], i["green_source"])
            for i in detail["intervals"]]
    assert rows == [(3000, 5000, 3000, "measured"), (4000, 2000, 2000, "measured"),
                    (5000, 1000, 1000, "measured"), (2000, 3000, 2000, "measured")]
    # half of the first interval: prorated
    half = (await api.get("/sites/yard/energy", params={"from": at(7.5), "to": at(15)})).json()
    assert (half["energy_wh"], half["green_energy_wh"], half["sessions"]) == (1500, 1500, 1)
    # a wider range takes in intervals without readings: the forecast stands in for them
    wide = (await api.get("/sites/yard/energy", params={"from": at(-60), "to": at(120)})).json()
    assert wide["energy_wh"] == 14000 and wide["green_source"] == "measured"
    empty = (await api.get("/sites/yard/energy", params={"from": at(-60), "to": at(-15),
                                                         "detail": "true"})).json()
    assert (empty["energy_wh"], empty["green_share"], empty["sessions"]) == (0, None, 0)
    assert empty["green_source"] == "forecast" and len(empty["intervals"]) == 3


async def test_default_range_is_today_in_the_site_time_zone(api: httpx.AsyncClient) -> None:
    await setup_site(api)
    before = datetime.now(UTC)  # not NOW, taken at collection: the day may turn meanwhile
    r = await api.get("/sites/yard/energy")
    after = datetime.now(UTC)
    assert r.status_code == 200, r.text
    body = r.json()
    start = datetime.fromisoformat(body["from"])
    end = datetime.fromisoformat(body["to"])
    local = start.astimezone(ZoneInfo("Europe/Sofia"))
    assert (local.hour, local.minute) == (0, 0)
    assert timedelta(hours=23) <= end - start <= timedelta(hours=25)
    assert start <= after and before < end  # the server's now lies between the two
    assert "intervals" not in body


@pytest.mark.parametrize(("params", "status"), [
    ({"from": "2026-06-02T00:00:00Z", "to": "2026-06-01T00:00:00Z"}, 422),  # from after to
    ({"from": "2026-06-01T00:00:00Z", "to": "2026-06-01T00:00:00Z"}, 422),  # empty
    ({"from": "2026-06-01T00:00:00", "to": "2026-06-02T00:00:00Z"}, 422),  # naive
    ({"from": "2026-06-01T00:00:00Z", "to": "2026-06-02T00:00:00"}, 422),
    ({"from": "2024-01-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"}, 422),  # > 366 days
    ({"from": "yesterday"}, 422),
    ({"from": "2026-13-01T00:00:00Z"}, 422),
    ({"to": "x" * 100}, 422),
    ({"from": "2026-06-01T00:00:00Z", "to": "2026-08-01T00:00:00Z", "detail": "true"}, 422),
    ({"detail": "maybe"}, 422),
    ({"from": "2026-06-01T00:00:00+03:00", "to": "2026-06-02T00:00:00Z"}, 200),
    ({"from": "2026-06-01T00:00:00 03:00", "to": "2026-06-02T00:00:00Z"}, 200),  # '+' as ' '
])
async def test_bad_report_requests(
        api: httpx.AsyncClient, params: dict[str, str], status: int) -> None:
    await setup_site(api)
    r = await api.get("/sites/yard/energy", params=params)
    assert r.status_code == status, r.text
    if status == 422:
        assert "detail" in r.json()
    else:
        assert r.json()["from"] == "2026-05-31T21:00:00Z"


async def test_unknown_site_and_no_token(server: CsmsServer, api: httpx.AsyncClient) -> None:
    assert (await api.get("/sites/nope/energy")).status_code == 404
    params = {"from": "2026-06-01T00:00:00Z", "to": "2026-06-02T00:00:00Z"}
    assert (await api.get("/sites/nope/energy", params=params)).status_code == 404
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.api_port}/api/v1") as anon:
        assert (await anon.get("/sites/nope/energy")).status_code == 401


async def test_intervals_without_readings_take_a_forecast_given(api: httpx.AsyncClient) -> None:
    """Where nothing was measured the report stands in the expected output: a source's
    weather-based forecast where it has one, the clear sky's guess elsewhere."""
    await setup_site(api)  # readings from T0 on
    given = {"start": at(-60), "slot_minutes": 30, "power_kw": [8.0, 8.0]}
    assert (await api.put("/sites/yard/sources/pv/forecast", json=given)).status_code == 200
    report = (await api.get("/sites/yard/energy", params={
        "from": at(-90), "to": at(15), "detail": "true"})).json()
    rows = [(i["start"], i["green_available_wh"], i["green_source"]) for i in report["intervals"]]
    assert rows[2:] == [(at(-60), 2000.0, "forecast"), (at(-45), 2000.0, "forecast"),
                        (at(-30), 2000.0, "forecast"), (at(-15), 2000.0, "forecast"),
                        (at(0), 5000.0, "measured")]
    assert [r[2] for r in rows[:2]] == ["forecast", "forecast"]  # before it: the clear sky


async def test_production_is_reported_where_nothing_charged(api: httpx.AsyncClient) -> None:
    """An interval without load still had its green production: the report and the CSV say
    what the panels gave, not 0."""
    await setup_site(api)  # readings, no session
    report = (await api.get("/sites/yard/energy", params={
        "from": at(0), "to": at(60), "detail": "true"})).json()
    rows = [(i["energy_wh"], i["green_available_wh"], i["green_source"])
            for i in report["intervals"]]
    assert rows == [(0, 5000, "measured"), (0, 2000, "measured"), (0, 1000, "measured"),
                    (0, 3000, "measured")]
    csv = await api.get("/sites/yard/energy.csv", params={"from": at(0), "to": at(60),
                                                          "interval": "15m"})
    assert csv.status_code == 200, csv.text
    lines = csv.text.splitlines()
    assert lines[0].split(",")[3] == "green_measured_kwh"
    assert [line.split(",")[3] for line in lines[1:]] == ["5.0", "2.0", "1.0", "3.0"]
