"""Security profiles 2 and 3 over real TLS on 127.0.0.1: a client certificate naming the
station admits it without a password; another name, a revoked or a foreign certificate not."""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidHandshake, InvalidStatus

from simulators import make_station
from tests.api.support import register
from tests.conftest import ServerFactory, api_client
from tests.features.security_support import (
    key_pem,
    make_ca,
    make_leaf,
    pem,
    sim_config,
    wait_delivery,
    write_pair,
    ws_base,
)
from tests.helpers import BOOT_16, RawStation

PASSWORD = "station-password-123"


@pytest.fixture
def pki(tmp_path: Path) -> dict[str, Any]:
    ca = make_ca("station CA")
    server_ca = make_ca("server CA")
    out: dict[str, Any] = {"ca": ca, "dir": tmp_path}
    out["server"] = write_pair(tmp_path, "server", *make_leaf(server_ca, "127.0.0.1",
                                                              server=True))
    (tmp_path / "server-ca.pem").write_text(pem(server_ca[0]))
    (tmp_path / "client-ca.pem").write_text(pem(ca[0]))
    out["server_ca"] = str(tmp_path / "server-ca.pem")
    out["client_ca"] = str(tmp_path / "client-ca.pem")
    return out


async def tls_server(server_factory: ServerFactory, pki: dict[str, Any]) -> Any:
    cert, key = pki["server"]
    server = await server_factory(ocpp_tls_port=0, tls_cert=cert, tls_key=key,
                                  tls_client_ca=pki["client_ca"])
    assert isinstance(server.ocpp_tls_port, int) and server.ocpp_tls_port > 0
    return server


def client_context(pki: dict[str, Any], cert: tuple[str, str] | None) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=pki["server_ca"])
    if cert is not None:
        ctx.load_cert_chain(*cert)
    return ctx


async def handshake(server: Any, station_id: str, ctx: ssl.SSLContext,
                    password: str | None = None) -> int:
    """101 and a booted station, or the HTTP status the handshake was refused with."""
    headers = {}
    if password is not None:
        import base64
        token = base64.b64encode(f"{station_id}:{password}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    url = f"wss://127.0.0.1:{server.ocpp_tls_port}/ocpp/{station_id}"
    try:
        async with connect(url, ssl=ctx, subprotocols=["ocpp1.6"],  # type: ignore[list-item]
                           additional_headers=headers) as ws:
            reply = await RawStation(ws).ok("BootNotification", BOOT_16)
            assert reply["status"] == "Accepted"
            return 101
    except InvalidStatus as e:
        return e.response.status_code


async def test_profile_3_client_certificate_names_the_station(
    server_factory: ServerFactory, pki: dict[str, Any]
) -> None:
    server = await tls_server(server_factory, pki)
    folder = pki["dir"]
    good = write_pair(folder, "tls-1", *make_leaf(pki["ca"], "TLS-1"))
    other = write_pair(folder, "other", *make_leaf(pki["ca"], "TLS-2"))
    async with api_client(server) as api:
        await register(api, "TLS-1", password=PASSWORD)
        await register(api, "TLS-2", password=PASSWORD)
    assert await handshake(server, "TLS-1", client_context(pki, good)) == 101  # no password
    assert await handshake(server, "TLS-1", client_context(pki, other)) == 403
    assert await handshake(server, "TLS-1", client_context(pki, other), PASSWORD) == 403
    # profile 2: TLS without a client certificate, the password is still required
    assert await handshake(server, "TLS-1", client_context(pki, None)) == 401
    assert await handshake(server, "TLS-1", client_context(pki, None), PASSWORD) == 101
    assert await handshake(server, "UNKNOWN", client_context(pki, good)) == 403


async def test_certificate_from_an_unknown_ca_fails_the_tls_handshake(
    server_factory: ServerFactory, pki: dict[str, Any]
) -> None:
    server = await tls_server(server_factory, pki)
    foreign = write_pair(pki["dir"], "foreign", *make_leaf(make_ca("foreign"), "TLS-3"))
    async with api_client(server) as api:
        await register(api, "TLS-3")
    # TLS 1.3: the client learns of the refusal only as a closed connection
    with pytest.raises((ssl.SSLError, OSError, InvalidHandshake)):
        await handshake(server, "TLS-3", client_context(pki, foreign))
    # the server lives on
    assert await handshake(server, "TLS-3", client_context(pki, None)) == 101


async def test_certificate_issued_by_csms_admits_until_revoked(
    server_factory: ServerFactory, pki: dict[str, Any]
) -> None:
    """The full loop: CSR over ws://, CertificateSigned, then profile 3 with that certificate."""
    server = await tls_server(server_factory, pki)
    async with api_client(server) as api:
        await register(api, "TLS-4", password=PASSWORD)
        cfg = sim_config("TLS-4", "1.6", password=PASSWORD)
        async with make_station(ws_base(server), cfg) as st:
            await st.boot()
            await st.call("SignCertificate", {"csr": st.certs.csr()})
            [issued] = await wait_delivery(api, "TLS-4", "accepted")
        folder: Path = pki["dir"]
        (folder / "tls-4.pem").write_text(issued["pem"])
        (folder / "tls-4.key").write_text(key_pem(st.certs.keys["ChargingStationCertificate"]))
        mine = (str(folder / "tls-4.pem"), str(folder / "tls-4.key"))
        assert await handshake(server, "TLS-4", client_context(pki, mine)) == 101
        r = await api.post(f"/stations/TLS-4/certificates/{issued['serial']}/revoke")
        assert r.status_code == 200
        assert await handshake(server, "TLS-4", client_context(pki, mine)) == 403
