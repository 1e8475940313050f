"""Security events, the Basic-auth password and the security profile through the API, end to
end with the simulators in both versions, and their failure paths."""

from __future__ import annotations

from typing import Any

import pytest
from websockets.exceptions import InvalidStatus

from simulators import make_station
from tests.api.support import assert_detail, command, register
from tests.api.test_events import collect_until, open_stream, sse_events
from tests.conftest import ServerFactory, api_client
from tests.features.security_support import PROTOCOLS, RAW, sim_config, wait_for, ws_base
from tests.helpers import BOOT_16, BOOT_201, raw_station

BOOT = {"1.6": BOOT_16, "2.0.1": BOOT_201}
OLD, NEW = "old-password-0123456", "new-password-abcdefg"


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_security_events_are_listed_and_streamed(
    server_factory: ServerFactory, protocol: str
) -> None:
    server = await server_factory()
    async with api_client(server) as api:
        await register(api, "SEC-1")
        cm, lines = await open_stream(api, station_id="SEC-1")
        try:
            async with make_station(ws_base(server), sim_config("SEC-1", protocol)) as st:
                await st.boot()
                await st.call("SecurityEventNotification", {
                    "type": "FirmwareUpdated", "timestamp": "2026-05-01T10:00:00Z"})
                await st.call("SecurityEventNotification", {
                    "type": "InvalidCsmsCertificate", "timestamp": "2026-05-01T10:05:00Z",
                    "techInfo": "expired"})
                got = await collect_until(sse_events(lines), "station.security_event")
                got += await collect_until(sse_events(lines), "station.security_event")
        finally:
            await cm.__aexit__(None, None, None)
        events = (await api.get("/stations/SEC-1/security-events")).json()
        assert_detail(await api.get("/stations/NOPE/security-events"), 404)
        assert_detail(await api.get("/stations/SEC-1/security-events?limit=0"), 422)
    streamed = [d for k, d in got if k == "station.security_event"]
    assert [d["type"] for d in streamed] == ["FirmwareUpdated", "InvalidCsmsCertificate"]
    assert streamed[1]["tech_info"] == "expired"
    assert [(e["type"], e["tech_info"]) for e in events] == [
        ("InvalidCsmsCertificate", "expired"), ("FirmwareUpdated", None)]
    assert events[0]["timestamp"].startswith("2026-05-01T10:05:00")


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_malformed_security_event_gets_a_callerror(
    server_factory: ServerFactory, protocol: str
) -> None:
    server = await server_factory()
    async with api_client(server) as api:
        await register(api, "SEC-2")
        async with raw_station(server, "SEC-2", RAW[protocol]) as st:
            await st.ok("BootNotification", BOOT[protocol])
            reply = await st.call("SecurityEventNotification", {"techInfo": "no type"})
            assert reply[0] == 4
            reply = await st.call("SecurityEventNotification", {
                "type": "X", "timestamp": "not a time"})
            assert reply[0] == 4
            assert await st.ok("Heartbeat", {})
        assert (await api.get("/stations/SEC-2/security-events")).json() == []


async def reconnects_with(st: Any, server: Any) -> None:
    """Drop the link; the simulator reconnects with whatever password it now holds."""
    st.auto_reconnect = True
    st.drop_connection()
    await st.wait_offline(5)
    await st.wait_online(10)
    await wait_for(lambda: _announced(server, st))
    assert await st.heartbeat()  # queued behind the last StatusNotification: all answered


async def _announced(server: Any, st: Any) -> bool:
    """Connected again, and every status of the reconnect announcement arrived."""
    if not server.registry.is_connected(st.station_id):
        return False
    async with api_client(server) as api:
        evses = (await api.get(f"/stations/{st.station_id}")).json()["evses"]
    expected = len(st.connectors) + (1 if st.protocol == "1.6" else 0)
    return sum(len(e["connectors"]) for e in evses) >= expected


async def refused(server: Any, station_id: str, password: str, protocol: str) -> int:
    try:
        async with raw_station(server, station_id, RAW[protocol], password=password):
            return 101
    except InvalidStatus as e:
        return e.response.status_code


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_password_change_accepted_then_the_station_uses_it(
    server_factory: ServerFactory, protocol: str
) -> None:
    server = await server_factory()
    async with api_client(server) as api:
        await register(api, "SEC-3", password=OLD)
        cfg = sim_config("SEC-3", protocol, password=OLD)
        async with make_station(ws_base(server), cfg) as st:
            await st.boot()
            r = await api.post("/stations/SEC-3/password", json={"password": NEW})
            assert r.status_code == 200 and r.json()["status"] == "Accepted", r.text
            assert cfg.password == NEW  # the station took it
            await reconnects_with(st, server)
            assert await st.heartbeat()
        assert await refused(server, "SEC-3", OLD, protocol) == 401
    sent = [p for a, p in st.received if a in ("ChangeConfiguration", "SetVariables")]
    if protocol == "1.6":  # hex, as the security whitepaper has it
        assert sent == [{"key": "AuthorizationKey", "value": NEW.encode().hex()}]
    else:
        [item] = sent[0]["setVariableData"]
        assert (item["component"]["name"], item["variable"]["name"]) == (
            "SecurityCtrlr", "BasicAuthPassword")


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_password_change_refused_leaves_the_old_one(
    server_factory: ServerFactory, protocol: str
) -> None:
    server = await server_factory(call_timeout=0.5)
    path = "/stations/SEC-4/password"
    rejected = ({"status": "Rejected"} if protocol == "1.6" else {"setVariableResult": [{
        "attributeStatus": "Rejected", "component": {"name": "SecurityCtrlr"},
        "variable": {"name": "BasicAuthPassword"},
        "attributeStatusInfo": {"reasonCode": "TooShort"}}]})
    async with api_client(server) as api:
        await register(api, "SEC-4", password=OLD)
        assert_detail(await api.post(path, json={"password": NEW}), 409)  # offline
        assert_detail(await api.post("/stations/NOPE/password", json={"password": NEW}), 404)
        for bad in ({"password": "short"}, {"password": "x" * 41}, {"password": NEW + " "},
                    {"password": NEW, "encoding": "base64"}, {}):
            assert_detail(await api.post(path, json=bad), 422)
        async with raw_station(server, "SEC-4", RAW[protocol], password=OLD) as st:
            await st.ok("BootNotification", BOOT[protocol])
            _, r = await command(api, st, path, {"password": NEW}, reply=rejected)
            detail = assert_detail(r, 409)
            assert "Rejected" in detail and "nothing was changed" in detail
            _, r = await command(api, st, path, {"password": NEW}, error=("InternalError", "x"))
            assert_detail(r, 502)
            assert_detail(await api.post(path, json={"password": NEW}), 504)
        # the old password still works, the new one does not
        assert await refused(server, "SEC-4", NEW, protocol) == 401
        async with raw_station(server, "SEC-4", RAW[protocol], password=OLD) as st:
            await st.ok("BootNotification", BOOT[protocol])


async def test_1_6_station_refuses_a_key_that_is_not_hex(server_factory: ServerFactory) -> None:
    """`encoding: plain` sends the password as is; this (whitepaper) simulator wants hex."""
    server = await server_factory()
    async with api_client(server) as api:
        await register(api, "SEC-5", password=OLD)
        cfg = sim_config("SEC-5", "1.6", password=OLD)
        async with make_station(ws_base(server), cfg) as st:
            await st.boot()
            r = await api.post("/stations/SEC-5/password",
                               json={"password": NEW, "encoding": "plain"})
            assert "Rejected" in assert_detail(r, 409)
            assert cfg.password == OLD
            await reconnects_with(st, server)


async def test_security_profile_1_6(server_factory: ServerFactory) -> None:
    server = await server_factory()
    path = "/stations/SEC-6/security-profile"
    async with api_client(server) as api:
        await register(api, "SEC-6", password=OLD)
        cfg = sim_config("SEC-6", "1.6", password=OLD)
        async with make_station(ws_base(server), cfg) as st:
            await st.boot()
            r = await api.post(path, json={"profile": 2})
            assert r.json() == {"status": "Accepted", "reboot_required": False}, r.text
            assert (await api.get("/stations/SEC-6")).json()["security_profile"] == 2
            # csms never asks for a lower profile than the one it holds for the station
            assert "raised" in assert_detail(await api.post(path, json={"profile": 1}), 409)
            # profile 3 needs a certificate from csms first, unless forced
            assert "certificate" in assert_detail(await api.post(path, json={"profile": 3}), 409)
            r = await api.post(path, json={"profile": 3, "force": True})
            assert r.json()["status"] == "Accepted"
            for bad in ({"profile": 4}, {"profile": "2"}, {}, {"profile": 2, "x": 1}):
                assert_detail(await api.post(path, json=bad), 422)
        assert (await api.get("/stations/SEC-6")).json()["security_profile"] == 3
    sent = [p["value"] for a, p in st.received
            if a == "ChangeConfiguration" and p["key"] == "SecurityProfile"]
    assert sent == ["2", "3"]


async def test_security_profile_needs_a_password_for_1_and_2(
        server_factory: ServerFactory) -> None:
    """A station without a password raised to profile 2 could never connect again."""
    server = await server_factory()
    path = "/stations/SEC-10/security-profile"
    async with api_client(server) as api:
        await register(api, "SEC-10")
        async with raw_station(server, "SEC-10", "ocpp1.6") as st:
            await st.ok("BootNotification", BOOT_16)
            for profile in (1, 2):
                assert "password" in assert_detail(await api.post(path, json={
                    "profile": profile}), 409)
            await st.ok("Heartbeat", {})  # nothing was sent to the station meanwhile
        body = (await api.get("/stations/SEC-10")).json()
        assert (body["security_profile"], body["insecure"]) == (0, True)


async def test_security_profile_2_0_1_is_a_network_profile(server_factory: ServerFactory) -> None:
    server = await server_factory()
    path = "/stations/SEC-7/security-profile"
    url = "wss://csms.example.org:9443/ocpp"
    async with api_client(server) as api:
        await register(api, "SEC-7", password=OLD)
        cfg = sim_config("SEC-7", "2.0.1", password=OLD)
        async with make_station(ws_base(server), cfg) as st:
            await st.boot()
            assert "csms_url" in assert_detail(await api.post(path, json={"profile": 2}), 422)
            assert "wss" in assert_detail(await api.post(path, json={
                "profile": 2, "csms_url": "ws://plain"}), 422)
            r = await api.post(path, json={"profile": 2, "csms_url": url})
            assert r.status_code == 200, r.text
            body = r.json()
            assert body["status"] == "RebootRequired" and body["reboot_required"] is True
            slot = body["configuration_slot"]
            assert body["network_configuration_priority"].split(",")[0] == str(slot)
    [profile] = [p for a, p in st.received if a == "SetNetworkProfile"]
    assert profile["configurationSlot"] == slot
    assert profile["connectionData"]["securityProfile"] == 2
    assert profile["connectionData"]["ocppCsmsUrl"] == url
    assert st.network_profiles[slot]["ocppCsmsUrl"] == url  # type: ignore[attr-defined]


async def test_security_profile_failure_paths(server_factory: ServerFactory) -> None:
    server = await server_factory(call_timeout=0.5)
    path = "/stations/SEC-8/security-profile"
    async with api_client(server) as api:
        await register(api, "SEC-8", password=OLD)
        assert_detail(await api.post(path, json={"profile": 2}), 409)  # offline
        async with raw_station(server, "SEC-8", "ocpp1.6", password=OLD) as st:
            await st.ok("BootNotification", BOOT_16)
            _, r = await command(api, st, path, {"profile": 2}, error=("NotSupported", "no"))
            assert assert_detail(r, 502)["error_code"] == "NotSupported"
            _, r = await command(api, st, path, {"profile": 2}, reply={"status": "NotSupported"})
            assert "NotSupported" in assert_detail(r, 409)
            assert_detail(await api.post(path, json={"profile": 2}), 504)


async def test_security_routes_refuse_garbage(server_factory: ServerFactory) -> None:
    server = await server_factory()
    async with api_client(server) as api:
        await register(api, "SEC-9")
        assert_detail(await api.get("/stations/NOPE/certificates"), 404)
        assert_detail(await api.get("/stations/SEC-9/certificates?limit=5000"), 422)
        assert_detail(await api.post("/stations/SEC-9/certificates/renew",
                                     json={"type": "Bogus"}), 422)
        assert_detail(await api.post("/stations/SEC-9/certificates/renew"), 409)  # offline
        assert_detail(await api.post("/stations/NOPE/certificates/install-csms-root"), 404)
        assert_detail(await api.post("/stations/SEC-9/certificates/install-csms-root"), 409)
        async with api_client(server, token="wrong") as anonymous:
            assert_detail(await anonymous.get("/certificate-authority"), 401)
        async with raw_station(server, "SEC-9", "ocpp2.0.1") as st:
            await st.ok("BootNotification", BOOT_201)
            for payload in ({"ocspRequestData": {"hashAlgorithm": "MD5"}}, {}):
                assert (await st.call("GetCertificateStatus", payload))[0] == 4
            assert (await st.call("Get15118EVCertificate", {"action": "Steal"}))[0] == 4
            assert await st.ok("Heartbeat", {})
        ca = (await api.get("/certificate-authority")).json()
        assert ca["source"] == "builtin" and "BEGIN CERTIFICATE" in ca["pem"]
        # the CA is created once and kept: the same one after a restart
        await server.stop()
        again = await server_factory()
        async with api_client(again) as api2:
            assert (await api2.get("/certificate-authority")).json()["pem"] == ca["pem"]
