"""Opening the OCPP websocket: URL, subprotocol, HTTP Basic auth and clear errors."""

from __future__ import annotations

import base64
from urllib.parse import quote

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidHandshake, InvalidStatus, InvalidURI
from websockets.typing import Subprotocol


class StationConnectError(ConnectionError):
    """The websocket could not be opened; ``fatal`` when retrying cannot help (401, 404...)."""

    def __init__(self, message: str, *, status: int | None = None, fatal: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.fatal = fatal


def station_url(base: str, station_id: str) -> str:
    """``{base}/{station_id}`` with the id percent-encoded as OCPP-J requires."""
    return f"{base.rstrip('/')}/{quote(station_id, safe='')}"


def basic_auth(station_id: str, password: str) -> str:
    """HTTP Basic header value for security profile 1 (user = station id)."""
    token = base64.b64encode(f"{station_id}:{password}".encode()).decode("ascii")
    return f"Basic {token}"


async def open_socket(
    base: str,
    station_id: str,
    subprotocol: str,
    *,
    password: str | None = None,
    open_timeout: float = 10.0,
) -> ClientConnection:
    """Open the station's websocket or raise StationConnectError with a readable reason."""
    uri = station_url(base, station_id)
    headers = {"Authorization": basic_auth(station_id, password)} if password else {}
    try:
        ws = await connect(
            uri,
            subprotocols=[Subprotocol(subprotocol)],
            additional_headers=headers,
            proxy=None,
            open_timeout=open_timeout,
            max_size=4 * 2**20,
        )
    except InvalidStatus as exc:
        code = exc.response.status_code
        hint = {401: " (bad or missing password?)", 403: " (station not allowed?)",
                404: " (wrong URL path or unknown station?)"}.get(code, "")
        raise StationConnectError(
            f"{uri}: handshake rejected with HTTP {code}{hint}", status=code, fatal=code < 500
        ) from exc
    except InvalidURI as exc:
        raise StationConnectError(f"{uri}: invalid URL ({exc})", fatal=True) from exc
    except (OSError, InvalidHandshake, TimeoutError) as exc:
        raise StationConnectError(f"{uri}: {exc or type(exc).__name__}") from exc
    if ws.subprotocol != subprotocol:
        await ws.close()
        raise StationConnectError(
            f"{uri}: server did not accept subprotocol {subprotocol!r} (got {ws.subprotocol!r})",
            fatal=True,
        )
    return ws
