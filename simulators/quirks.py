"""Charger quirks: what popular stations send that the OCPP schemas forbid, played on demand.

``--quirks long-serial,extra-fields,...`` (or ``StationConfig.quirks``) makes a simulated
station misbehave the way real chargers do, to test a CSMS's strict and lenient handling:

| quirk | what the station does |
| --- | --- |
| ``long-serial`` | BootNotification carries a serial number longer than the schema allows |
| ``extra-fields`` | every CALL carries a field its schema does not know |
| ``string-numbers`` | every number of a CALL is sent as a string (``"1"``, ``"230.5"``) |
| ``naive-time`` | timestamps are the station's local time without an offset (``quirk_timezone``) |
| ``idtag-suffix`` | the idTag / idToken carries a suffix, ``TOKEN-1A2B`` instead of ``TOKEN`` |
| ``skip-authorize`` | no Authorize before a session: the token is taken as cached |
| ``meter-reset`` | the energy register restarts at 0 for each transaction (see below) |
| ``no-pong`` | websocket pings are never answered |

``meter-reset``: the start of a transaction (1.6 meterStart, the energy register of the 2.0.1
Started event) still reports the lifetime counter; the values after it count from 0.

The payload quirks are applied after the station's own schema check, as the last step before
the frame leaves; the station's state (its token, its meter) stays the true one.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from websockets.asyncio.client import ClientConnection
from websockets.frames import Frame, Opcode

QUIRKS = ("long-serial", "extra-fields", "string-numbers", "naive-time", "idtag-suffix",
          "skip-authorize", "meter-reset", "no-pong")
LONG_SERIAL_SUFFIX = "-0123456789-ABCDEFGHIJ-LONG"  # 25 is the schemas' limit
EXTRA_FIELD = "vendorTelemetry"


def parse_quirks(text: str) -> frozenset[str]:
    """A comma list of quirk names; ValueError naming the unknown ones."""
    names = frozenset(q.strip() for q in text.split(",") if q.strip())
    unknown = sorted(names - set(QUIRKS))
    if unknown:
        raise ValueError(f"unknown quirk(s) {', '.join(unknown)}; choose from {', '.join(QUIRKS)}")
    return names


def token_suffix(station_id: str) -> str:
    """The station's idTag suffix: `-` and four hex digits, fixed per station."""
    return f"-{zlib.crc32(station_id.encode()) & 0xFFFF:04X}"


@dataclass(frozen=True)
class Quirks:
    enabled: frozenset[str]
    station_id: str
    timezone: str = "UTC"

    def __contains__(self, name: object) -> bool:
        return name in self.enabled

    def outgoing(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        """The CALL payload as this station really sends it."""
        if not self.enabled:
            return payload
        out: Any = payload
        if "long-serial" in self and action == "BootNotification":
            out = _long_serial(out)
        if "idtag-suffix" in self:
            out = _suffixed(out, token_suffix(self.station_id))
        if "naive-time" in self:
            out = _walk(out, lambda v: _naive(v, ZoneInfo(self.timezone))
                        if isinstance(v, str) else v)
        if "string-numbers" in self:
            out = _walk(out, lambda v: str(v) if isinstance(v, int | float)
                        and not isinstance(v, bool) else v)
        if "extra-fields" in self:
            out = {**out, EXTRA_FIELD: {"uptimeS": 4242, "board": "rev-C"}}
        return dict(out)


def mute_pongs(ws: ClientConnection) -> None:
    """Never answer a ping (as chargers whose websocket stack cannot)."""
    protocol = ws.protocol
    send = protocol.send_frame

    def send_frame(frame: Frame) -> None:
        if frame.opcode is not Opcode.PONG:
            send(frame)

    setattr(protocol, "send_frame", send_frame)  # noqa: B010 (an instance's method, on purpose)


def _long_serial(p: dict[str, Any]) -> dict[str, Any]:
    if "chargingStation" in p:  # 2.0.1
        cs = p["chargingStation"]
        return {**p, "chargingStation": {
            **cs, "serialNumber": str(cs.get("serialNumber", "SN")) + LONG_SERIAL_SUFFIX}}
    return {**p, "chargePointSerialNumber":
            str(p.get("chargePointSerialNumber", "SN")) + LONG_SERIAL_SUFFIX}


def _suffixed(p: dict[str, Any], suffix: str) -> dict[str, Any]:
    if isinstance(p.get("idTag"), str):  # 1.6
        return {**p, "idTag": p["idTag"] + suffix}
    token = p.get("idToken")
    if isinstance(token, dict) and isinstance(token.get("idToken"), str):  # 2.0.1
        return {**p, "idToken": {**token, "idToken": token["idToken"] + suffix}}
    return p


def _naive(text: str, zone: ZoneInfo) -> str:
    """A UTC timestamp (`...Z`) as the local wall time in `zone`, without an offset."""
    if not text.endswith("Z") or "T" not in text:
        return text
    try:
        at = datetime.fromisoformat(text[:-1] + "+00:00")
    except ValueError:
        return text
    return at.astimezone(zone).replace(tzinfo=None).isoformat(timespec="milliseconds")


def _walk(value: Any, leaf: Any) -> Any:
    if isinstance(value, dict):
        return {k: _walk(v, leaf) for k, v in value.items()}
    if isinstance(value, list):
        return [_walk(v, leaf) for v in value]
    return leaf(value)
