"""Stations: register, list/detail with live status, change, remove, reports, messages."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.api.support import assert_detail, now_iso, register
from tests.conftest import ServerFactory, api_client
from tests.helpers import BOOT_16, BOOT_201, raw_station

CONTRACT_FIELDS = {"id", "connected", "protocol", "vendor", "model", "firmware_version",
                   "last_seen", "site_id", "evses"}


async def test_register_returns_201_with_contract_shape(api: httpx.AsyncClient) -> None:
    r = await api.post("/stations", json={
        "id": "CS-1", "password": "s3cret-pass", "site_id": "site-a", "description": "by the gate"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body.keys() >= CONTRACT_FIELDS
    assert body["id"] == "CS-1"
    assert body["site_id"] == "site-a"
    assert body["description"] == "by the gate"
    assert body["connected"] is False
    assert body["protocol"] is None
    assert body["evses"] == []
    assert body["registration_status"] == "Accepted"
    assert "password" not in body and "password_hash" not in body
    got = (await api.get("/stations/CS-1")).json()
    assert got == body


async def test_register_minimal_and_duplicate_conflicts(api: httpx.AsyncClient) -> None:
    await register(api, "CS-dup", description="first")
    r = await api.post("/stations", json={"id": "CS-dup", "description": "second"})
    detail = assert_detail(r, 409)
    assert "CS-dup" in detail
    assert (await api.get("/stations/CS-dup")).json()["description"] == "first"
    listed = [s["id"] for s in (await api.get("/stations")).json()]
    assert listed.count("CS-dup") == 1


async def test_list_and_detail_show_live_connection_and_connectors(server: Any,
                                                                   api: httpx.AsyncClient) -> None:
    await register(api, "CS-live16")
    await register(api, "CS-live201")
    await register(api, "CS-off")
    async with raw_station(server, "CS-live16") as st16, \
            raw_station(server, "CS-live201", "ocpp2.0.1") as st201:
        await st16.ok("BootNotification", BOOT_16 | {"firmwareVersion": "1.2.3"})
        await st16.ok("StatusNotification", {"connectorId": 1, "errorCode": "NoError",
                                             "status": "Available", "timestamp": now_iso()})
        await st16.ok("StatusNotification", {"connectorId": 2, "errorCode": "GroundFailure",
                                             "status": "Faulted"})
        await st201.ok("BootNotification", BOOT_201)
        await st201.ok("StatusNotification", {"timestamp": now_iso(), "connectorStatus": "Occupied",
                                              "evseId": 1, "connectorId": 1})
        await st201.ok("StatusNotification", {"timestamp": now_iso(),
                                              "connectorStatus": "Available",
                                              "evseId": 1, "connectorId": 2})

        s16 = (await api.get("/stations/CS-live16")).json()
        assert s16["connected"] is True
        assert s16["protocol"] == "1.6"
        assert (s16["vendor"], s16["model"], s16["firmware_version"]) == ("TestVendor", "T1",
                                                                          "1.2.3")
        assert s16["last_seen"] is not None
        evses = {e["evse_id"]: e["connectors"] for e in s16["evses"]}
        assert sorted(evses) == [1, 2]
        assert [(c["connector_id"], c["status"], c["error_code"]) for c in evses[1]] == [
            (1, "Available", None)]
        assert [(c["connector_id"], c["status"], c["error_code"]) for c in evses[2]] == [
            (1, "Faulted", "GroundFailure")]

        s201 = (await api.get("/stations/CS-live201")).json()
        assert s201["connected"] is True
        assert s201["protocol"] == "2.0.1"
        assert s201["model"] == "T2"
        [evse] = s201["evses"]
        assert evse["evse_id"] == 1
        assert sorted((c["connector_id"], c["status"]) for c in evse["connectors"]) == [
            (1, "Occupied"), (2, "Available")]

        listed = {s["id"]: s for s in (await api.get("/stations")).json()}
        assert listed["CS-live16"] == s16 | {"last_seen": listed["CS-live16"]["last_seen"]}
        assert listed["CS-live201"]["connected"] is True
        assert listed["CS-off"]["connected"] is False
        assert listed["CS-off"]["protocol"] is None

    for _ in range(100):
        s16 = (await api.get("/stations/CS-live16")).json()
        if not s16["connected"]:
            break
        await asyncio.sleep(0.02)
    assert s16["connected"] is False
    assert s16["protocol"] == "1.6"  # the last protocol it spoke stays known
    assert s16["evses"]  # connector states are kept


async def test_detail_of_unknown_station_is_404(api: httpx.AsyncClient) -> None:
    assert "nope" in assert_detail(await api.get("/stations/nope"), 404)


async def test_patch_changes_site_description_and_keeps_the_rest(api: httpx.AsyncClient) -> None:
    await register(api, "CS-p", site_id="s1", description="old")
    r = await api.patch("/stations/CS-p", json={"description": "new"})
    assert r.status_code == 200, r.text
    assert (r.json()["site_id"], r.json()["description"]) == ("s1", "new")
    r = await api.patch("/stations/CS-p", json={"site_id": None})
    assert (r.json()["site_id"], r.json()["description"]) == (None, "new")
    r = await api.patch("/stations/CS-p", json={})
    assert r.status_code == 200
    assert (await api.get("/stations/CS-p")).json()["description"] == "new"
    assert_detail(await api.patch("/stations/ghost", json={"description": "x"}), 404)
    assert_detail(await api.get("/stations/ghost"), 404)  # PATCH did not create it


async def test_patch_password_is_enforced_at_the_handshake(server: Any,
                                                           api: httpx.AsyncClient) -> None:
    await register(api, "CS-pw", password="first-password")
    async with raw_station(server, "CS-pw", password="first-password") as st:
        await st.ok("Heartbeat", {})
    r = await api.patch("/stations/CS-pw", json={"password": "second-password"})
    assert r.status_code == 200, r.text
    with pytest.raises(InvalidStatus) as refused:
        async with raw_station(server, "CS-pw", password="first-password"):
            pass
    assert refused.value.response.status_code == 401
    with pytest.raises(InvalidStatus):
        async with raw_station(server, "CS-pw"):
            pass
    async with raw_station(server, "CS-pw", password="second-password") as st:
        await st.ok("Heartbeat", {})
    # null removes the password: the station may connect without one
    assert (await api.patch("/stations/CS-pw", json={"password": None})).status_code == 200
    async with raw_station(server, "CS-pw") as st:
        await st.ok("Heartbeat", {})


async def test_patch_registration_status_answers_the_next_boot(server: Any,
                                                               api: httpx.AsyncClient) -> None:
    await register(api, "CS-reg")
    r = await api.patch("/stations/CS-reg", json={"registration_status": "Pending"})
    assert r.json()["registration_status"] == "Pending"
    async with raw_station(server, "CS-reg") as st:
        assert (await st.ok("BootNotification", BOOT_16))["status"] == "Pending"
    await api.patch("/stations/CS-reg", json={"registration_status": "Rejected"})
    async with raw_station(server, "CS-reg", "ocpp2.0.1") as st:
        assert (await st.ok("BootNotification", BOOT_201))["status"] == "Rejected"
    await api.patch("/stations/CS-reg", json={"registration_status": "Accepted"})
    async with raw_station(server, "CS-reg") as st:
        assert (await st.ok("BootNotification", BOOT_16))["status"] == "Accepted"
    assert_detail(await api.patch("/stations/CS-reg", json={"registration_status": "Maybe"}), 422)
    assert (await api.get("/stations/CS-reg")).json()["registration_status"] == "Accepted"
    r = await api.patch("/stations/CS-reg", json={"registration_status": None})
    assert r.status_code == 200, r.text  # null: not nullable, so left as it is
    assert r.json()["registration_status"] == "Accepted"


async def test_delete_then_404_and_station_refused(server: Any, api: httpx.AsyncClient) -> None:
    await register(api, "CS-del")
    r = await api.delete("/stations/CS-del")
    assert r.status_code == 204
    assert r.content == b""
    assert_detail(await api.get("/stations/CS-del"), 404)
    assert_detail(await api.delete("/stations/CS-del"), 404)
    assert "CS-del" not in [s["id"] for s in (await api.get("/stations")).json()]
    with pytest.raises(InvalidStatus) as refused:
        async with raw_station(server, "CS-del"):
            pass
    assert refused.value.response.status_code == 404
    # the id is free again
    await register(api, "CS-del")


async def test_delete_disconnects_a_connected_station(server_factory: ServerFactory) -> None:
    server = await server_factory(call_timeout=0.5)
    async with api_client(server) as api:
        await register(api, "CS-gone")
        async with raw_station(server, "CS-gone") as st:
            await st.ok("BootNotification", BOOT_16)
            assert (await api.delete("/stations/CS-gone")).status_code == 204
            with pytest.raises(ConnectionClosed):
                await st.recv(timeout=1)
            assert_detail(await api.post("/stations/CS-gone/commands/reset"), 404)


async def test_delete_station_with_history(server: Any, api: httpx.AsyncClient) -> None:
    """A station with connectors, reports and transactions can still be removed."""
    await register(api, "CS-hist")
    async with raw_station(server, "CS-hist") as st:
        await st.ok("BootNotification", BOOT_16)
        await st.ok("StatusNotification", {"connectorId": 1, "errorCode": "NoError",
                                           "status": "Charging"})
        await st.ok("StartTransaction", {"connectorId": 1, "idTag": "T", "meterStart": 0,
                                         "timestamp": now_iso()})
        await st.ok("FirmwareStatusNotification", {"status": "Downloading"})
    r = await api.delete("/stations/CS-hist")
    assert r.status_code == 204, r.text
    assert_detail(await api.get("/stations/CS-hist"), 404)


async def test_reports_lists_what_the_station_reported(server: Any,
                                                       api: httpx.AsyncClient) -> None:
    await register(api, "CS-rep")
    assert (await api.get("/stations/CS-rep/reports")).json() == []
    async with raw_station(server, "CS-rep") as st:
        await st.ok("BootNotification", BOOT_16)
        await st.ok("FirmwareStatusNotification", {"status": "Downloading"})
        await st.ok("FirmwareStatusNotification", {"status": "Installed"})
        await st.ok("DiagnosticsStatusNotification", {"status": "Uploaded"})
    reports = (await api.get("/stations/CS-rep/reports")).json()
    kinds = [r["kind"] for r in reports]
    assert kinds.count("FirmwareStatusNotification") == 2
    assert "DiagnosticsStatusNotification" in kinds
    fw = (await api.get("/stations/CS-rep/reports",
                        params={"kind": "FirmwareStatusNotification"})).json()
    assert sorted(r["data"]["status"] for r in fw) == ["Downloading", "Installed"]
    assert all(set(r) >= {"kind", "at", "data"} for r in fw)
    one = (await api.get("/stations/CS-rep/reports", params={"limit": 1})).json()
    assert len(one) == 1
    assert_detail(await api.get("/stations/ghost/reports"), 404)
    assert_detail(await api.get("/stations/CS-rep/reports", params={"limit": 0}), 422)
    assert_detail(await api.get("/stations/CS-rep/reports", params={"limit": 5000}), 422)
    assert_detail(await api.get("/stations/CS-rep/reports", params={"limit": "many"}), 422)


async def test_messages_lists_frames_both_ways(server: Any, api: httpx.AsyncClient) -> None:
    await register(api, "CS-msg")
    async with raw_station(server, "CS-msg") as st:
        await st.ok("BootNotification", BOOT_16)
        await st.ok("Heartbeat", {})
        msgs = (await api.get("/stations/CS-msg/messages")).json()
    frames = [(m["direction"], m["frame"]) for m in msgs]
    assert any(d == "in" and '"BootNotification"' in f for d, f in frames), frames
    assert any(d == "in" and '"Heartbeat"' in f for d, f in frames), frames
    assert sum(1 for d, _ in frames if d == "out") >= 2, frames
    assert all(m["at"] for m in msgs)
    assert len((await api.get("/stations/CS-msg/messages", params={"limit": 1})).json()) == 1
    assert_detail(await api.get("/stations/ghost/messages"), 404)
    assert_detail(await api.get("/stations/CS-msg/messages", params={"limit": -1}), 422)
