"""Charging profiles as csms believes each station holds them, the stations' own reports
(GetChargingProfiles -> ReportChargingProfiles, multi-part) and external limits
(NotifyChargingLimit / ClearedChargingLimit), with the failure paths."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from simulators import StationConfig, make_station
from tests.api.support import assert_detail, command, now_iso, register
from tests.conftest import ServerFactory, api_client
from tests.helpers import BOOT_16, BOOT_201, raw_station


async def eventually(check: Any, timeout: float = 15.0) -> Any:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await check()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


def tx_profile(tx_id: str, limit: float = 16.0) -> dict[str, Any]:
    return {"purpose": "tx", "stack_level": 2, "unit": "A", "transaction_id": tx_id,
            "periods": [{"start_s": 0, "limit": limit}]}


def default_profile(limit: float = 20.0) -> dict[str, Any]:
    return {"purpose": "tx_default", "stack_level": 0, "unit": "W",
            "periods": [{"start_s": 0, "limit": limit * 1000}]}


async def installed(api: httpx.AsyncClient, station_id: str) -> list[dict[str, Any]]:
    r = await api.get(f"/stations/{station_id}/charging-profiles")
    assert r.status_code == 200, r.text
    return r.json()["installed"]  # type: ignore[no-any-return]


async def test_profiles_follow_set_clear_and_the_transaction_end_v201(
    server_factory: ServerFactory,
) -> None:
    server = await server_factory()
    url = f"ws://127.0.0.1:{server.ocpp_port}/ocpp"
    async with api_client(server) as api:
        await register(api, "PS-201")
        await api.post("/id-tokens", json={"id_token": "CAR"})
        st: Any = make_station(url, StationConfig(station_id="PS-201", evses=2,
                                                  meter_interval_s=0))
        await st.connect()
        await st.boot()
        tx_id = await st.start_transaction(evse_id=1, id_token="CAR")
        base = "/stations/PS-201/commands"
        r = await api.post(f"{base}/set-charging-profile",
                           json={"evse_id": 1, "profile": tx_profile(tx_id)})
        assert r.json()["status"] == "Accepted", r.text
        tx_pid = r.json()["profile_id"]
        for evse in (1, 2):
            r = await api.post(f"{base}/set-charging-profile",
                               json={"evse_id": evse, "profile": default_profile()})
            assert r.json()["status"] == "Accepted", r.text
        # the same id again replaces: a new limit, not a second row
        r = await api.post(f"{base}/set-charging-profile",
                           json={"evse_id": 1, "profile": tx_profile(tx_id, 10.0)})
        assert r.json()["profile_id"] == tx_pid
        rows = await installed(api, "PS-201")
        assert len(rows) == 3
        tx_row = next(p for p in rows if p["id"] == tx_pid)
        assert tx_row["purpose"] == "tx" and tx_row["transaction_id"] == tx_id
        assert tx_row["evse_id"] == 1 and tx_row["profile"]["periods"][0]["limit"] == 10.0
        assert tx_row["stack_level"] == 2

        # the station's own view: one ReportChargingProfiles per EVSE, tbc on all but the last
        r = await api.post(f"{base}/get-charging-profiles", json={"request_id": 77})
        assert r.status_code == 200 and r.json() == {"status": "Accepted", "request_id": 77}

        async def reported() -> dict[str, Any] | None:
            body = (await api.get("/stations/PS-201/charging-profiles")).json()
            report = body["last_report"]
            return report if report and report["complete"] else None

        report = await eventually(reported)
        assert report["request_id"] == 77 and len(report["parts"]) == 2
        assert [p["evse_id"] for p in report["parts"]] == [1, 2]
        assert [p["seq"] for p in report["parts"]] == [0, 1]
        ids = {prof["id"] for part in report["parts"] for prof in part["profiles"]}
        assert ids == {p["id"] for p in rows}  # csms's belief matches the station

        r = await api.post(f"{base}/get-charging-profiles",
                           json={"purpose": "station_max"})  # the station has none
        assert r.json()["status"] == "NoProfiles" and r.json()["request_id"] > 0

        # clear with criteria: both TxDefaultProfiles, not the TxProfile
        r = await api.post(f"{base}/clear-charging-profile", json={"purpose": "tx_default"})
        assert r.json()["status"] == "Accepted"
        assert [p["id"] for p in await installed(api, "PS-201")] == [tx_pid]
        r = await api.post(f"{base}/clear-charging-profile", json={"purpose": "tx_default"})
        assert r.json()["status"] == "Unknown"  # nothing left to clear: nothing changes
        assert [p["id"] for p in await installed(api, "PS-201")] == [tx_pid]

        await st.stop_transaction(evse_id=1)

        async def tx_profile_gone() -> bool:
            return not await installed(api, "PS-201")

        await eventually(tx_profile_gone)
        await st.close()


async def test_profiles_v16_and_clear_by_id(server_factory: ServerFactory) -> None:
    server = await server_factory()
    url = f"ws://127.0.0.1:{server.ocpp_port}/ocpp"
    async with api_client(server) as api:
        await register(api, "PS-16")
        st: Any = make_station(url, StationConfig(station_id="PS-16", protocol="1.6",
                                                  evses=2, meter_interval_s=0))
        await st.connect()
        await st.boot()
        base = "/stations/PS-16/commands"
        pids = []
        for evse in (1, 2):
            r = await api.post(f"{base}/set-charging-profile",
                               json={"evse_id": evse, "profile": default_profile()})
            assert r.json()["status"] == "Accepted", r.text
            pids.append(r.json()["profile_id"])
        r = await api.post(f"{base}/set-charging-profile", json={"profile": {
            "purpose": "station_max", "stack_level": 0, "unit": "A",
            "periods": [{"start_s": 0, "limit": 32}]}})
        assert r.json()["status"] == "Accepted"
        assert len(await installed(api, "PS-16")) == 3
        r = await api.post(f"{base}/clear-charging-profile", json={"id": pids[0]})
        assert r.json()["status"] == "Accepted"
        assert {p["evse_id"] for p in await installed(api, "PS-16")} == {0, 2}
        r = await api.post(f"{base}/clear-charging-profile", json={})  # everything
        assert r.json()["status"] == "Accepted"
        assert await installed(api, "PS-16") == []
        r = await api.post(f"{base}/get-charging-profiles", json={})
        assert "1.6" in assert_detail(r, 422)  # no GetChargingProfiles in OCPP 1.6
        await st.close()


async def test_refused_failed_and_offline_commands_change_nothing(
    server_factory: ServerFactory,
) -> None:
    server = await server_factory(call_timeout=0.5)
    async with api_client(server) as api:
        await register(api, "RAW-201")
        async with raw_station(server, "RAW-201", "ocpp2.0.1") as st:
            await st.ok("BootNotification", BOOT_201)
            path = "/stations/RAW-201/commands/set-charging-profile"
            body = {"evse_id": 0, "profile": default_profile()}
            frame, r = await command(api, st, path, body, {"status": "Rejected"})
            assert frame[2] == "SetChargingProfile" and r.json()["status"] == "Rejected"
            frame, r = await command(api, st, path, body, error=("NotSupported", "no"))
            assert_detail(r, 502)
            assert_detail(await api.post(path, json=body), 504)  # never answered
            late = await st.recv()
            assert late[2] == "SetChargingProfile"
            assert await installed(api, "RAW-201") == []
            frame, r = await command(api, st, path, body, {"status": "Accepted"})
            assert r.json()["status"] == "Accepted"
            assert len(await installed(api, "RAW-201")) == 1
            clear = "/stations/RAW-201/commands/clear-charging-profile"
            for reply, error in (({"status": "Unknown"}, None), (None, ("GenericError", "x"))):
                frame, r = await command(api, st, clear, {}, reply, error)
                assert frame[2] == "ClearChargingProfile"
            assert_detail(await api.post(clear, json={}), 504)
            assert (await st.recv())[2] == "ClearChargingProfile"  # the late one
            assert len(await installed(api, "RAW-201")) == 1  # still believed installed
            # a garbage reply to GetChargingProfiles
            gcp = "/stations/RAW-201/commands/get-charging-profiles"
            frame, r = await command(api, st, gcp, {"evse_id": 1, "stack_level": 3,
                                                    "purpose": "tx", "ids": [5],
                                                    "sources": ["CSO"]}, {"status": "Accepted"})
            assert frame[3]["evseId"] == 1 and frame[3]["chargingProfile"] == {
                "chargingProfilePurpose": "TxProfile", "stackLevel": 3,
                "chargingProfileId": [5], "chargingLimitSource": ["CSO"]}
            frame, r = await command(api, st, gcp, {}, {"no": "status"})
            assert_detail(r, 502)
        # offline: 409, and nothing recorded
        assert_detail(await api.post(path, json=body), 409)
        assert_detail(await api.post(gcp, json={}), 409)
        assert len(await installed(api, "RAW-201")) == 1
        assert_detail(await api.post("/stations/NOPE/commands/get-charging-profiles", json={}),
                      404)


async def test_bad_input_on_the_routes(api: httpx.AsyncClient) -> None:
    await register(api, "IDLE")
    for path in ("/stations/NOPE/charging-profiles", "/stations/NOPE/charging-limits"):
        assert_detail(await api.get(path), 404)
    gcp = "/stations/IDLE/commands/get-charging-profiles"
    for body in ({"purpose": "tx_max"}, {"evse_id": -1}, {"stack_level": 1000},
                 {"request_id": -5}, {"ids": []}, {"ids": ["a"]}, {"sources": ["Grid"]},
                 {"extra": 1}, [1]):
        assert_detail(await api.post(gcp, json=body), 422)
    assert_detail(await api.post(gcp, json={}), 409)  # valid, but the station is offline
    empty = (await api.get("/stations/IDLE/charging-profiles")).json()
    assert empty == {"station_id": "IDLE", "installed": [], "last_report": None}
    limits = (await api.get("/stations/IDLE/charging-limits")).json()
    assert limits == {"station_id": "IDLE", "limits": [], "external_limit_kw": None,
                      "ev_schedules": []}


def _limit(source: str, kw: float, evse: int | None = None, **extra: Any) -> dict[str, Any]:
    start = (datetime.now(UTC) - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    payload: dict[str, Any] = {
        "chargingLimit": {"chargingLimitSource": source, **extra},
        "chargingSchedule": [{"id": 1, "startSchedule": start, "chargingRateUnit": "W",
                              "chargingSchedulePeriod": [{"startPeriod": 0,
                                                          "limit": kw * 1000}]}]}
    if evse is not None:
        payload["evseId"] = evse
    return payload


async def test_external_limits_reports_and_ev_schedules_v201(
    server: Any, api: httpx.AsyncClient
) -> None:
    await register(api, "GRID")
    async with raw_station(server, "GRID", "ocpp2.0.1") as st:
        await st.ok("BootNotification", BOOT_201)
        assert await st.ok("NotifyChargingLimit", _limit("SO", 40.0, isGridCritical=True)) == {}
        await st.ok("NotifyChargingLimit", _limit("EMS", 25.0))
        await st.ok("NotifyChargingLimit", _limit("SO", 7.0, evse=1))
        await st.ok("NotifyChargingLimit", _limit("SO", 30.0))  # replaces the SO limit
        await st.ok("NotifyChargingLimit", {"chargingLimit": {"chargingLimitSource": "Other"}})
        body = (await api.get("/stations/GRID/charging-limits")).json()
        assert body["external_limit_kw"] == 25.0  # the tightest station-wide limit now
        by_key = {(x["evse_id"], x["source"]): x for x in body["limits"]}
        assert set(by_key) == {(0, "SO"), (0, "EMS"), (1, "SO"), (0, "Other")}
        assert by_key[(0, "SO")]["in_force_kw"] == 30.0
        assert by_key[(0, "SO")]["grid_critical"] is None  # the new notification says nothing
        assert by_key[(0, "Other")]["in_force_kw"] is None  # no schedule: nothing to enforce
        assert await server.services.profiles_state.external_limit_kw("GRID") == 25.0

        await st.ok("ClearedChargingLimit", {"chargingLimitSource": "EMS"})
        assert await server.services.profiles_state.external_limit_kw("GRID") == 30.0
        await st.ok("ClearedChargingLimit", {"chargingLimitSource": "SO", "evseId": 1})
        left = (await api.get("/stations/GRID/charging-limits")).json()["limits"]
        assert {(x["evse_id"], x["source"]) for x in left} == {(0, "SO"), (0, "Other")}

        # garbage: a CALLERROR, nothing stored, the connection lives
        for action, payload in (
            ("NotifyChargingLimit", {"chargingLimit": {"chargingLimitSource": "Sun"}}),
            ("NotifyChargingLimit", {"chargingSchedule": []}),
            ("ClearedChargingLimit", {"evseId": "one"}),
            ("ReportChargingProfiles", {"requestId": 1, "chargingLimitSource": "CSO",
                                        "evseId": 1, "chargingProfile": []}),
        ):
            reply = await st.call(action, payload)
            assert reply[0] == 4, reply
        left = (await api.get("/stations/GRID/charging-limits")).json()["limits"]
        assert len(left) == 2

        # an unsolicited report in two parts, and the EV's own schedule
        profile = {"id": 9, "stackLevel": 0, "chargingProfilePurpose": "TxDefaultProfile",
                   "chargingProfileKind": "Relative", "chargingSchedule": [{
                       "id": 9, "chargingRateUnit": "A",
                       "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 6.0}]}]}
        part = {"requestId": 5, "chargingLimitSource": "EMS", "evseId": 0,
                "chargingProfile": [profile], "tbc": True}
        await st.ok("ReportChargingProfiles", part)
        report = (await api.get("/stations/GRID/charging-profiles")).json()["last_report"]
        assert report["request_id"] == 5 and report["complete"] is False
        await st.ok("ReportChargingProfiles", part | {"evseId": 1, "tbc": False})
        report = (await api.get("/stations/GRID/charging-profiles")).json()["last_report"]
        assert report["complete"] is True and [p["evse_id"] for p in report["parts"]] == [0, 1]
        assert report["parts"][0]["source"] == "EMS"
        assert report["parts"][0]["profiles"][0]["id"] == 9
        ev_schedule = {"timeBase": now_iso(), "evseId": 1, "chargingSchedule": {
            "id": 1, "chargingRateUnit": "W",
            "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 7000.0}]}}
        assert (await st.ok("NotifyEVChargingSchedule", ev_schedule))["status"] == "Accepted"
        schedules = (await api.get("/stations/GRID/charging-limits")).json()["ev_schedules"]
        assert [s["evse_id"] for s in schedules] == [1]
        assert schedules[0]["notification"]["chargingSchedule"]["id"] == 1


async def test_v16_station_cannot_send_v201_limit_messages(
    server: Any, api: httpx.AsyncClient
) -> None:
    await register(api, "OLD")
    async with raw_station(server, "OLD") as st:
        await st.ok("BootNotification", BOOT_16)
        reply = await st.call("NotifyChargingLimit", _limit("SO", 10.0))
        assert reply[0] == 4 and reply[2] == "NotImplemented"
        await st.ok("Heartbeat", {})
    assert (await api.get("/stations/OLD/charging-limits")).json()["limits"] == []


async def test_the_planners_profiles_are_tracked_too(server_factory: ServerFactory) -> None:
    """Smart charging calls the gateway itself; its profiles are believed installed all the
    same, and its TxProfile goes with the transaction."""
    server = await server_factory(plan_interval_s=1.0)
    url = f"ws://127.0.0.1:{server.ocpp_port}/ocpp"
    async with api_client(server) as api:
        r = await api.post("/sites", json={"id": "s", "name": "S", "grid_limit_kw": 20})
        assert r.status_code == 201
        await register(api, "PLAN-201", site_id="s")
        await api.post("/id-tokens", json={"id_token": "CAR"})
        st: Any = make_station(url, StationConfig(station_id="PLAN-201", meter_interval_s=0))
        await st.connect()
        await st.boot()
        tx_id = await st.start_transaction(evse_id=1, id_token="CAR")

        async def planned() -> list[dict[str, Any]]:
            rows = await installed(api, "PLAN-201")
            return rows if {p["purpose"] for p in rows} == {"tx", "tx_default"} else []

        rows = await eventually(planned)
        assert next(p for p in rows if p["purpose"] == "tx")["transaction_id"] == tx_id
        await st.stop_transaction(evse_id=1)

        async def only_default() -> bool:
            return [p["purpose"] for p in await installed(api, "PLAN-201")] == ["tx_default"]

        await eventually(only_default)
        await st.close()
