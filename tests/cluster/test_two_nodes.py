"""Two real `csms serve` processes on one PostgreSQL database and one Redis: one system."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed

from simulators import StationConfig, make_station
from tests.cluster.support import Cluster, Node, sse, until
from tests.e2e.test_smart_charging import setup_site, tx_profiles
from tests.features.auth_support import in_seconds, setup, sim_config, ws_base
from tests.helpers import BOOT_16, BOOT_201, RawStation, raw_station


async def connected(api: httpx.AsyncClient, station_id: str) -> bool:
    response = await api.get(f"/stations/{station_id}")
    assert response.status_code == 200, response.text
    return bool(response.json()["connected"])


async def offline(api: httpx.AsyncClient, station_id: str) -> bool:
    return not await connected(api, station_id)


async def answer(st: RawStation, action: str, reply: list[Any]) -> None:
    """Receive the next CALL, check its action, send `reply` with its message id."""
    call = await st.recv(15)
    assert call[0] == 2 and call[2] == action, call
    await st.send([reply[0], call[1], *reply[1:]])


async def register(node: Node, station_id: str, **fields: Any) -> None:
    async with node.api() as api:
        response = await api.post("/stations", json={"id": station_id, **fields})
        assert response.status_code == 201, response.text


async def test_nodes_starting_together_migrate_a_fresh_database_once(cluster: Cluster) -> None:
    a, b = await asyncio.gather(cluster.node("node-a"), cluster.node("node-b"))
    await register(a, "CL0")
    async with b.api() as api_b:
        assert (await api_b.get("/stations/CL0")).status_code == 200


async def test_commands_sent_through_either_node_reach_the_station(cluster: Cluster) -> None:
    a = await cluster.node("node-a")
    b = await cluster.node("node-b")
    await register(a, "CL1")
    await register(b, "CL-OFF")
    async with b.api() as api_b:
        async with raw_station(a, "CL1") as st:
            await st.ok("BootNotification", BOOT_16)
            await until(lambda: connected(api_b, "CL1"), "node B to see CL1 on node A")

            sent = asyncio.create_task(
                api_b.post("/stations/CL1/commands/reset", json={"type": "soft"}))
            await answer(st, "Reset", [3, {"status": "Accepted"}])
            reply = await sent
            assert reply.status_code == 200, reply.text
            assert reply.json()["status"] == "Accepted"

            sent = asyncio.create_task(api_b.post("/stations/CL1/ocpp/ClearCache", json={}))
            await answer(st, "ClearCache", [4, "NotSupported", "no cache here", {}])
            reply = await sent
            assert reply.status_code == 502, reply.text

            sent = asyncio.create_task(api_b.post("/stations/CL1/commands/clear-cache", json={}))
            call = await st.recv(15)  # received, never answered
            assert call[2] == "ClearCache"
            reply = await sent
            assert reply.status_code == 504, reply.text

        offline_reply = await api_b.post("/stations/CL-OFF/commands/reset", json={"type": "soft"})
        assert offline_reply.status_code == 409, offline_reply.text
        await until(lambda: offline(api_b, "CL1"), "node B to see CL1 gone")
        gone = await api_b.post("/stations/CL1/commands/reset", json={"type": "soft"})
        assert gone.status_code == 409, gone.text


async def test_the_newest_connection_wins_across_nodes(cluster: Cluster) -> None:
    a = await cluster.node("node-a")
    b = await cluster.node("node-b")
    await register(a, "CL2")
    async with raw_station(a, "CL2") as old:
        await old.ok("BootNotification", BOOT_16)
        async with raw_station(b, "CL2") as new, a.api() as api_a:
            await new.ok("BootNotification", BOOT_16)
            with pytest.raises(ConnectionClosed) as closed:
                await old.recv(15)
            assert closed.value.rcvd is not None
            assert closed.value.rcvd.code == 1000
            assert "replaced" in closed.value.rcvd.reason

            # node A routes to the new connection on node B
            await until(lambda: connected(api_a, "CL2"), "node A to see CL2 on node B")
            sent = asyncio.create_task(
                api_a.post("/stations/CL2/commands/reset", json={"type": "hard"}))
            await answer(new, "Reset", [3, {"status": "Accepted"}])
            reply = await sent
            assert reply.status_code == 200, reply.text
            # still connected on both nodes' word: the replaced socket did not disconnect it
            assert await connected(api_a, "CL2")


async def test_event_streams_of_every_node_see_every_nodes_events(cluster: Cluster) -> None:
    a = await cluster.node("node-a")
    b = await cluster.node("node-b")
    await register(a, "CL3")
    on_a: list[tuple[str, dict[str, Any]]] = []
    on_b: list[tuple[str, dict[str, Any]]] = []
    ready_a, ready_b = asyncio.Event(), asyncio.Event()
    async with a.api() as api_a, b.api() as api_b, asyncio.TaskGroup() as tg:
        streams = [tg.create_task(sse(api_a, on_a, ready_a)),
                   tg.create_task(sse(api_b, on_b, ready_b))]
        await asyncio.wait_for(asyncio.gather(ready_a.wait(), ready_b.wait()), 15)
        async with raw_station(a, "CL3") as st:
            await st.ok("BootNotification", BOOT_16)
            await st.ok("StartTransaction", {"connectorId": 1, "idTag": "T1", "meterStart": 0,
                                             "timestamp": "2026-12-01T10:00:00Z"})

            def started(found: list[tuple[str, dict[str, Any]]]) -> bool:
                return ("transaction.started", "CL3") in [(k, d["station_id"]) for k, d in found]

            async def both() -> bool:
                return started(on_a) and started(on_b)

            await until(both, "transaction.started on both nodes' streams")
        for stream in streams:
            stream.cancel()
    for found in (on_a, on_b):  # once each: no echo of a node's own events
        kinds = [k for k, d in found if d["station_id"] == "CL3"]
        assert kinds.count("station.connected") == 1, kinds
        assert kinds.count("transaction.started") == 1, kinds


async def test_one_node_plans_a_site_and_another_takes_over_when_it_dies(
    cluster: Cluster,
) -> None:
    a = await cluster.node("node-a")
    b = await cluster.node("node-b")
    async with a.api() as api:
        response = await api.post("/sites", json={"id": "S1", "name": "Depot",
                                                  "grid_limit_kw": 50})
        assert response.status_code == 201, response.text
    await register(a, "CL4", site_id="S1")
    async with raw_station(b, "CL4") as st:
        await st.ok("BootNotification", BOOT_16)

        async def holder() -> str | None:
            return await cluster.lease_holder("S1")

        first = await until(holder, "a node to take the planner lease of S1")
        planning, other = (a, b) if first == a.name else (b, a)

        async def planned(node: Node) -> bool:
            return "this node plans site S1" in node.output()

        await until(lambda: planned(planning), f"{planning.name} to plan S1")
        assert not await planned(other)
        # Asked through the other node's API, the plan is shown but sent from the holder only.
        async with other.api() as api_other:
            shown = await api_other.get("/sites/S1/plan", params={"refresh": "true"})
        assert shown.status_code == 200, shown.text
        assert "planned by another node" in " ".join(shown.json()["notes"])
        assert await cluster.lease_holder("S1") == planning.name

        planning.kill()
        await until(lambda: planned(other), f"{other.name} to take S1 over")
        assert await holder() == other.name
        if planning is b:  # its stations reconnect to the survivor
            await st.ws.close()
    assert await cluster.lease_holder("S1") == other.name


def mv16(tx_id: int, ts: str, wh: float) -> dict[str, Any]:
    return {"connectorId": 1, "transactionId": tx_id, "meterValue": [{
        "timestamp": ts, "sampledValue": [{"value": str(wh), "unit": "Wh",
                                           "measurand": "Energy.Active.Import.Register"}]}]}


async def test_a_killed_node_loses_nothing_and_its_stations_reconnect_to_another(
    cluster: Cluster,
) -> None:
    a = await cluster.node("node-a")
    b = await cluster.node("node-b")
    await register(b, "CL5")
    async with b.api() as api_b:
        async with raw_station(a, "CL5") as st:
            await st.ok("BootNotification", BOOT_16)
            tx = (await st.ok("StartTransaction", {
                "connectorId": 1, "idTag": "T1", "meterStart": 1000,
                "timestamp": "2026-12-01T10:00:00Z"}))["transactionId"]
            await st.ok("MeterValues", mv16(tx, "2026-12-01T10:10:00Z", 2000))
            await until(lambda: connected(api_b, "CL5"), "node B to see CL5 on node A")
            a.kill()
            with pytest.raises(ConnectionClosed):
                await st.recv(15)
        await until(lambda: offline(api_b, "CL5"), "node A's stations to vanish")

        async with raw_station(b, "CL5") as st:
            await st.ok("BootNotification", BOOT_16)
            await st.ok("MeterValues", mv16(tx, "2026-12-01T10:20:00Z", 3000))
            await st.ok("StopTransaction", {"transactionId": tx, "meterStop": 3500,
                                            "timestamp": "2026-12-01T10:30:00Z"})
            assert await connected(api_b, "CL5")
            sent = asyncio.create_task(
                api_b.post("/stations/CL5/commands/reset", json={"type": "soft"}))
            await answer(st, "Reset", [3, {"status": "Accepted"}])
            assert (await sent).status_code == 200

        rows = (await api_b.get("/transactions", params={"station_id": "CL5"})).json()
        assert [(r["id"], r["meter_start_wh"], r["meter_stop_wh"], r["energy_wh"])
                for r in rows] == [(str(tx), 1000, 3500, 2500)]


async def test_the_planning_node_sends_profiles_to_stations_on_every_node(
    cluster: Cluster,
) -> None:
    """One node plans the site; the station held by the other node gets its TxProfile too."""
    a = await cluster.node("node-a", CSMS_PLAN_INTERVAL_S="1")
    b = await cluster.node("node-b", CSMS_PLAN_INTERVAL_S="1")
    async with a.api() as api:
        await setup_site(api, green_kw=40.0)
    stations = [make_station(f"ws://127.0.0.1:{node.ocpp_port}/ocpp", StationConfig(
        station_id=sid, protocol=proto, id_token="CAR", meter_interval_s=2.0,
        max_power_w=11000.0)) for node, sid, proto in ((a, "SC-16", "1.6"),
                                                       (b, "SC-201", "2.0.1"))]
    try:
        for st in stations:
            await st.connect()
            await st.boot()
        for st in stations:
            await st.start_transaction(evse_id=1, id_token="CAR")

        async def both_profiled() -> bool:
            return all(tx_profiles(st.received) for st in stations)

        await until(both_profiled, "TxProfiles on the stations of both nodes", 60)
        holder = await cluster.lease_holder("coop")
        assert holder in (a.name, b.name)
        planners = [n.name for n in (a, b) if "this node plans site coop" in n.output()]
        assert planners == [holder]
    finally:
        for st in stations:
            await st.close()


async def test_a_token_or_station_changed_on_one_node_is_what_the_other_node_answers_with(
    cluster: Cluster,
) -> None:
    """Each node answers from memory (its token book, its stations' state); a change made
    through another node's API reaches that memory through the invalidation messages."""
    a = await cluster.node("node-a")
    b = await cluster.node("node-b")
    await register(a, "CL7", password="first-password-1")
    async with a.api() as api_a, b.api() as api_b:
        assert (await api_a.post("/id-tokens", json={"id_token": "CARD7"})).status_code == 201
        async with raw_station(a, "CL7", password="first-password-1") as st:
            await st.ok("BootNotification", BOOT_16)
            first = await st.ok("Authorize", {"idTag": "CARD7"})
            assert first["idTagInfo"]["status"] == "Accepted"
            blocked = await api_b.patch("/id-tokens/CARD7", json={"status": "Blocked"})
            assert blocked.status_code == 200, blocked.text

            async def refused() -> bool | None:
                reply = await st.ok("Authorize", {"idTag": "CARD7"})
                return reply["idTagInfo"]["status"] == "Blocked" or None

            await until(refused, "node A to answer Blocked for a token blocked on node B")
            changed = await api_b.patch("/stations/CL7", json={"password": "second-password-2"})
            assert changed.status_code == 200, changed.text
        # The old password no longer opens node A, although node A had verified it before.
        async def old_refused() -> bool | None:
            try:
                async with raw_station(a, "CL7", password="first-password-1"):
                    return None
            except Exception:
                return True

        await until(old_refused, "node A to refuse the old password")
        async with raw_station(a, "CL7", password="second-password-2") as st:
            assert (await st.ok("BootNotification", BOOT_16))["status"] == "Accepted"


async def test_a_reservation_made_through_one_node_binds_the_station_on_the_other(
    cluster: Cluster,
) -> None:
    """The node holding the station keeps its reservations in memory; one made through
    another node's API reaches that memory (its event is relayed)."""
    a = await cluster.node("node-a")
    b = await cluster.node("node-b")
    async with a.api() as api_a, b.api() as api_b:
        await setup(api_a, "CL8", "OWNER", "OTHER")
        async with make_station(ws_base(a), sim_config("CL8", "1.6")) as st:
            assert await st.boot() == "Accepted"
            await st.announce()
            assert await st.authorize("OTHER") == "Accepted"  # node A now holds the state
            await until(lambda: connected(api_b, "CL8"), "node B to see CL8 on node A")
            made = await api_b.post("/reservations", json={
                "station_id": "CL8", "evse_id": 1, "id_token": "OWNER",
                "expires_at": in_seconds(3600)})
            assert made.status_code == 201, made.text
            assert made.json()["status"] == "Accepted"

            async def refused() -> bool | None:
                return await st.authorize("OTHER") == "Invalid" or None

            await until(refused, "node A to refuse others on the reserved EVSE")
            assert await st.authorize("OWNER") == "Accepted"


async def test_typed_commands_cross_nodes_with_their_data(cluster: Cluster) -> None:
    """A command with nested data (a charging profile with times) goes to the holding node and
    its typed result comes back, typed keys included: node B keeps the variable the station
    named in full (EVSE, instance), not one rebuilt from the label."""
    a = await cluster.node("node-a")
    b = await cluster.node("node-b")
    await register(a, "CL9")
    async with b.api() as api_b, raw_station(a, "CL9", "ocpp2.0.1") as st:
        await st.ok("BootNotification", BOOT_201)
        await until(lambda: connected(api_b, "CL9"), "node B to see CL9 on node A")
        profile = {"purpose": "tx_default", "stack_level": 2, "unit": "W",
                   "valid_from": "2026-06-21T12:00:00Z",
                   "periods": [{"start_s": 0, "limit": 11000}, {"start_s": 600, "limit": 7000}]}
        sent = asyncio.create_task(api_b.post("/stations/CL9/commands/set-charging-profile",
                                              json={"evse_id": 1, "profile": profile}))
        call = await st.recv(15)
        assert call[2] == "SetChargingProfile", call
        wire = call[3]["chargingProfile"]
        assert wire["validFrom"].startswith("2026-06-21T12:00:00")
        assert [p["limit"] for p in wire["chargingSchedule"][0]["chargingSchedulePeriod"]] == [
            11000, 7000]
        await st.send([3, call[1], {"status": "Accepted"}])
        reply = await sent
        assert reply.json() == {"status": "Accepted", "profile_id": wire["id"]}, reply.text

        component = {"name": "TxCtrlr", "instance": "Main", "evse": {"id": 1}}
        sent = asyncio.create_task(api_b.post("/stations/CL9/commands/get-configuration",
                                              json={"keys": ["TxCtrlr.EVConnectionTimeOut"]}))
        await answer(st, "GetVariables", [3, {"getVariableResult": [{
            "attributeStatus": "Accepted", "attributeValue": "45", "component": component,
            "variable": {"name": "EVConnectionTimeOut"}}]}])
        reply = await sent
        assert reply.json()["configuration"] == [
            {"key": "TxCtrlr.EVConnectionTimeOut", "value": "45", "readonly": None}], reply.text
        rows = (await api_b.get("/stations/CL9/variables", params={"component": "TxCtrlr"})).json()
        assert [(r["component"]["instance"], r["component"]["evse_id"], r["value"])
                for r in rows] == [("Main", 1, "45")]
