"""The websocket endpoint: admits stations at the handshake and runs their sessions.

Path `/ocpp/{station_id}` (last segment, percent-decoded, 1-48 characters); subprotocol the
first of the client's list that we speak; the station's security profile (transport, client
certificate, HTTP Basic password) checked before the upgrade, so a refused station never gets
a socket.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
import re
import ssl
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any
from urllib.parse import unquote_to_bytes, urlsplit

from websockets.datastructures import Headers
from websockets.exceptions import NegotiationError
from websockets.frames import CloseCode
from websockets.http11 import Request, Response
from websockets.typing import Subprotocol

from csms.connections import AddressLimit, peer_host
from csms.domain.security import Handshake
from csms.ocpp import tls_identity
from csms.ocpp.errors import V16, V201
from csms.ocpp.keepalive import Keepalive
from csms.ocpp.link import Endpoint, StationLink, close_all
from csms.ocpp.registry import Registry
from csms.ocpp.session import Session, SessionConfig
from csms.ocpp.station_services import StationServices
from csms.ocpp.v16.session import V16Session
from csms.ocpp.v201.session import V201Session
from csms.services.stations.admission import Admission

log = logging.getLogger(__name__)

SESSION_CLASSES: dict[str, type[Session]] = {"ocpp1.6": V16Session, "ocpp2.0.1": V201Session}
SUBPROTOCOLS = [Subprotocol(p) for p in SESSION_CLASSES]
assert {c.version for c in SESSION_CLASSES.values()} == {V16, V201}


# OCPP's identifierString: letters, digits and `*-_=:+|@.` (1.6 and 2.0.1 alike). Anything
# else (control characters forge log lines, U+FFFD from invalid UTF-8 merges two raw ids into
# one station, a decoded "/" could never be addressed by the API) is refused at the handshake.
STATION_ID = re.compile(r"[A-Za-z0-9*\-_=:+|@.]{1,48}")


class BadStationId(ValueError):
    """The path names a station, but not with an id csms accepts."""


def station_id_from_path(path: str) -> str | None:
    """The station id of `/ocpp/{station_id}`; None for another path; BadStationId when the
    last segment is not 1 to 48 characters of OCPP's identifierString."""
    parts = urlsplit(path).path.split("/")
    if len(parts) < 3 or parts[1] != "ocpp" or not parts[-1]:
        return None
    try:
        station_id = unquote_to_bytes(parts[-1]).decode("utf-8")
    except UnicodeDecodeError:
        raise BadStationId("station id is not valid UTF-8") from None
    if not STATION_ID.fullmatch(station_id):
        raise BadStationId("station id must be 1 to 48 of A-Z a-z 0-9 * - _ = : + | @ .")
    if not station_id.strip("."):  # "." and ".." are path segments, not names
        raise BadStationId("station id must not be dots only")
    return station_id


def basic_password(headers: Headers, station_id: str) -> tuple[bool, str | None]:
    """(well-formed, password). No header is well-formed with no password."""
    header = headers.get("Authorization")
    if header is None:
        return True, None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return False, None
    try:
        user, sep, password = base64.b64decode(value.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False, None
    return (sep == ":" and user == station_id), password


class OcppServer:
    def __init__(self, services: StationServices, registry: Registry, call_timeout: float,
                 ping_interval: float | None, ping_timeout: float,
                 compression: bool = False, per_address: int = 0,
                 exempt: frozenset[str] = frozenset()) -> None:
        self.services = services
        self.registry = registry
        self.config = SessionConfig(call_timeout=call_timeout)
        self.keepalive = Keepalive(registry.sessions, ping_interval, ping_timeout) if (
            ping_interval) else None
        self._servers: list[asyncio.Server] = []
        # One endpoint for the plain and the TLS port: an address's connections on both count
        # together. One sweeping task pings every station (csms.ocpp.keepalive), so the
        # links do not ping on their own.
        self._endpoint = Endpoint(
            process_request=self._process_request, on_open=self._handle,
            subprotocols=SUBPROTOCOLS, select_subprotocol=self._select_subprotocol,
            max_size=4 * 1024 * 1024, compression=compression,
            per_address=AddressLimit(per_address), exempt=exempt)

    async def start(self, host: str, port: int, tls: ssl.SSLContext | None = None) -> int:
        endpoint = self._endpoint
        endpoint.serving = True
        server = await asyncio.get_running_loop().create_server(
            lambda: StationLink(endpoint), host, port, ssl=tls,
            # After a restart thousands of stations reconnect at once: a short accept queue
            # drops their SYNs and they back off for seconds (the kernel caps it at somaxconn).
            backlog=65535)
        self._servers.append(server)
        return int(server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        for server in self._servers:
            server.close()
        await close_all(self._endpoint, CloseCode.GOING_AWAY, "server shutting down")
        for server in self._servers:
            await server.wait_closed()
        self._servers.clear()

    @staticmethod
    def _select_subprotocol(_protocol: Any, offered: Sequence[Subprotocol]) -> Subprotocol | None:
        for proto in offered:
            if proto in SESSION_CLASSES:
                return proto
        raise NegotiationError(
            "no supported OCPP subprotocol offered; expected one of " + ", ".join(SUBPROTOCOLS)
        )

    async def _process_request(self, conn: StationLink, request: Request) -> Response | None:
        try:
            station_id = station_id_from_path(request.path)
        except BadStationId as e:
            log.warning("station id refused: %s", e, extra={"station_id": request.path})
            return conn.protocol.reject(HTTPStatus.BAD_REQUEST, f"{e}\n")
        if station_id is None:
            return conn.protocol.reject(HTTPStatus.NOT_FOUND, "expected /ocpp/{station_id}\n")
        well_formed, password = basic_password(request.headers, station_id)
        if not well_formed:
            log.warning("malformed credentials", extra={"station_id": station_id})
            return self._unauthorized(conn)
        address = peer_host(conn.remote_address)
        stations = self.services.stations
        cert = tls_identity.client_certificate(conn)  # security profile 3
        if cert is not None and (why := await tls_identity.refusal(
                self.services.certificates, station_id, cert)):
            await stations.refused_certificate(station_id, why, address)
            return conn.protocol.reject(HTTPStatus.FORBIDDEN, why + "\n")
        handshake = Handshake(tls=conn.transport.get_extra_info("ssl_object") is not None,
                              certified=cert is not None, password_given=password is not None)
        admission = await stations.admit(station_id, password, handshake, address)
        if admission == Admission.UNKNOWN:
            log.warning("unknown station refused", extra={"station_id": station_id})
            return conn.protocol.reject(HTTPStatus.NOT_FOUND, "unknown station\n")
        if admission == Admission.THROTTLED:
            response = conn.protocol.reject(HTTPStatus.TOO_MANY_REQUESTS,
                                            "too many wrong passwords\n")
            response.headers["Retry-After"] = str(max(1, round(
                stations.throttle.wait_s(station_id, address))))
            return response
        if admission == Admission.UNAUTHORIZED:
            log.warning("bad credentials", extra={"station_id": station_id})
            return self._unauthorized(conn)
        # Below the station's security profile (OCPP 2.0.1 A00): credentials cannot help,
        # so 403 rather than a Basic challenge.
        if admission == Admission.WRONG_TRANSPORT:
            return conn.protocol.reject(HTTPStatus.FORBIDDEN, "this station must connect over wss://\n")
        if admission == Admission.NO_CERTIFICATE:
            return conn.protocol.reject(HTTPStatus.FORBIDDEN, "this station must present its TLS "
                                "client certificate\n")
        conn.station_id = station_id
        return None

    @staticmethod
    def _unauthorized(conn: StationLink) -> Response:
        response = conn.protocol.reject(HTTPStatus.UNAUTHORIZED, "bad credentials\n")
        response.headers["WWW-Authenticate"] = 'Basic realm="csms", charset="UTF-8"'
        return response

    async def _handle(self, conn: StationLink) -> None:
        station_id = conn.station_id
        assert station_id is not None  # admitted by _process_request
        session_class = SESSION_CLASSES[str(conn.subprotocol)]
        stations = self.services.stations
        registration = await stations.registration_status(station_id)
        session = session_class(station_id, conn, self.services, self.config, registration)
        await self.registry.attach(session)
        log.info("connected (%s) from %s", session.version, conn.remote_address,
                 extra={"station_id": station_id})
        try:
            await stations.connected(station_id, session.version)
            await session.run()
        finally:
            if self.registry.ended(session):
                stations.disconnected(station_id)
            log.info("disconnected (code %s)", conn.close_code, extra={"station_id": station_id})
