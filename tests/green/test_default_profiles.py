"""The power rule at the stations, end to end: a TxDefaultProfile (what a charger keeps if csms
becomes unreachable) is the site limit split among the stations and never a limit below what a
car accepts (6 A per phase); an EVSE limited below that minimum gets 0."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from simulators import StationConfig, make_station
from tests.conftest import ServerFactory, api_client
from tests.e2e.test_smart_charging import profile_kw, setup_site
from tests.helpers import BOOT_201, raw_station

MIN_KW = 6.0 * 230 * 3 / 1000  # 6 A on three phases


def default_limits(received: list[tuple[str, dict[str, Any]]]) -> list[float]:
    """kW of every TxDefaultProfile a 1.6 station received, in order."""
    out = []
    for action, payload in received:
        prof = payload.get("csChargingProfiles") if action == "SetChargingProfile" else None
        if prof and prof["chargingProfilePurpose"] == "TxDefaultProfile":
            sched = prof["chargingSchedule"]
            period = sched["chargingSchedulePeriod"][0]
            limit = float(period["limit"])
            if sched["chargingRateUnit"] == "W":
                out.append(limit / 1000)
            else:
                out.append(limit * 230 * int(period.get("numberPhases", 3)) / 1000)
    return out


async def test_a_tight_site_gives_the_minimum_to_as_many_as_fit_and_0_to_the_rest(
    server_factory: ServerFactory,
) -> None:
    """12 kW over three stations is 4 kW (5.8 A) each, which no car takes: two get 6 kW, one 0."""
    server = await server_factory(plan_interval_s=0.5)
    url = f"ws://127.0.0.1:{server.ocpp_port}/ocpp"
    async with api_client(server) as api:
        site = {"id": "tight", "name": "Tight yard", "grid_limit_kw": 12.0}
        assert (await api.post("/sites", json=site)).status_code == 201
        ids = ["TD-1", "TD-2", "TD-3"]
        for sid in ids:
            r = await api.post("/stations", json={"id": sid, "site_id": "tight"})
            assert r.status_code == 201, r.text
        stations = [make_station(url, StationConfig(station_id=sid, protocol="1.6"))
                    for sid in ids]
        for st in stations:
            await st.connect()
            await st.boot()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 20.0
        while not all(default_limits(st.received) for st in stations):
            assert loop.time() < deadline, [st.received for st in stations]
            await asyncio.sleep(0.1)
        latest = [default_limits(st.received)[-1] for st in stations]
        assert all(kw == 0.0 or kw >= MIN_KW - 1e-9 for kw in latest), latest
        assert sum(latest) <= 12.0 + 1e-9, latest
        # 6 kW to two of them: in watts once a station's probe says it takes W, in amps before
        # (8.6 A, rounded down so the limit holds: 5.934 kW); whichever came first stays
        low, *given = sorted(latest)
        assert low == 0.0, latest
        assert all(6.0 - 0.07 < kw <= 6.0 for kw in given), latest
        for st in stations:
            await st.close()


async def test_an_external_limit_below_the_minimum_stops_the_session_not_the_site(
    server_factory: ServerFactory,
) -> None:
    """A grid operator's limit of 3 kW on an EVSE is below what a car takes (4.14 kW): that
    session gets 0, and the site is still planned (it used to fail: min above max)."""
    server = await server_factory(plan_interval_s=1.0)
    async with api_client(server) as api:
        await setup_site(api, green_kw=0.0)
        async with raw_station(server, "SC-201", "ocpp2.0.1") as st:
            await st.ok("BootNotification", BOOT_201)
            start = (datetime.now(UTC) - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
            await st.ok("NotifyChargingLimit", {
                "chargingLimit": {"chargingLimitSource": "SO"}, "evseId": 1,
                "chargingSchedule": [{"id": 1, "startSchedule": start, "chargingRateUnit": "W",
                                      "chargingSchedulePeriod": [{"startPeriod": 0,
                                                                  "limit": 3000.0}]}]})
            now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            await st.ok("TransactionEvent", {
                "eventType": "Started", "timestamp": now, "triggerReason": "Authorized",
                "seqNo": 0, "transactionInfo": {"transactionId": "low-1"},
                "idToken": {"idToken": "CAR", "type": "ISO14443"},
                "evse": {"id": 1, "connectorId": 1}})
            departure = (datetime.now(UTC) + timedelta(minutes=30)).isoformat()
            r = await api.put("/transactions/low-1/preferences", params={"station_id": "SC-201"},
                              json={"departure_at": departure, "energy_wh": 30000})
            assert r.status_code == 200, r.text
            tx_limits: list[float] = []
            async with asyncio.timeout(30):
                while not tx_limits:
                    call = await st.recv(timeout=15)
                    if call[0] != 2:
                        continue
                    if call[2] != "SetChargingProfile":
                        await st.send([4, call[1], "NotImplemented", "", {}])
                        continue
                    await st.send([3, call[1], {"status": "Accepted"}])
                    if call[3]["chargingProfile"]["chargingProfilePurpose"] == "TxProfile":
                        tx_limits.append(profile_kw(call[3]))
            assert tx_limits == [0.0], tx_limits
            plan = (await api.get("/sites/coop/plan")).json()
            assert not any("planning failed" in n for n in plan["notes"]), plan
