"""End to end with the bundled simulators: both versions boot, authorize, charge, stop."""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Any

import pytest

from simulators import StationConfig, make_station
from tests.conftest import ServerFactory, api_client

PROTOCOLS = ["1.6", "2.0.1"]


def config(station_id: str, protocol: str, **kw: Any) -> StationConfig:
    return StationConfig(station_id=station_id, protocol=protocol, speed=600.0,
                         meter_interval_s=60.0, id_token="FLEET", **kw)


async def wait_for(predicate: Any, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_station_charges_and_energy_is_in_the_api(
    server_factory: ServerFactory, protocol: str
) -> None:
    server = await server_factory()
    url = f"ws://127.0.0.1:{server.ocpp_port}/ocpp"
    async with api_client(server) as api:
        assert (await api.post("/stations", json={"id": "E2E-1", "password": "s3cret-pass"})
                ).status_code == 201
        assert (await api.post("/id-tokens", json={"id_token": "FLEET"})).status_code == 201
        async with make_station(url, config("E2E-1", protocol, password="s3cret-pass")) as st:
            assert await st.boot() == "Accepted"
            assert await st.authorize("FLEET") == "Accepted"
            tx_id = await st.charge(evse_id=1, duration_s=1800)  # 30 simulated minutes
            delivered = st.meter_wh(1)
        tx = (await api.get(f"/transactions/{tx_id}")).json()
        station = (await api.get("/stations/E2E-1")).json()
        samples = (await api.get(f"/transactions/{tx_id}/meter-values")).json()
    assert tx["active"] is False and tx["id_token"] == "FLEET"
    assert tx["energy_wh"] == pytest.approx(delivered - (tx["meter_start_wh"] or 0), rel=0.02)
    assert 4000 < tx["energy_wh"] < 6600  # 11 kW for half an hour (simulated time jitters)
    assert any(s["measurand"] == "Power.Active.Import" for s in samples)
    assert (station["vendor"], station["protocol"]) == ("csms-sim", protocol)
    assert station["evses"][0]["connectors"][0]["status"] in ("Available", "Finishing")


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_remote_start_stop_reset_and_availability(
    server_factory: ServerFactory, protocol: str
) -> None:
    server = await server_factory(unknown_stations="accept")
    url = f"ws://127.0.0.1:{server.ocpp_port}/ocpp"
    async with api_client(server) as api, make_station(url, config("E2E-R", protocol)) as st:
        await st.boot()
        assert (await api.post("/id-tokens", json={"id_token": "REMOTE"})).status_code == 201
        cmd = "/stations/E2E-R/commands"
        reply = await api.post(f"{cmd}/remote-start", json={"id_token": "REMOTE", "evse_id": 1})
        assert reply.json()["status"] == "Accepted", reply.text

        async def started() -> bool:
            rows = (await api.get("/transactions", params={"station_id": "E2E-R",
                                                           "active": True})).json()
            return len(rows) == 1

        await wait_for(started)
        active = (await api.get("/transactions", params={"station_id": "E2E-R"})).json()[0]
        assert active["id_token"] == "REMOTE"
        reply = await api.post(f"{cmd}/remote-stop", json={"transaction_id": active["id"]})
        assert reply.json()["status"] == "Accepted"

        async def stopped() -> bool:
            tx = (await api.get(f"/transactions/{active['id']}")).json()
            return tx["active"] is False

        await wait_for(stopped)
        reply = await api.post(f"{cmd}/change-availability",
                               json={"evse_id": 1, "operative": False})
        assert reply.json()["status"] == "Accepted"

        async def unavailable() -> bool:
            evses = (await api.get("/stations/E2E-R")).json()["evses"]
            return any(c["status"] == "Unavailable" for e in evses for c in e["connectors"]
                       if e["evse_id"] == 1)

        await wait_for(unavailable)
        boots = st.boots
        assert (await api.post(f"{cmd}/reset", json={"type": "hard"})).json()["status"] == (
            "Accepted")
        await wait_for(lambda: _true_async(st.boots > boots))


async def _true_async(value: bool) -> bool:
    return value


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_csms_sim_cli_fleet_produces_finished_transactions(
    server_factory: ServerFactory, protocol: str
) -> None:
    """The README's steps: `csms-sim … --stations 3 --scenario charge` against the server."""
    server = await server_factory(unknown_stations="accept", unknown_id_tokens="accept")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "simulators",
        "--url", f"ws://127.0.0.1:{server.ocpp_port}/ocpp", "--protocol", protocol,
        "--stations", "3", "--scenario", "charge", "--sessions", "1", "--speed", "100",
        "--id-prefix", "CLI",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    out, _ = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, out.decode()
    async with api_client(server) as api:
        rows = (await api.get("/transactions", params={"active": False})).json()
    assert sorted(r["station_id"] for r in rows) == ["CLI-001", "CLI-002", "CLI-003"]
    assert all(r["energy_wh"] > 0 for r in rows), rows
