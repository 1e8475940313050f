"""The websocket handshake: path -> station id, subprotocol choice, security profile 1.

A refused station never gets a socket: the refusal is the HTTP answer to the upgrade.
"""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from csms.app import CsmsServer
from tests.conftest import api_client
from tests.helpers import BOOT_16, RawStation, eventually, raw_station
from tests.ocpp.support import boot, next_call, register

pytestmark = pytest.mark.asyncio(loop_scope="module")


def url(server: CsmsServer, path: str) -> str:
    return f"ws://127.0.0.1:{server.ocpp_port}{path}"


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


async def refused(server: CsmsServer, path: str, **kwargs: Any) -> int:
    """The HTTP status the handshake is refused with."""
    kwargs.setdefault("subprotocols", ["ocpp1.6"])
    with pytest.raises(InvalidStatus) as info:
        async with connect(url(server, path), **kwargs):
            pass
    return info.value.response.status_code


async def opened(server: CsmsServer, path: str, **kwargs: Any) -> ClientConnection:
    kwargs.setdefault("subprotocols", ["ocpp1.6"])
    return await connect(url(server, path), **kwargs)


async def test_unknown_station_is_refused_under_reject(
    shared_server: CsmsServer, shared_api: httpx.AsyncClient, station_id: str
) -> None:
    assert await refused(shared_server, f"/ocpp/{station_id}") == 404
    assert (await shared_api.get(f"/stations/{station_id}")).status_code == 404


async def test_unknown_station_is_registered_under_accept(
    accepting_server: CsmsServer, station_id: str
) -> None:
    async with (api_client(accepting_server) as api,
                raw_station(accepting_server, station_id, "ocpp2.0.1") as st):
        await boot(st, "ocpp2.0.1")
        station = (await api.get(f"/stations/{station_id}")).json()
        assert station["connected"] is True
        assert station["protocol"] in ("2.0.1", "ocpp2.0.1")
        assert station["vendor"] == "TestVendor"


@pytest.mark.parametrize("path", ["/", "/CP1", "/foo/CP1", "/ocpp", "/ocpp/", "/OCPP/CP1"])
async def test_wrong_path_is_not_found(accepting_server: CsmsServer, path: str) -> None:
    assert await refused(accepting_server, path) == 404


@pytest.mark.parametrize("offered", [None, ["ocpp2.1"], ["ocpp2.0"], ["OCPP1.6"], ["wamp"]])
async def test_no_supported_subprotocol_is_refused(
    shared_server: CsmsServer, shared_api: httpx.AsyncClient, station_id: str,
    offered: list[str] | None,
) -> None:
    await register(shared_api, station_id)
    status = await refused(shared_server, f"/ocpp/{station_id}", subprotocols=offered)
    assert 400 <= status < 500
    assert (await shared_api.get(f"/stations/{station_id}")).json()["connected"] is False


@pytest.mark.parametrize(
    ("offered", "chosen"),
    [
        (["ocpp2.0.1", "ocpp1.6"], "ocpp2.0.1"),
        (["ocpp1.6", "ocpp2.0.1"], "ocpp1.6"),
        (["ocpp2.1", "ocpp1.6"], "ocpp1.6"),
        (["ocpp2.0", "ocpp2.0.1"], "ocpp2.0.1"),
    ],
)
async def test_first_supported_subprotocol_of_the_client_wins(
    shared_server: CsmsServer, shared_api: httpx.AsyncClient, station_id: str,
    offered: list[str], chosen: str,
) -> None:
    await register(shared_api, station_id)
    async with await opened(shared_server, f"/ocpp/{station_id}", subprotocols=offered) as ws:
        assert ws.subprotocol == chosen
        await boot(RawStation(ws), chosen)  # and the session speaks that version


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


# "{sid}" stands for the test's station id
BAD_CREDENTIALS = {
    "none": {},
    "wrong-password": {"Authorization": "Basic " + _b64("{sid}:wrong-password")},
    "wrong-user": {"Authorization": "Basic " + _b64("CP-OTHER:correct-horse")},
    "empty-password": {"Authorization": "Basic " + _b64("{sid}:")},
    "no-colon": {"Authorization": "Basic " + _b64("{sid}")},
    "bearer": {"Authorization": "Bearer correct-horse"},
    "not-base64": {"Authorization": "Basic not-base64!"},
    "not-utf8": {"Authorization": "Basic " + base64.b64encode(b"\xff\xfe:x").decode()},
}


@pytest.mark.parametrize("case", list(BAD_CREDENTIALS))
async def test_security_profile_1_refuses_bad_credentials(
    shared_server: CsmsServer, shared_api: httpx.AsyncClient, station_id: str, case: str
) -> None:
    await register(shared_api, station_id, password="correct-horse")
    headers = dict(BAD_CREDENTIALS[case])
    if headers.get("Authorization", "").startswith("Basic ") and case != "not-base64":
        decoded = base64.b64decode(headers["Authorization"][6:])
        headers["Authorization"] = "Basic " + base64.b64encode(
            decoded.replace(b"{sid}", station_id.encode())).decode()
    status = await refused(shared_server, f"/ocpp/{station_id}", additional_headers=headers)
    assert status == 401


async def test_security_profile_1_admits_the_right_password(
    shared_server: CsmsServer, shared_api: httpx.AsyncClient, station_id: str
) -> None:
    await register(shared_api, station_id, password="correct-horse:with colon")
    async with raw_station(shared_server, station_id, password="correct-horse:with colon") as st:
        await boot(st, "ocpp1.6")
    # changing the password through the API locks the old one out
    r = await shared_api.patch(f"/stations/{station_id}", json={"password": "battery-staple"})
    assert r.status_code == 200
    headers = basic(station_id, "correct-horse:with colon")
    assert await refused(shared_server, f"/ocpp/{station_id}", additional_headers=headers) == 401
    async with raw_station(shared_server, station_id, password="battery-staple") as st:
        await boot(st, "ocpp1.6")


async def test_station_without_password_ignores_credentials(
    shared_server: CsmsServer, shared_api: httpx.AsyncClient, station_id: str
) -> None:
    await register(shared_api, station_id)
    async with raw_station(shared_server, station_id, password="anything-at-all") as st:
        await boot(st, "ocpp1.6")


async def test_percent_encoded_station_id_is_decoded(accepting_server: CsmsServer) -> None:
    async with (api_client(accepting_server) as api,
                await opened(accepting_server, "/ocpp/CP%2A1") as ws):
        await RawStation(ws).ok("BootNotification", BOOT_16)
        station = (await api.get("/stations/CP*1")).json()
        assert station["id"] == "CP*1" and station["connected"] is True


async def test_decoded_slash_is_refused(accepting_server: CsmsServer) -> None:
    """'CP%2F1' would be 'CP/1', a station no API route could address: refused, not registered."""
    assert await refused(accepting_server, "/ocpp/CP%2F1") == 400
    async with api_client(accepting_server) as api:
        ids = [s["id"] for s in (await api.get("/stations")).json()]
        assert not [i for i in ids if "/" in i or i == "1"]


async def test_station_id_length_limits(accepting_server: CsmsServer) -> None:
    async with await opened(accepting_server, "/ocpp/" + "A" * 48) as ws:
        await RawStation(ws).ok("Heartbeat", {})
    assert await refused(accepting_server, "/ocpp/" + "B" * 49) == 400
    # the limit is on the decoded id: 48 characters spelled with 144 in the URL
    async with await opened(accepting_server, "/ocpp/" + "%43" * 48) as ws:
        await RawStation(ws).ok("Heartbeat", {})
    assert await refused(accepting_server, "/ocpp/" + "%44" * 49) == 400
    async with api_client(accepting_server) as api:
        ids = {s["id"] for s in (await api.get("/stations")).json()}
        assert {"A" * 48, "C" * 48} <= ids
        assert not {"B" * 49, "D" * 49} & ids


async def test_second_connection_replaces_the_first(
    shared_server: CsmsServer, shared_api: httpx.AsyncClient, station_id: str
) -> None:
    await register(shared_api, station_id)
    async with raw_station(shared_server, station_id, "ocpp2.0.1") as first:
        await boot(first, "ocpp2.0.1")
        async with raw_station(shared_server, station_id, "ocpp2.0.1") as second:
            with pytest.raises(ConnectionClosed):
                await first.recv(timeout=3)
            await boot(second, "ocpp2.0.1")

            async def connected() -> Any:
                station = (await shared_api.get(f"/stations/{station_id}")).json()
                return station if station["connected"] else None

            station = await eventually(connected, "the station shows as connected")
            assert station["protocol"] in ("2.0.1", "ocpp2.0.1")
            command = asyncio.create_task(
                shared_api.post(f"/stations/{station_id}/commands/clear-cache"))
            call = await next_call(second)
            assert call[2] == "ClearCache"
            await second.send([3, call[1], {"status": "Accepted"}])
            r = await command
            assert r.status_code == 200 and r.json()["status"] == "Accepted", r.text
        # the newest connection closing makes the station offline

        async def offline() -> bool:
            return (await shared_api.get(f"/stations/{station_id}")).json()["connected"] is False

        await eventually(offline, "the station shows as disconnected")
