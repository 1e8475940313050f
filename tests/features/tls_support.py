"""Helpers of the TLS tests: a station CA and a server certificate for 127.0.0.1, a server with
its wss:// port, and handshakes over wss:// or plain ws:// that report how they ended."""

from __future__ import annotations

import base64
import ssl
from pathlib import Path
from typing import Any

from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from tests.conftest import ServerFactory
from tests.features.security_support import make_ca, make_leaf, pem, write_pair
from tests.helpers import BOOT_16, BOOT_201, RawStation

BOOTS = {"ocpp1.6": BOOT_16, "ocpp2.0.1": BOOT_201}


def make_pki(folder: Path) -> dict[str, Any]:
    ca = make_ca("station CA")
    server_ca = make_ca("server CA")
    out: dict[str, Any] = {"ca": ca, "dir": folder}
    out["server"] = write_pair(folder, "server", *make_leaf(server_ca, "127.0.0.1",
                                                            server=True))
    (folder / "server-ca.pem").write_text(pem(server_ca[0]))
    (folder / "client-ca.pem").write_text(pem(ca[0]))
    out["server_ca"] = str(folder / "server-ca.pem")
    out["client_ca"] = str(folder / "client-ca.pem")
    return out


def station_cert(pki: dict[str, Any], common_name: str) -> tuple[str, str]:
    """A client certificate from the station CA, as (cert file, key file)."""
    return write_pair(pki["dir"], common_name.lower(), *make_leaf(pki["ca"], common_name))


async def tls_server(server_factory: ServerFactory, pki: dict[str, Any], **settings: Any
                     ) -> Any:
    cert, key = pki["server"]
    server = await server_factory(ocpp_tls_port=0, tls_cert=cert, tls_key=key,
                                  tls_client_ca=pki["client_ca"], **settings)
    assert isinstance(server.ocpp_tls_port, int) and server.ocpp_tls_port > 0
    return server


def client_context(pki: dict[str, Any], cert: tuple[str, str] | None) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=pki["server_ca"])
    if cert is not None:
        ctx.load_cert_chain(*cert)
    return ctx


def url_and_headers(server: Any, station_id: str, tls: bool, password: str | None
                    ) -> tuple[str, dict[str, str]]:
    headers = {}
    if password is not None:
        token = base64.b64encode(f"{station_id}:{password}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    if tls:
        return f"wss://127.0.0.1:{server.ocpp_tls_port}/ocpp/{station_id}", headers
    return f"ws://127.0.0.1:{server.ocpp_port}/ocpp/{station_id}", headers


async def handshake(server: Any, station_id: str, ctx: ssl.SSLContext | None,
                    password: str | None = None, protocol: str = "ocpp1.6") -> int:
    """101 and a booted station, or the HTTP status the handshake was refused with.
    `ctx` None: over the plain ws:// port."""
    url, headers = url_and_headers(server, station_id, ctx is not None, password)
    try:
        async with connect(url, ssl=ctx, subprotocols=[protocol],  # type: ignore[list-item]
                           additional_headers=headers) as ws:
            reply = await RawStation(ws).ok("BootNotification", BOOTS[protocol])
            assert reply["status"] == "Accepted"
            return 101
    except InvalidStatus as e:
        return e.response.status_code
