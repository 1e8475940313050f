"""Charging-profile commands: the version-agnostic profile as each version's SetChargingProfile
(pure translation first, then end to end against raw stations), clear-charging-profile and
get-composite-schedule.
"""

from __future__ import annotations

import copy
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from csms.domain.charging_profiles import (
    PURPOSES,
    parse_profile,
    profile_id,
)
from csms.domain.commands import to_data
from csms.domain.errors import InvalidInput, StationBadReply
from csms.ocpp import schemas
from csms.ocpp.errors import V16, V201
from csms.ocpp.timestamps import parse
from csms.ocpp.v16 import profiles as p16
from csms.ocpp.v201 import profiles as p201
from tests.api.support import assert_detail, command
from tests.helpers import RawStation

pytestmark = pytest.mark.asyncio(loop_scope="module")

NOW = datetime(2026, 6, 21, 12, 0, 30, 250_000, tzinfo=UTC)
TX = {"purpose": "tx", "stack_level": 1, "unit": "W", "transaction_id": "42",
      "valid_from": "2026-06-21T12:00:00Z", "valid_to": "2026-06-21T20:00:00+02:00",
      "periods": [{"start_s": 0, "limit": 7400.06}, {"start_s": 900, "limit": 3680.0,
                                                     "phases": 1}]}
TX_ID = 10_001_001  # tx purpose, EVSE 1, stack level 1

WIRE_16 = {"connectorId": 1, "csChargingProfiles": {
    "chargingProfileId": TX_ID, "stackLevel": 1, "chargingProfilePurpose": "TxProfile",
    "chargingProfileKind": "Absolute", "transactionId": 42,
    "validFrom": "2026-06-21T12:00:00.000Z", "validTo": "2026-06-21T18:00:00.000Z",
    "chargingSchedule": {"startSchedule": "2026-06-21T12:00:00.000Z", "chargingRateUnit": "W",
                         "chargingSchedulePeriod": [
                             {"startPeriod": 0, "limit": 7400.0},
                             {"startPeriod": 900, "limit": 3680.0, "numberPhases": 1}]}}}
WIRE_201 = {"evseId": 1, "chargingProfile": {
    "id": TX_ID, "stackLevel": 1, "chargingProfilePurpose": "TxProfile",
    "chargingProfileKind": "Absolute", "transactionId": "42",
    "validFrom": "2026-06-21T12:00:00.000Z", "validTo": "2026-06-21T18:00:00.000Z",
    "chargingSchedule": [{"id": TX_ID, "startSchedule": "2026-06-21T12:00:00.000Z",
                          "chargingRateUnit": "W", "chargingSchedulePeriod": [
                              {"startPeriod": 0, "limit": 7400.0},
                              {"startPeriod": 900, "limit": 3680.0, "numberPhases": 1}]}]}}


def _profile(**changes: Any) -> dict[str, Any]:
    return copy.deepcopy(TX) | changes


def _both(profile: Any, evse_id: int | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The payload of each version, checked against its official schema."""
    w16, w201 = p16.to_wire(profile, evse_id, NOW), p201.to_wire(profile, evse_id, NOW)
    schemas.validate(V16, schemas.CALL, "SetChargingProfile", w16)
    schemas.validate(V201, schemas.CALL, "SetChargingProfile", w201)
    return w16, w201


# --- pure translation ----------------------------------------------------------------------

async def test_tx_profile_on_the_wire_of_each_version() -> None:
    assert _both(TX, 1) == (WIRE_16, WIRE_201)
    assert p16.to_wire(parse_profile(TX), 1, NOW) == WIRE_16  # a parsed profile works too


@pytest.mark.parametrize(("limit", "sent"), [
    (21.45, 21.4), (0.1 + 0.2, 0.3), (7.99, 7.9), (16, 16.0), (10.7, 10.7), (0, 0.0),
    (999_999_999.97, 999_999_999.9),
])
async def test_limits_are_cut_to_one_decimal(limit: float, sent: float) -> None:
    w16, w201 = _both(_profile(periods=[{"start_s": 0, "limit": limit}], min_rate=limit), 1)
    schedule16 = w16["csChargingProfiles"]["chargingSchedule"]
    assert schedule16["chargingSchedulePeriod"][0]["limit"] == sent
    assert schedule16["minChargingRate"] == sent
    assert w201["chargingProfile"]["chargingSchedule"][0]["chargingSchedulePeriod"][0]["limit"] \
        == sent


async def test_without_valid_from_the_schedule_starts_a_minute_ago() -> None:
    w16, w201 = _both(_profile(valid_from=None, valid_to=None), 2)
    profile16 = w16["csChargingProfiles"]
    assert "validFrom" not in profile16 and "validTo" not in profile16
    assert profile16["chargingSchedule"]["startSchedule"] == "2026-06-21T11:59:30.000Z"
    assert w201["chargingProfile"]["chargingSchedule"][0]["startSchedule"] \
        == "2026-06-21T11:59:30.000Z"
    assert w16["connectorId"] == w201["evseId"] == 2
    # the later periods still begin start_s after now: the lead is added to them
    assert profile16["chargingSchedule"]["chargingSchedulePeriod"] == [
        {"startPeriod": 0, "limit": 7400.0}, {"startPeriod": 960, "limit": 3680.0,
                                              "numberPhases": 1}]
    assert w201["chargingProfile"]["chargingSchedule"][0]["chargingSchedulePeriod"] \
        == profile16["chargingSchedule"]["chargingSchedulePeriod"]
    w16, _ = _both(_profile(valid_from=None, valid_to=None, duration_s=3600), 2)
    assert w16["csChargingProfiles"]["chargingSchedule"]["duration"] == 3660


@pytest.mark.parametrize(("recurrency", "start", "kind"), [
    ("daily", "2026-06-21T00:00:00.000Z", "Daily"),
    ("weekly", "2026-06-15T00:00:00.000Z", "Weekly"),  # NOW is a Sunday
])
async def test_recurring_profiles_start_at_midnight_utc(recurrency: str, start: str,
                                                       kind: str) -> None:
    profile = {"purpose": "tx_default", "stack_level": 0, "unit": "A", "recurrency": recurrency,
               "periods": [{"start_s": 0, "limit": 6}, {"start_s": 8 * 3600, "limit": 32}]}
    w16, w201 = _both(profile, None)
    for p, schedule in ((w16["csChargingProfiles"], w16["csChargingProfiles"]["chargingSchedule"]),
                        (w201["chargingProfile"], w201["chargingProfile"]["chargingSchedule"][0])):
        assert (p["chargingProfileKind"], p["recurrencyKind"]) == ("Recurring", kind)
        assert p["chargingProfilePurpose"] == "TxDefaultProfile"
        assert schedule["startSchedule"] == start
    assert w16["connectorId"] == w201["evseId"] == 0


async def test_tx_default_without_anchor_is_relative_and_station_max_goes_to_evse_0() -> None:
    w16, w201 = _both({"purpose": "tx_default", "stack_level": 0, "unit": "A", "duration_s": 3600,
                       "periods": [{"start_s": 0, "limit": 16}]}, 1)
    schedule = w16["csChargingProfiles"]["chargingSchedule"]
    assert w16["csChargingProfiles"]["chargingProfileKind"] == "Relative"
    assert "startSchedule" not in schedule and schedule["duration"] == 3600
    assert "startSchedule" not in w201["chargingProfile"]["chargingSchedule"][0]
    w16, w201 = _both({"purpose": "station_max", "stack_level": 0, "unit": "W",
                       "periods": [{"start_s": 0, "limit": 44000}]}, None)
    assert w16["connectorId"] == 0
    assert w16["csChargingProfiles"]["chargingProfilePurpose"] == "ChargePointMaxProfile"
    assert w201["evseId"] == 0
    assert w201["chargingProfile"]["chargingProfilePurpose"] == "ChargingStationMaxProfile"
    assert w201["chargingProfile"]["chargingProfileKind"] == "Absolute"


async def test_profile_ids_are_stable_and_distinct() -> None:
    ids = {(evse, purpose, level): profile_id(evse, purpose, level)
           for evse in (0, 1, 2, 9_999) for purpose in PURPOSES for level in (0, 1, 999)}
    assert len(set(ids.values())) == len(ids)
    assert max(ids.values()) < 2**31
    assert ids[(1, "tx", 0)] == profile_id(1, "tx", 0) == 10_001_000
    with pytest.raises(InvalidInput):
        profile_id(10_000, "tx", 0)


BAD_PROFILES: list[tuple[dict[str, Any], int | None, str]] = [
    (_profile(transaction_id=None), 1, "transaction_id"),
    (_profile(purpose="station_max"), 0, "transaction_id"),
    (_profile(transaction_id=42), 1, "transaction_id"),
    (_profile(transaction_id="x" * 37), 1, "transaction_id"),
    (_profile(periods=[]), 1, "periods"),
    (_profile(periods="fast"), 1, "periods"),
    (_profile(periods=[{"start_s": 60, "limit": 1}]), 1, "start_s 0"),
    (_profile(periods=[{"start_s": 0, "limit": 1}, {"start_s": 0, "limit": 2}]), 1, "ascending"),
    (_profile(periods=[{"start_s": 0, "limit": -1}]), 1, "limit"),
    (_profile(periods=[{"start_s": 0, "limit": float("nan")}]), 1, "limit"),
    (_profile(periods=[{"start_s": 0, "limit": "7"}]), 1, "limit"),
    (_profile(periods=[{"start_s": 0, "limit": 1, "phases": 4}]), 1, "phases"),
    (_profile(periods=[{"start_s": 0, "limit": 1, "colour": "red"}]), 1, "periods[0]"),
    (_profile(periods=[{"start_s": 0.5, "limit": 1}]), 1, "start_s"),
    (_profile(stack_level=True), 1, "stack_level"),
    (_profile(stack_level=1000), 1, "stack_level"),
    (_profile(purpose="max"), 1, "purpose"),
    (_profile(unit="kW"), 1, "unit"),
    (_profile(recurrency="hourly"), 1, "recurrency"),
    (_profile(valid_to="2026-06-21T11:00:00Z"), 1, "valid_to"),
    (_profile(valid_from="yesterday"), 1, "valid_from"),
    (_profile(duration_s=0), 1, "duration_s"),
    (_profile(duration_s=900), 1, "below 900"),
    (_profile(colour="red"), 1, "unknown"),
    ({"purpose": "tx", "unit": "W"}, 1, "missing"),
    (_profile(), None, "evse_id"),
    (_profile(), 0, "evse_id"),
    (_profile(purpose="tx_default", transaction_id=None,
              recurrency="daily", periods=[{"start_s": 0, "limit": 1},
                                           {"start_s": 86_400, "limit": 2}]), 1, "86400"),
    ({"purpose": "station_max", "stack_level": 0, "unit": "W",
      "periods": [{"start_s": 0, "limit": 1}]}, 3, "evse_id 0"),
]


@pytest.mark.parametrize(("profile", "evse_id", "why"), BAD_PROFILES,
                         ids=[f"bad-{i}" for i in range(len(BAD_PROFILES))])
async def test_bad_profiles_are_invalid_input(profile: Any, evse_id: int | None,
                                              why: str) -> None:
    for to_wire in (p16.to_wire, p201.to_wire):
        with pytest.raises(InvalidInput, match=re.escape(why)):
            to_wire(profile, evse_id, NOW)


async def test_16_needs_an_integer_transaction_id() -> None:
    with pytest.raises(InvalidInput, match="integer"):
        p16.to_wire(_profile(transaction_id="tx-7"), 1, NOW)
    assert p201.to_wire(_profile(transaction_id="tx-7"), 1, NOW)["chargingProfile"][
        "transactionId"] == "tx-7"


async def test_composite_schedules_in_the_agnostic_shape() -> None:
    reply16 = {"status": "Accepted", "connectorId": 1, "scheduleStart": "2026-06-21T12:00:00Z",
               "chargingSchedule": {"duration": 3600, "chargingRateUnit": "A",
                                    "chargingSchedulePeriod": [
                                        {"startPeriod": 0, "limit": 16},
                                        {"startPeriod": 600, "limit": 6.5, "numberPhases": 1}]}}
    expected = {"start": "2026-06-21T12:00:00.000Z", "unit": "A", "duration_s": 3600,
                "periods": [{"start_s": 0, "limit": 16.0},
                            {"start_s": 600, "limit": 6.5, "phases": 1}]}
    assert to_data(p16.composite_schedule(reply16)) == expected
    reply201 = {"status": "Accepted", "schedule": {
        "evseId": 1, "duration": 3600, "scheduleStart": "2026-06-21T14:00:00+02:00",
        "chargingRateUnit": "A", "chargingSchedulePeriod": reply16["chargingSchedule"][
            "chargingSchedulePeriod"]}}
    assert to_data(p201.composite_schedule(reply201)) == expected
    assert p16.composite_schedule({"status": "Rejected"}) is None
    assert p201.composite_schedule({"status": "Rejected"}) is None
    with pytest.raises(StationBadReply):
        p16.composite_schedule(reply16 | {"scheduleStart": "noon"})
    with pytest.raises(StationBadReply):
        p201.composite_schedule({"status": "Accepted",
                                 "schedule": reply201["schedule"] | {"scheduleStart": 5}})


# --- end to end ----------------------------------------------------------------------------

@pytest.fixture
def api(shared_api: httpx.AsyncClient) -> httpx.AsyncClient:
    return shared_api


async def _nothing_sent(api: httpx.AsyncClient, st: RawStation, station: str) -> None:
    """The next CALL the station sees is this probe: nothing was sent before it."""
    frame, r = await command(api, st, f"/stations/{station}/commands/clear-cache", None,
                             {"status": "Accepted"})
    assert frame[2] == "ClearCache", frame
    assert r.status_code == 200


async def test_set_charging_profile_16(api: httpx.AsyncClient, st16: RawStation) -> None:
    frame, r = await command(api, st16, "/stations/C16/commands/set-charging-profile",
                             {"evse_id": 1, "profile": TX}, {"status": "Accepted"})
    assert frame[2:] == ["SetChargingProfile", WIRE_16]
    assert r.status_code == 200, r.text
    assert r.json() == {"status": "Accepted", "profile_id": TX_ID}


async def test_set_charging_profile_201(api: httpx.AsyncClient, st201: RawStation) -> None:
    frame, r = await command(api, st201, "/stations/C201/commands/set-charging-profile",
                             {"evse_id": 1, "profile": TX},
                             {"status": "Rejected", "statusInfo": {"reasonCode": "TxNotFound"}})
    assert frame[2:] == ["SetChargingProfile", WIRE_201]
    assert r.status_code == 200, r.text
    assert r.json() == {"status": "Rejected", "reason": "TxNotFound", "profile_id": TX_ID}


async def test_a_new_profile_replaces_the_old_one(api: httpx.AsyncClient,
                                                  st201: RawStation) -> None:
    """Same EVSE, purpose and stack level: same id (the charger replaces); the schedule starts
    a minute before the command by default."""
    sent = []
    for level, limit in ((0, 16), (0, 10), (1, 10)):
        body = {"evse_id": 2, "profile": _profile(stack_level=level, valid_from=None,
                                                  valid_to=None, unit="A",
                                                  periods=[{"start_s": 0, "limit": limit}])}
        before = datetime.now(UTC)
        frame, r = await command(api, st201, "/stations/C201/commands/set-charging-profile",
                                 body, {"status": "Accepted"})
        assert r.json()["profile_id"] == frame[3]["chargingProfile"]["id"]
        start = parse(frame[3]["chargingProfile"]["chargingSchedule"][0]["startSchedule"])
        assert before - timedelta(seconds=62) <= start <= datetime.now(UTC) - timedelta(seconds=59)
        sent.append(frame[3]["chargingProfile"]["id"])
    assert sent[0] == sent[1] != sent[2]


async def test_station_max_defaults_to_evse_0(api: httpx.AsyncClient, st16: RawStation) -> None:
    body = {"profile": {"purpose": "station_max", "stack_level": 0, "unit": "W",
                        "periods": [{"start_s": 0, "limit": 22000}]}}
    frame, r = await command(api, st16, "/stations/C16/commands/set-charging-profile", body,
                             {"status": "NotSupported"})
    assert frame[3]["connectorId"] == 0
    assert frame[3]["csChargingProfiles"]["chargingProfilePurpose"] == "ChargePointMaxProfile"
    assert r.json() == {"status": "NotSupported", "profile_id": 30_000_000}


@pytest.mark.parametrize("body", [
    {},
    {"evse_id": 1},
    {"evse_id": -1, "profile": TX},
    {"evse_id": 1, "profile": _profile(purpose="max")},
    {"evse_id": 1, "profile": _profile(unit="kW")},
    {"evse_id": 1, "profile": _profile(periods=[])},
    {"evse_id": 1, "profile": _profile(periods=[{"start_s": 0, "limit": -5}])},
    {"evse_id": 1, "profile": _profile(periods=[{"start_s": 0, "limit": 5, "phases": 0}])},
    {"evse_id": 1, "profile": _profile(periods=[{"start_s": 30, "limit": 5}])},
    {"evse_id": 1, "profile": _profile(transaction_id=None)},
    {"evse_id": 1, "profile": _profile(transaction_id=42)},
    {"evse_id": 1, "profile": _profile(stack_level=-1)},
    {"evse_id": 1, "profile": _profile(extra=True)},
    {"evse_id": 1, "profile": _profile(valid_to="2026-01-01T00:00:00Z")},
    {"evse_id": 0, "profile": TX},
    {"profile": TX},
    {"evse_id": 2, "profile": {"purpose": "station_max", "stack_level": 0, "unit": "W",
                               "periods": [{"start_s": 0, "limit": 1}]}},
])
async def test_bad_set_charging_profile_is_422_and_nothing_is_sent(
        api: httpx.AsyncClient, stations: tuple[RawStation, RawStation],
        body: dict[str, Any]) -> None:
    for name, st in zip(("C16", "C201"), stations, strict=True):
        r = await api.post(f"/stations/{name}/commands/set-charging-profile", json=body)
        assert_detail(r, 422)
        await _nothing_sent(api, st, name)


async def test_16_cannot_express_a_text_transaction_id(api: httpx.AsyncClient,
                                                      st16: RawStation) -> None:
    r = await api.post("/stations/C16/commands/set-charging-profile",
                       json={"evse_id": 1, "profile": _profile(transaction_id="tx-7")})
    assert "integer" in assert_detail(r, 422)
    await _nothing_sent(api, st16, "C16")


async def test_set_charging_profile_callerror_is_502(
        api: httpx.AsyncClient, stations: tuple[RawStation, RawStation]) -> None:
    for name, st in zip(("C16", "C201"), stations, strict=True):
        frame, r = await command(api, st, f"/stations/{name}/commands/set-charging-profile",
                                 {"evse_id": 1, "profile": TX},
                                 error=("NotSupported", "no smart charging"))
        assert frame[2] == "SetChargingProfile"
        assert assert_detail(r, 502)["error_code"] == "NotSupported"


CLEAR: list[tuple[Any, dict[str, Any], dict[str, Any]]] = [
    ({"id": TX_ID}, {"id": TX_ID}, {"chargingProfileId": TX_ID}),
    ({"evse_id": 1, "purpose": "tx", "stack_level": 1},
     {"connectorId": 1, "chargingProfilePurpose": "TxProfile", "stackLevel": 1},
     {"chargingProfileCriteria": {"evseId": 1, "chargingProfilePurpose": "TxProfile",
                                  "stackLevel": 1}}),
    ({"purpose": "station_max"}, {"chargingProfilePurpose": "ChargePointMaxProfile"},
     {"chargingProfileCriteria": {"chargingProfilePurpose": "ChargingStationMaxProfile"}}),
    (None, {}, {}),
]


@pytest.mark.parametrize(("body", "sent16", "sent201"), CLEAR)
async def test_clear_charging_profile(api: httpx.AsyncClient, st16: RawStation,
                                      st201: RawStation, body: Any, sent16: dict[str, Any],
                                      sent201: dict[str, Any]) -> None:
    frame, r = await command(api, st16, "/stations/C16/commands/clear-charging-profile", body,
                             {"status": "Unknown"})
    assert frame[2:] == ["ClearChargingProfile", sent16]
    assert r.json() == {"status": "Unknown"}
    frame, r = await command(api, st201, "/stations/C201/commands/clear-charging-profile", body,
                             {"status": "Accepted"})
    assert frame[2:] == ["ClearChargingProfile", sent201]
    assert r.json() == {"status": "Accepted"}


@pytest.mark.parametrize("body", [{"purpose": "tx_max"}, {"id": -1}, {"evse_id": "one"},
                                  {"stack_level": 1, "colour": "red"}])
async def test_bad_clear_charging_profile_is_422(api: httpx.AsyncClient, st16: RawStation,
                                                 body: Any) -> None:
    assert_detail(await api.post("/stations/C16/commands/clear-charging-profile", json=body), 422)
    await _nothing_sent(api, st16, "C16")


async def test_get_composite_schedule_16(api: httpx.AsyncClient, st16: RawStation) -> None:
    reply = {"status": "Accepted", "connectorId": 1, "scheduleStart": "2026-06-21T12:00:00Z",
             "chargingSchedule": {"chargingRateUnit": "W", "chargingSchedulePeriod": [
                 {"startPeriod": 0, "limit": 7400.0}]}}
    frame, r = await command(api, st16, "/stations/C16/commands/get-composite-schedule",
                             {"evse_id": 1, "duration_s": 3600, "unit": "W"}, reply)
    assert frame[2:] == ["GetCompositeSchedule",
                         {"connectorId": 1, "duration": 3600, "chargingRateUnit": "W"}]
    assert r.status_code == 200, r.text
    assert r.json() == {"status": "Accepted", "schedule": {
        "start": "2026-06-21T12:00:00.000Z", "unit": "W", "duration_s": None,
        "periods": [{"start_s": 0, "limit": 7400.0}]}}
    frame, r = await command(api, st16, "/stations/C16/commands/get-composite-schedule",
                             {"evse_id": 0, "duration_s": 60}, {"status": "Rejected"})
    assert frame[3] == {"connectorId": 0, "duration": 60}
    assert r.json() == {"status": "Rejected", "schedule": None}


async def test_get_composite_schedule_201(api: httpx.AsyncClient, st201: RawStation) -> None:
    reply = {"status": "Accepted", "schedule": {
        "evseId": 2, "duration": 600, "scheduleStart": "2026-06-21T12:00:00.000Z",
        "chargingRateUnit": "A", "chargingSchedulePeriod": [
            {"startPeriod": 0, "limit": 16, "numberPhases": 3},
            {"startPeriod": 300, "limit": 8}]}}
    frame, r = await command(api, st201, "/stations/C201/commands/get-composite-schedule",
                             {"evse_id": 2, "duration_s": 600, "unit": "A"}, reply)
    assert frame[2:] == ["GetCompositeSchedule",
                         {"evseId": 2, "duration": 600, "chargingRateUnit": "A"}]
    assert r.json() == {"status": "Accepted", "schedule": {
        "start": "2026-06-21T12:00:00.000Z", "unit": "A", "duration_s": 600,
        "periods": [{"start_s": 0, "limit": 16.0, "phases": 3}, {"start_s": 300, "limit": 8.0}]}}
    _, r = await command(api, st201, "/stations/C201/commands/get-composite-schedule",
                         {"evse_id": 2, "duration_s": 600},
                         {"status": "Rejected", "statusInfo": {"reasonCode": "NoProfiles"}})
    assert r.json() == {"status": "Rejected", "reason": "NoProfiles", "schedule": None}


@pytest.mark.parametrize("body", [{}, {"evse_id": 1}, {"evse_id": 1, "duration_s": 0},
                                  {"evse_id": 1, "duration_s": 60, "unit": "kW"},
                                  {"duration_s": 60}])
async def test_bad_get_composite_schedule_is_422(api: httpx.AsyncClient, st201: RawStation,
                                                 body: Any) -> None:
    r = await api.post("/stations/C201/commands/get-composite-schedule", json=body)
    assert_detail(r, 422)
    await _nothing_sent(api, st201, "C201")


async def test_unusable_composite_schedule_is_502(
        api: httpx.AsyncClient, stations: tuple[RawStation, RawStation]) -> None:
    replies = ({"status": "Accepted", "chargingSchedule": {"chargingSchedulePeriod": []}},
               {"status": "Accepted", "schedule": {"scheduleStart": "2026-06-21T12:00:00Z"}})
    for name, st, reply in zip(("C16", "C201"), stations, replies, strict=True):
        _, r = await command(api, st, f"/stations/{name}/commands/get-composite-schedule",
                             {"evse_id": 1, "duration_s": 60}, reply)
        assert "get-composite-schedule" in str(assert_detail(r, 502))
