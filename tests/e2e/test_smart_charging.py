"""Green-first smart charging end to end: a site, solar readings, two stations of both
versions with simulated cars, preferences; the stations get TxProfiles within the site limit,
the cars follow them, and the transactions end with green energy from the readings."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from csms.planning.forecast import DROP_PRIOR
from csms.services.smart import charging_profiles as cp
from simulators import StationConfig, make_station
from tests.conftest import ServerFactory, api_client
from tests.helpers import BOOT_16, BOOT_201, raw_station

GRID_KW = 15.0
SITE = {"id": "coop", "name": "Co-op yard", "grid_limit_kw": GRID_KW, "latitude": 42.7,
        "longitude": 23.3, "timezone": "Europe/Sofia"}


async def eventually(check: Any, timeout: float = 15.0) -> Any:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await check()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.1)


def profile_kw(payload: dict[str, Any]) -> float:
    """The first period's limit of a SetChargingProfile in kW (A at 230 V x phases, or W)."""
    prof = payload.get("csChargingProfiles") or payload["chargingProfile"]
    sched = prof["chargingSchedule"]
    sched = sched[0] if isinstance(sched, list) else sched
    period = sched["chargingSchedulePeriod"][0]
    limit = float(period["limit"])
    if sched["chargingRateUnit"] == "W":
        return limit / 1000
    return limit * 230 * int(period.get("numberPhases", 3)) / 1000


def tx_profiles(received: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    out = []
    for action, payload in received:
        if action != "SetChargingProfile":
            continue
        prof = payload.get("csChargingProfiles") or payload["chargingProfile"]
        if prof["chargingProfilePurpose"] == "TxProfile":
            out.append(payload)
    return out


async def setup_site(api: httpx.AsyncClient, green_kw: float) -> None:
    assert (await api.post("/sites", json=SITE)).status_code == 201
    assert (await api.post("/sites/coop/sources",
                           json={"id": "pv", "peak_kw": 60})).status_code == 201
    now = datetime.now(UTC)
    readings = [{"timestamp": (now - timedelta(minutes=m)).isoformat(), "power_kw": green_kw}
                for m in (40, 30, 20, 10, 0)]
    assert (await api.post("/sites/coop/sources/pv/readings", json=readings)).status_code == 201
    for sid in ("SC-16", "SC-201"):
        r = await api.post("/stations", json={"id": sid, "site_id": "coop"})
        assert r.status_code == 201, r.text
    assert (await api.post("/id-tokens", json={"id_token": "CAR"})).status_code == 201


async def test_two_cars_share_the_site_limit_and_charge_green(
    server_factory: ServerFactory,
) -> None:
    server = await server_factory(plan_interval_s=1.0)
    url = f"ws://127.0.0.1:{server.ocpp_port}/ocpp"
    async with api_client(server) as api:
        await setup_site(api, green_kw=40.0)  # more sun than the cars can take
        cfgs = [StationConfig(station_id=sid, protocol=proto, id_token="CAR",
                              meter_interval_s=2.0, max_power_w=11000.0)
                for sid, proto in (("SC-16", "1.6"), ("SC-201", "2.0.1"))]
        stations = [make_station(url, c) for c in cfgs]
        for st in stations:
            await st.connect()
            await st.boot()
        tx_ids = [await st.start_transaction(evse_id=1, id_token="CAR") for st in stations]
        departure = (datetime.now(UTC) + timedelta(minutes=45)).isoformat()
        for st, tx_id in zip(stations, tx_ids, strict=True):
            r = await api.put(f"/transactions/{tx_id}/preferences",
                              params={"station_id": st.cfg.station_id},
                              json={"departure_at": departure, "energy_wh": 30000,
                                    "mode": "green"})
            assert r.status_code == 200, r.text
            assert r.json()["defaulted"] is False

        async def both_charging() -> list[float]:
            """The latest TxProfile of each station, once the urgent need has both charging."""
            if not all(tx_profiles(st.received) for st in stations):
                return []
            latest = [profile_kw(tx_profiles(st.received)[-1]) for st in stations]
            # on-site green: the import stays within the limit as long as the load stays within
            # the limit plus the firm green (at most half the last reading, which is 40 kW)
            assert sum(latest) <= GRID_KW + DROP_PRIOR * 40.0 + 1e-6, latest
            return latest if all(kw > 0 for kw in latest) else []

        limits = await eventually(both_charging)

        for _ in range(3):  # the cars follow: sampled power within the limit
            for st in stations:
                await st.send_meter_values(evse_id=1)
            await asyncio.sleep(1.0)
        for st, limit in zip(stations, limits, strict=True):
            assert st.meters[1].limit_w is not None
            assert st.meters[1].limit_w <= limit * 1000 + 1

        plan = (await api.get("/sites/coop/plan")).json()
        assert plan["grid_limit_kw"] == GRID_KW
        assert {s["transaction_id"] for s in plan["sessions"]} == set(tx_ids)
        assert all(s["managed"] and s["power_kw"] for s in plan["sessions"])
        firm = plan["forecast"]["firm_kw"]  # zero after sunset (pvlib), whatever the readings
        assert max(firm) <= DROP_PRIOR * 40.0 + 1e-6, firm
        assert all(load <= GRID_KW + f + 1e-3
                   for load, f in zip(plan["load_kw"], firm, strict=False)), plan["load_kw"]
        assert plan["forecast"]["green_kw"], plan["forecast"]
        assert plan["forecast"]["latest_kw"] == 40.0, plan["forecast"]  # the reading of setup

        for st in stations:
            await st.stop_transaction(evse_id=1)
            await st.close()

        async def accounted() -> list[dict[str, Any]]:
            rows = [(await api.get(f"/transactions/{tx}",
                                   params={"station_id": st.cfg.station_id})).json()
                    for st, tx in zip(stations, tx_ids, strict=True)]
            ok = all(r["energy_wh"] > 0 and r["green_energy_wh"] > 0 for r in rows)
            return rows if ok else []

        rows = await eventually(accounted, timeout=30)
        for r in rows:  # the sun covered every kWh
            assert abs(r["green_energy_wh"] - r["energy_wh"]) <= 0.01 * r["energy_wh"] + 1, r


async def test_a_charger_that_rejects_profiles_is_unmanaged(
    server_factory: ServerFactory,
) -> None:
    server = await server_factory(plan_interval_s=1.0)
    async with api_client(server) as api:
        await setup_site(api, green_kw=5.0)
        async with raw_station(server, "SC-16") as st:
            await st.ok("BootNotification", BOOT_16)
            started = await st.ok("StartTransaction", {
                "connectorId": 1, "idTag": "CAR", "meterStart": 0,
                "timestamp": datetime.now(UTC).isoformat()})
            tx = started["transactionId"]
            while True:  # refuse every profile the server sends
                call = await st.recv(timeout=15)
                if call[0] == 2 and call[2] == "SetChargingProfile":
                    await st.send([3, call[1], {"status": "Rejected"}])
                    break
                if call[0] == 2:  # e.g. the capability probe: an old charger knows nothing
                    await st.send([4, call[1], "NotImplemented", "", {}])

            async def unmanaged() -> dict[str, Any] | None:
                station = (await api.get("/stations/SC-16")).json()
                return station if station["charging_control"] == "unmanaged" else None

            station = await eventually(unmanaged)
            assert "rejected" in station["charging_control_reason"]
            plan = (await api.get("/sites/coop/plan", params={"refresh": True})).json()
            assert [u["station_id"] for u in plan["unmanaged_stations"]] == ["SC-16"]
            session = next(s for s in plan["sessions"] if s["transaction_id"] == str(tx))
            assert session["managed"] is False


async def test_a_profile_csms_could_not_send_leaves_the_charger_managed(
    server_factory: ServerFactory, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """csms's own failure to send a profile (here one the command layer refuses) says nothing
    of the charger: it stays managed, and the next profile goes out after the interval."""
    real = cp.tx_profile
    built: list[int] = []

    def first_one_broken(*args: Any, **kwargs: Any) -> tuple[dict[str, Any], Any]:
        profile, renew_at = real(*args, **kwargs)
        if not built:
            first = profile["periods"][0]
            profile = {**profile, "periods": [first, first]}  # not strictly ascending
        built.append(1)
        return profile, renew_at

    monkeypatch.setattr(cp, "tx_profile", first_one_broken)
    server = await server_factory(plan_interval_s=1.0, profile_min_interval_s=1.0)
    url = f"ws://127.0.0.1:{server.ocpp_port}/ocpp"
    async with api_client(server) as api:
        await setup_site(api, green_kw=40.0)
        st = make_station(url, StationConfig(station_id="SC-16", protocol="1.6", id_token="CAR",
                                             meter_interval_s=2.0, max_power_w=11000.0))
        await st.connect()
        await st.boot()
        await st.start_transaction(evse_id=1, id_token="CAR")

        async def a_profile_arrived() -> bool:
            return bool(tx_profiles(st.received))

        await eventually(a_profile_arrived)
        assert len(built) >= 2  # the broken one was never sent; a later one was
        station = (await api.get("/stations/SC-16")).json()
        assert station["charging_control"] == "managed", station
        await st.stop_transaction(evse_id=1)
        await st.close()


@pytest.mark.parametrize("evse", [None, 1], ids=["station-wide", "per-evse"])
async def test_an_external_limit_caps_what_the_plan_gives_the_station(
    server_factory: ServerFactory, evse: int | None,
) -> None:
    """A grid operator's NotifyChargingLimit (2.0.1 K12) of 5 kW, for the station or for the
    EVSE charging: the TxProfile respects it although the site could give the urgent session
    11 kW."""
    server = await server_factory(plan_interval_s=1.0)
    async with api_client(server) as api:
        await setup_site(api, green_kw=0.0)
        async with raw_station(server, "SC-201", "ocpp2.0.1") as st:
            await st.ok("BootNotification", BOOT_201)
            start = (datetime.now(UTC) - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
            await st.ok("NotifyChargingLimit", {
                "chargingLimit": {"chargingLimitSource": "SO"},
                **({} if evse is None else {"evseId": evse}),
                "chargingSchedule": [{"id": 1, "startSchedule": start, "chargingRateUnit": "W",
                                      "chargingSchedulePeriod": [{"startPeriod": 0,
                                                                  "limit": 5000.0}]}]})
            now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            await st.ok("TransactionEvent", {
                "eventType": "Started", "timestamp": now, "triggerReason": "Authorized",
                "seqNo": 0, "transactionInfo": {"transactionId": "ext-1"},
                "idToken": {"idToken": "CAR", "type": "ISO14443"},
                "evse": {"id": 1, "connectorId": 1}})
            departure = (datetime.now(UTC) + timedelta(minutes=30)).isoformat()
            r = await api.put("/transactions/ext-1/preferences", params={"station_id": "SC-201"},
                              json={"departure_at": departure, "energy_wh": 30000})
            assert r.status_code == 200, r.text
            tx_limits: list[float] = []
            async with asyncio.timeout(30):
                while not tx_limits:  # uncapped, the urgent session would get the car's 11 kW
                    call = await st.recv(timeout=15)
                    if call[0] != 2:
                        continue
                    if call[2] != "SetChargingProfile":
                        await st.send([4, call[1], "NotImplemented", "", {}])
                        continue
                    await st.send([3, call[1], {"status": "Accepted"}])
                    if call[3]["chargingProfile"]["chargingProfilePurpose"] == "TxProfile":
                        tx_limits.append(profile_kw(call[3]))
            assert 0 < max(tx_limits) <= 5.0 + 1e-6, tx_limits
