"""Each station's security profile, enforced at the handshake over real TLS and plain ws://:
every way of connecting below the profile is refused (and leaves a security event), every way
at or above it is admitted; raising the profile refuses the weaker ways from then on."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect

from simulators import make_station
from tests.api.support import assert_detail, register
from tests.conftest import ServerFactory, api_client
from tests.features.security_support import sim_config, ws_base
from tests.features.tls_support import (
    client_context,
    handshake,
    make_pki,
    station_cert,
    tls_server,
    url_and_headers,
)
from tests.helpers import BOOT_16, RawStation

PASSWORD = "station-password-123"
WRONG = "not-the-password-456"
PROTOCOLS = ["ocpp1.6", "ocpp2.0.1"]


@pytest.fixture
def pki(tmp_path: Path) -> dict[str, Any]:
    return make_pki(tmp_path)


async def event_types(api: httpx.AsyncClient, station_id: str) -> list[str]:
    r = await api.get(f"/stations/{station_id}/security-events")
    assert r.status_code == 200, r.text
    return [e["type"] for e in r.json()]


async def test_profile_3_refuses_plain_ws_no_certificate_and_another_stations_certificate(
    server_factory: ServerFactory, pki: dict[str, Any]
) -> None:
    server = await tls_server(server_factory, pki)
    mine, other = station_cert(pki, "P3-A"), station_cert(pki, "P3-B")
    async with api_client(server) as api:
        body = await register(api, "P3-A", password=PASSWORD, security_profile=3)
        assert (body["security_profile"], body["insecure"]) == (3, False)
        await register(api, "P3-B", security_profile=3)
        for protocol in PROTOCOLS:
            # plain ws://: refused whatever the credentials
            assert await handshake(server, "P3-A", None, protocol=protocol) == 403
            assert await handshake(server, "P3-A", None, PASSWORD, protocol) == 403
            # TLS without a client certificate: a password is not enough
            assert await handshake(server, "P3-A", client_context(pki, None),
                                   protocol=protocol) == 403
            assert await handshake(server, "P3-A", client_context(pki, None), PASSWORD,
                                   protocol) == 403
            # TLS with the certificate of another station
            assert await handshake(server, "P3-A", client_context(pki, other), PASSWORD,
                                   protocol) == 403
            # its own certificate admits it
            assert await handshake(server, "P3-A", client_context(pki, mine),
                                   protocol=protocol) == 101
        assert await handshake(server, "P3-B", client_context(pki, other)) == 101
        # one event per kind of refusal (repeats within a minute are counted, not stored)
        assert sorted(await event_types(api, "P3-A")) == [
            "InvalidChargingStationCertificate", "SecurityProfileDowngrade"]
        r = await api.get("/stations/P3-A/security-events")
        downgrade = next(e for e in r.json() if e["type"] == "SecurityProfileDowngrade")
        assert "ws://" in downgrade["tech_info"] and "127.0.0.1" in downgrade["tech_info"]


async def test_profile_2_refuses_plain_ws_even_with_the_right_password(
    server_factory: ServerFactory, pki: dict[str, Any]
) -> None:
    server = await tls_server(server_factory, pki)
    mine = station_cert(pki, "P2-A")
    async with api_client(server) as api:
        await register(api, "P2-A", password=PASSWORD, security_profile=2)
        assert await handshake(server, "P2-A", None, PASSWORD) == 403
        assert await handshake(server, "P2-A", None) == 403
        tls = client_context(pki, None)
        assert await handshake(server, "P2-A", tls) == 401  # TLS without a password
        assert await handshake(server, "P2-A", tls, WRONG) == 401
        assert await handshake(server, "P2-A", tls, PASSWORD, "ocpp2.0.1") == 101
        assert await handshake(server, "P2-A", client_context(pki, mine)) == 101  # above 2
        assert sorted(await event_types(api, "P2-A")) == [
            "InvalidBasicAuthCredentials", "SecurityProfileDowngrade"]


async def test_profile_1_needs_the_password_on_either_port(
    server_factory: ServerFactory, pki: dict[str, Any]
) -> None:
    server = await tls_server(server_factory, pki)
    async with api_client(server) as api:
        body = await register(api, "P1-A", password=PASSWORD)  # 1 by default with a password
        assert (body["security_profile"], body["insecure"]) == (1, False)
        assert await handshake(server, "P1-A", None) == 401
        assert await handshake(server, "P1-A", None, WRONG) == 401
        assert await handshake(server, "P1-A", client_context(pki, None)) == 401
        assert await handshake(server, "P1-A", None, PASSWORD) == 101
        assert await handshake(server, "P1-A", client_context(pki, None), PASSWORD,
                               "ocpp2.0.1") == 101
        assert await event_types(api, "P1-A") == ["InvalidBasicAuthCredentials"]


async def test_profile_0_is_admitted_and_shown_insecure(
    server_factory: ServerFactory, pki: dict[str, Any]
) -> None:
    server = await tls_server(server_factory, pki)
    async with api_client(server) as api:
        body = await register(api, "P0-A")  # no password: 0 by default
        assert (body["security_profile"], body["insecure"]) == (0, True)
        await register(api, "P0-B", password=PASSWORD, security_profile=0)
        listed = {s["id"]: s for s in (await api.get("/stations")).json()}
        assert (listed["P0-B"]["security_profile"], listed["P0-B"]["insecure"]) == (0, True)
        for station_id in ("P0-A", "P0-B"):
            assert await handshake(server, station_id, None) == 101
            assert await handshake(server, station_id, client_context(pki, None),
                                   protocol="ocpp2.0.1") == 101
        # a password offered is still checked where there is one
        assert await handshake(server, "P0-B", None, WRONG) == 401
        assert await handshake(server, "P0-B", None, PASSWORD) == 101
        assert await event_types(api, "P0-A") == []


async def test_profile_is_validated_and_derived_on_create_and_change(
    server_factory: ServerFactory
) -> None:
    server = await server_factory()
    async with api_client(server) as api:
        for bad in ({"security_profile": 1}, {"security_profile": 2},
                    {"security_profile": 4, "password": PASSWORD},
                    {"security_profile": "3"}, {"security_profile": -1}):
            assert_detail(await api.post("/stations", json={"id": "V-1", **bad}), 422)
        assert_detail(await api.get("/stations/V-1"), 404)  # nothing stored
        await register(api, "V-1")
        # a password set on a station of profile 0 makes it 1 (it was required before too)
        r = await api.patch("/stations/V-1", json={"password": PASSWORD})
        assert (r.json()["security_profile"], r.json()["insecure"]) == (1, False)
        r = await api.patch("/stations/V-1", json={"security_profile": 3, "password": None})
        assert r.json()["security_profile"] == 3  # profile 3 needs no password
        assert "password" in assert_detail(
            await api.patch("/stations/V-1", json={"security_profile": 2}), 422)
        r = await api.patch("/stations/V-1", json={"security_profile": None})
        assert r.json()["security_profile"] == 3  # null leaves it
        r = await api.patch("/stations/V-1", json={"security_profile": 0})
        assert (r.json()["security_profile"], r.json()["insecure"]) == (0, True)


async def test_raising_the_profile_closes_the_weaker_connection_and_refuses_it_after(
    server_factory: ServerFactory, pki: dict[str, Any]
) -> None:
    """An auto-registered station (profile 0, over ws://) is given profile 3: the open plain
    connection is closed, the plain port refuses it from then on, its certificate admits it."""
    server = await tls_server(server_factory, pki, unknown_stations="accept")
    mine = station_cert(pki, "AUTO-1")
    async with api_client(server) as api:
        url, _ = url_and_headers(server, "AUTO-1", False, None)
        async with connect(url, subprotocols=["ocpp1.6"]) as ws:  # type: ignore[list-item]
            await RawStation(ws).ok("BootNotification", BOOT_16)
            body = (await api.get("/stations/AUTO-1")).json()
            assert (body["security_profile"], body["insecure"]) == (0, True)
            r = await api.patch("/stations/AUTO-1", json={"security_profile": 3})
            assert r.status_code == 200, r.text
            await asyncio.wait_for(ws.wait_closed(), 10)
            assert ws.close_code == 1008
        assert await handshake(server, "AUTO-1", None) == 403
        assert await handshake(server, "AUTO-1", client_context(pki, None)) == 403
        assert await handshake(server, "AUTO-1", client_context(pki, mine)) == 101
        # an unknown station is still registered, insecure, on the plain port
        assert await handshake(server, "AUTO-2", None) == 101
        assert (await api.get("/stations/AUTO-2")).json()["insecure"] is True


async def test_security_profile_command_refuses_the_old_profile_afterwards(
    server_factory: ServerFactory, pki: dict[str, Any]
) -> None:
    """1.6 ChangeConfiguration SecurityProfile 2 accepted: the station's open session goes on
    (it moves on its own), but a new handshake over ws:// is refused, over wss:// admitted."""
    server = await tls_server(server_factory, pki)
    async with api_client(server) as api:
        await register(api, "UP-1", password=PASSWORD)
        cfg = sim_config("UP-1", "1.6", password=PASSWORD)
        async with make_station(ws_base(server), cfg) as st:
            await st.boot()
            r = await api.post("/stations/UP-1/security-profile", json={"profile": 2})
            assert r.status_code == 200, r.text
            assert (await api.get("/stations/UP-1")).json()["security_profile"] == 2
            await st.call("Heartbeat", {})  # the open session lives on
            assert await handshake(server, "UP-1", None, PASSWORD) == 403
        assert await handshake(server, "UP-1", client_context(pki, None), PASSWORD) == 101
        assert await event_types(api, "UP-1") == ["SecurityProfileDowngrade"]
