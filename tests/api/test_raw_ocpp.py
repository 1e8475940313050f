"""POST /stations/{id}/ocpp/{Action}: a raw call in the station's own version."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.api.support import assert_detail, command
from tests.helpers import RawStation

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture
def api(shared_api: httpx.AsyncClient) -> httpx.AsyncClient:
    return shared_api


async def _nothing_sent(api: httpx.AsyncClient, st: RawStation, sid: str) -> None:
    frame, r = await command(api, st, f"/stations/{sid}/ocpp/ClearCache", {},
                             {"status": "Accepted"})
    assert frame[2:] == ["ClearCache", {}], frame
    assert r.json() == {"status": "Accepted"}


async def test_valid_call_returns_the_station_payload_16(api: httpx.AsyncClient,
                                                         st16: RawStation) -> None:
    reply = {"configurationKey": [{"key": "MeterValueSampleInterval", "readonly": False,
                                   "value": "60"}], "unknownKey": ["Zzz"]}
    frame, r = await command(api, st16, "/stations/C16/ocpp/GetConfiguration",
                             {"key": ["MeterValueSampleInterval", "Zzz"]}, reply)
    assert frame[0] == 2 and isinstance(frame[1], str)
    assert frame[2:] == ["GetConfiguration", {"key": ["MeterValueSampleInterval", "Zzz"]}]
    assert r.status_code == 200, r.text
    assert r.json() == reply


async def test_valid_call_returns_the_station_payload_201(api: httpx.AsyncClient,
                                                          st201: RawStation) -> None:
    payload = {"reportBase": "FullInventory", "requestId": 7}
    frame, r = await command(api, st201, "/stations/C201/ocpp/GetBaseReport", payload,
                             {"status": "Accepted"})
    assert frame[2:] == ["GetBaseReport", payload]
    assert r.status_code == 200, r.text
    assert r.json() == {"status": "Accepted"}


async def test_16_decimal_limits_are_accepted(api: httpx.AsyncClient, st16: RawStation) -> None:
    """1.6 schedules declare multipleOf 0.1: 21.4 must pass validation and arrive unchanged."""
    payload = {"connectorId": 1, "csChargingProfiles": {
        "chargingProfileId": 3, "stackLevel": 0, "chargingProfilePurpose": "TxDefaultProfile",
        "chargingProfileKind": "Absolute", "chargingSchedule": {
            "chargingRateUnit": "A", "startSchedule": "2026-06-21T08:00:00Z",
            "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 21.4}]}}}
    frame, r = await command(api, st16, "/stations/C16/ocpp/SetChargingProfile", payload,
                             {"status": "Accepted"})
    assert frame[3] == payload
    assert r.json() == {"status": "Accepted"}


@pytest.mark.parametrize(("sid", "action", "payload"), [
    ("C16", "Reset", {"type": "Medium"}),
    ("C16", "Reset", {}),
    ("C16", "Reset", {"type": "Hard", "extra": 1}),
    ("C16", "RemoteStartTransaction", {"idTag": "x" * 21}),
    ("C16", "ChangeAvailability", {"connectorId": "one", "type": "Operative"}),
    ("C201", "Reset", {"type": "Hard"}),  # 1.6 value, not a 2.0.1 one
    ("C201", "GetVariables", {"getVariableData": []}),
    ("C201", "RequestStartTransaction", {"idToken": {"idToken": "T", "type": "Central"}}),
])
async def test_schema_invalid_payload_is_422_and_nothing_sent(
        api: httpx.AsyncClient, stations: tuple[RawStation, RawStation], sid: str, action: str,
        payload: dict[str, Any]) -> None:
    st = stations[0] if sid == "C16" else stations[1]
    detail = assert_detail(await api.post(f"/stations/{sid}/ocpp/{action}", json=payload), 422)
    assert action in str(detail)
    await _nothing_sent(api, st, sid)


@pytest.mark.parametrize(("sid", "action"), [
    ("C16", "FooBar"),
    ("C16", "RequestStartTransaction"),  # 2.0.1 only
    ("C16", "BootNotification"),  # station -> CSMS only
    ("C201", "RemoteStartTransaction"),  # 1.6 only
    ("C201", "GetConfiguration"),
])
async def test_unknown_action_for_the_version_is_422(
        api: httpx.AsyncClient, stations: tuple[RawStation, RawStation], sid: str,
        action: str) -> None:
    st = stations[0] if sid == "C16" else stations[1]
    r = await api.post(f"/stations/{sid}/ocpp/{action}", json={})
    assert_detail(r, 422)
    await _nothing_sent(api, st, sid)


@pytest.mark.parametrize("action", ["Re-set", "Reset%20", "x" * 65, "Reset.json"])
async def test_malformed_action_names_are_rejected(api: httpx.AsyncClient, st16: RawStation,
                                                   action: str) -> None:
    r = await api.post(f"/stations/C16/ocpp/{action}", json={"type": "Soft"})
    assert_detail(r, 404, 422)
    await _nothing_sent(api, st16, "C16")


@pytest.mark.parametrize("body", [b"[]", b'"Reset"', b"null", b"{", b""])
async def test_payload_must_be_a_json_object(api: httpx.AsyncClient, st16: RawStation,
                                             body: bytes) -> None:
    r = await api.post("/stations/C16/ocpp/ClearCache", content=body,
                       headers={"content-type": "application/json"})
    assert_detail(r, 422)
    await _nothing_sent(api, st16, "C16")


async def test_callerror_is_502_with_its_code(api: httpx.AsyncClient, st201: RawStation) -> None:
    _, r = await command(api, st201, "/stations/C201/ocpp/ClearCache", {},
                         error=("SecurityError", "not you"))
    detail = assert_detail(r, 502)
    assert detail == {"error_code": "SecurityError", "description": "not you",
                      "details": {"hint": "from test"}}


async def test_reply_breaking_the_schema_is_passed_through(api: httpx.AsyncClient,
                                                           st16: RawStation) -> None:
    """Raw calls return what the station said, even when it breaks the schema."""
    _, r = await command(api, st16, "/stations/C16/ocpp/ClearCache", {},
                         {"status": "Maybe", "vendorExtra": 1})
    assert r.status_code == 200, r.text
    assert r.json() == {"status": "Maybe", "vendorExtra": 1}


@pytest.mark.parametrize(("path", "raw"), [
    ("/stations/C201/ocpp/DataTransfer", b'{"vendorId": "v", "data": Infinity}'),
    ("/stations/C201/ocpp/DataTransfer", b'{"vendorId": "v", "data": {"x": [NaN]}}'),
    ("/stations/C201/commands/data-transfer", b'{"vendor_id": "v", "data": {"x": NaN}}'),
    ("/stations/C201/commands/data-transfer", b'{"vendor_id": "v", "data": -Infinity}'),
])
async def test_nan_is_not_sent_to_stations(api: httpx.AsyncClient, st201: RawStation, path: str,
                                           raw: bytes) -> None:
    """Python's JSON parser accepts NaN; a station must never get a frame that is not JSON."""
    r = await api.post(path, content=raw, headers={"content-type": "application/json"})
    assert_detail(r, 422)
    await _nothing_sent(api, st201, "C201")
