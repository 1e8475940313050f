"""Metering set on boot in a cluster: the node holding the station's socket configures it,
once, and a policy changed through the other node reaches it."""

from __future__ import annotations

from typing import Any

from simulators import StationConfig, make_station
from simulators.v16 import Station16
from tests.cluster.support import Cluster, until


async def test_a_policy_changed_on_one_node_reaches_a_station_on_the_other(
    cluster: Cluster,
) -> None:
    on = {"CSMS_STATION_SETUP": "true", "CSMS_STATION_SETUP_DELAY_S": "0.1"}
    a = await cluster.node("node-a", **on)
    b = await cluster.node("node-b", **on)
    async with a.api() as api:
        site = {"id": "depot", "name": "Depot", "grid_limit_kw": 50.0}
        assert (await api.post("/sites", json=site)).status_code == 201
        r = await api.post("/stations", json={"id": "CL-1", "site_id": "depot"})
        assert r.status_code == 201, r.text
        sim = make_station(f"ws://127.0.0.1:{b.ocpp_port}/ocpp",
                           StationConfig(station_id="CL-1", protocol="1.6"))
        assert isinstance(sim, Station16)
        async with sim:
            assert await sim.boot() == "Accepted"

            async def view() -> dict[str, Any] | None:
                r = await api.get("/stations/CL-1/configuration-policy")
                body: dict[str, Any] = r.json()
                return body if body["up_to_date"] and body["settings"] else None

            await until(view, "the station configured by its node")
            writes = [p for act, p in sim.received if act == "ChangeConfiguration"]
            assert len(writes) == 5  # one node acted, once
            r = await api.put("/sites/depot/station-configuration", json={"sample_interval_s": 15})
            assert r.status_code == 200, r.text

            async def changed() -> bool:
                return sim.config.keys["MeterValueSampleInterval"].value == "15"

            await until(changed, "the new interval on the other node's station")
            assert len([p for act, p in sim.received if act == "ChangeConfiguration"]) == 6
