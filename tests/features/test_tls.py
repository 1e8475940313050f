"""Security profiles 2 and 3 over real TLS on 127.0.0.1: a client certificate naming the
station admits it without a password; another name, a revoked or a foreign certificate not."""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any

import pytest
from websockets.exceptions import InvalidHandshake

from simulators import make_station
from tests.api.support import register
from tests.conftest import ServerFactory, api_client
from tests.features.security_support import (
    key_pem,
    make_ca,
    make_leaf,
    sim_config,
    wait_delivery,
    write_pair,
    ws_base,
)
from tests.features.tls_support import client_context, handshake, make_pki, tls_server

PASSWORD = "station-password-123"


@pytest.fixture
def pki(tmp_path: Path) -> dict[str, Any]:
    return make_pki(tmp_path)


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
