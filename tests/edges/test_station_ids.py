"""Station ids at the handshake: OCPP's identifierString, 1 to 48 characters, nothing else;
ids are escaped in the log."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from csms.app import CsmsServer
from csms.logs import FORMAT, EscapingFormatter
from csms.ocpp.server import BadStationId, station_id_from_path
from tests.conftest import api_client
from tests.helpers import RawStation

MODULE_LOOP = pytest.mark.asyncio(loop_scope="module")

GOOD = ["CP-1", "a", "Z" * 48, "*-_=:+|@.", "station.01", "EVB-P1234:5"]
BAD = {
    "CP%00": "NUL",
    "CP%0D%0AFORGED": "CR/LF (log forging)",
    "CP%0A": "LF",
    "CP%09": "tab",
    "CP%7F": "DEL",
    "CP%FF": "invalid UTF-8 (would decode to U+FFFD)",
    "CP%C3": "truncated UTF-8",
    "CP%C3%A9": "a letter outside identifierString",
    "CP%201": "space",
    "CP%2F1": "a decoded slash",
    "..": "dot-dot",
    "%2E%2E": "dot-dot, encoded",
    ".": "dot",
    "CP%23": "#",
    "CP%3F": "?",
    "CP%25": "%",
    "CP%5C": "backslash",
    "B" * 49: "too long",
    "%F0%9F%94%8C": "emoji",
}


@pytest.mark.parametrize("station_id", GOOD)
def test_identifier_strings_are_accepted(station_id: str) -> None:
    assert station_id_from_path(f"/ocpp/{station_id}") == station_id


@pytest.mark.parametrize("raw", sorted(BAD))
def test_anything_else_is_a_bad_station_id(raw: str) -> None:
    with pytest.raises(BadStationId):
        station_id_from_path(f"/ocpp/{raw}")


def test_two_invalid_raw_ids_are_not_one_station() -> None:
    """`%FF` and `%FE` both decode to U+FFFD with replacement: neither may be admitted."""
    for raw in ("CP%FF", "CP%FE"):
        with pytest.raises(BadStationId, match="UTF-8"):
            station_id_from_path(f"/ocpp/{raw}")


def test_other_paths_are_not_station_paths() -> None:
    assert station_id_from_path("/api/v1/health") is None
    assert station_id_from_path("/ocpp") is None


async def _status(server: CsmsServer, raw: str) -> int:
    with pytest.raises(InvalidStatus) as info:
        async with connect(f"ws://127.0.0.1:{server.ocpp_port}/ocpp/{raw}",
                           subprotocols=["ocpp1.6"]):  # type: ignore[list-item]
            pass
    return info.value.response.status_code


@MODULE_LOOP
async def test_bad_ids_get_400_at_the_handshake_and_register_nothing(
    accepting_server: CsmsServer, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, "csms.ocpp.server"):
        for raw in BAD:
            assert await _status(accepting_server, raw) == 400, BAD[raw]
    async with api_client(accepting_server) as api:
        ids = [s["id"] for s in (await api.get("/stations")).json()]
    assert ids == []
    assert "station id refused" in caplog.text


@MODULE_LOOP
async def test_good_id_with_every_allowed_sign_connects(accepting_server: CsmsServer) -> None:
    async with connect(f"ws://127.0.0.1:{accepting_server.ocpp_port}/ocpp/A*-_=:+|@.Z",
                       subprotocols=["ocpp1.6"]) as ws:  # type: ignore[list-item]
        await RawStation(ws).ok("Heartbeat", {})


def _line(**extra: Any) -> str:
    record = logging.LogRecord("csms", logging.WARNING, __file__, 1, "refused %s", ("x",), None)
    for key, value in extra.items():
        setattr(record, key, value)
    return EscapingFormatter(FORMAT).format(record)


def test_station_ids_and_messages_are_escaped_in_the_log() -> None:
    line = _line(station_id="CP\r\n2026-12-06 12:00:00 INFO csms [ADMIN] forged")
    assert "\n" not in line and "\r" not in line
    assert "[CP\\r\\n2026-12-06" in line
    record = logging.LogRecord("csms", logging.WARNING, __file__, 1, "id %s", ("a\nb\x00",), None)
    record.station_id = "-"
    assert EscapingFormatter(FORMAT).format(record).endswith("id a\\nb\\x00")
    assert _line(station_id="CP-1").endswith("[CP-1] refused x")
