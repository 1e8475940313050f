"""Each repair of a lenient station's payload, on the official schemas, and the token rule."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import pytest

from csms.domain.compatibility import CompatibilityProfile, normalised_token
from csms.domain.errors import InvalidInput
from csms.ocpp import schemas
from csms.ocpp.errors import V16, V201, OcppCallError
from csms.ocpp.leniency import repair

CALL = 2


def fixed(version: str, action: str, payload: dict[str, Any], *, lenient: bool = True,
          zone: str | None = None) -> tuple[dict[str, Any], list[str]]:
    schema = schemas.document(version, CALL, action)
    assert schema is not None
    out, findings = repair(schema, payload, lenient=lenient,
                           zone=ZoneInfo(zone) if zone else None)
    return out, [f"{f.path}: {f.message}" for f in findings]


BOOT_16 = {"chargePointVendor": "ACME", "chargePointModel": "X1",
           "chargePointSerialNumber": "S" * 40}


def test_an_over_long_string_is_cut_to_the_schema_limit() -> None:
    with pytest.raises(OcppCallError):
        schemas.validate(V16, CALL, "BootNotification", BOOT_16)
    out, found = fixed(V16, "BootNotification", BOOT_16)
    assert out["chargePointSerialNumber"] == "S" * 25
    assert found == ["/chargePointSerialNumber: longer than the 25 characters allowed, cut"]
    schemas.validate(V16, CALL, "BootNotification", out)


def test_an_unknown_field_is_dropped_where_the_schema_allows_none() -> None:
    payload = {"reason": "PowerUp", "chargingStation": {"model": "X", "vendorName": "V",
                                                        "color": "red"}, "extra": 1}
    out, found = fixed(V201, "BootNotification", payload)
    assert out == {"reason": "PowerUp", "chargingStation": {"model": "X", "vendorName": "V"}}
    assert sorted(found) == ["/chargingStation/color: unknown field ignored",
                             "/extra: unknown field ignored"]
    schemas.validate(V201, CALL, "BootNotification", out)


def test_custom_data_stays_open() -> None:
    """2.0.1 customData allows any property: nothing of it is an unknown field."""
    payload = {"customData": {"vendorId": "acme", "anything": [1, 2]}}
    out, found = fixed(V201, "Heartbeat", payload)
    assert out == payload and found == []


def test_numbers_and_booleans_sent_as_strings_are_read() -> None:
    payload = {"connectorId": "1", "idTag": "T", "meterStart": "1234", "timestamp":
               "2026-06-01T10:00:00Z", "reservationId": " 7 "}
    out, found = fixed(V16, "StartTransaction", payload)
    assert (out["connectorId"], out["meterStart"], out["reservationId"]) == (1, 1234, 7)
    assert len(found) == 3
    schemas.validate(V16, CALL, "StartTransaction", out)
    ev = {"eventType": "Updated", "timestamp": "2026-06-01T10:00:00Z", "triggerReason":
          "MeterValuePeriodic", "seqNo": "3", "offline": "false",
          "transactionInfo": {"transactionId": "t1"},
          "meterValue": [{"timestamp": "2026-06-01T10:00:00Z",
                          "sampledValue": [{"value": "1234.5"}]}]}
    out, found = fixed(V201, "TransactionEvent", ev)
    assert out["seqNo"] == 3 and out["offline"] is False
    assert out["meterValue"][0]["sampledValue"][0]["value"] == 1234.5
    schemas.validate(V201, CALL, "TransactionEvent", out)


def test_what_is_no_number_is_left_for_validation_to_refuse() -> None:
    payload = {"connectorId": "one", "idTag": "T", "meterStart": "1.5",
               "timestamp": "2026-06-01T10:00:00Z"}
    out, found = fixed(V16, "StartTransaction", payload)
    assert out["connectorId"] == "one" and out["meterStart"] == "1.5" and found == []
    with pytest.raises(OcppCallError) as e:
        schemas.validate(V16, CALL, "StartTransaction", out)
    assert e.value.code == "TypeConstraintViolation"


def test_a_number_where_a_string_is_due_is_written_as_one() -> None:
    payload = {"connectorId": 1, "meterValue": [{"timestamp": "2026-06-01T10:00:00Z",
                                                 "sampledValue": [{"value": 1234.5}]}]}
    out, found = fixed(V16, "MeterValues", payload)
    assert out["meterValue"][0]["sampledValue"][0]["value"] == "1234.5"
    assert found == ["/meterValue/0/sampledValue/0/value: number sent where a string is due"]


def test_an_enumeration_in_the_wrong_case_takes_the_schema_spelling() -> None:
    payload = {"connectorId": 1, "errorCode": "noerror", "status": "CHARGING"}
    out, found = fixed(V16, "StatusNotification", payload)
    assert (out["errorCode"], out["status"]) == ("NoError", "Charging")
    assert len(found) == 2


def test_a_naive_timestamp_is_taken_in_the_zone() -> None:
    payload = {"connectorId": 1, "errorCode": "NoError", "status": "Available",
               "timestamp": "2026-06-01T12:00:00"}
    out, found = fixed(V16, "StatusNotification", payload, lenient=False, zone="Europe/Berlin")
    assert out["timestamp"] == "2026-06-01T10:00:00.000Z"  # CEST is UTC+2
    assert found == ["/timestamp: timestamp without an offset, taken as Europe/Berlin"]
    out, found = fixed(V16, "StatusNotification", payload, zone=None)  # lenient: UTC
    assert out["timestamp"] == "2026-06-01T12:00:00.000Z" and len(found) == 1


def test_strict_repairs_nothing_but_zoned_timestamps() -> None:
    payload = dict(BOOT_16, extra=True)
    out, found = fixed(V16, "BootNotification", payload, lenient=False)
    assert out == payload and found == []
    ts = {"connectorId": 1, "errorCode": "NoError", "status": "Available",
          "timestamp": "2026-06-01T12:00:00"}
    assert fixed(V16, "StatusNotification", ts, lenient=False) == (ts, [])
    aware = dict(ts, timestamp="2026-06-01T12:00:00+02:00")
    assert fixed(V16, "StatusNotification", aware, zone="Asia/Tokyo") == (aware, [])


def test_nested_2_0_1_definitions_are_followed() -> None:
    payload = {"idToken": {"idToken": "X" * 40, "type": "iso14443", "junk": 1}}
    out, found = fixed(V201, "Authorize", payload)
    assert out == {"idToken": {"idToken": "X" * 36, "type": "ISO14443"}}
    assert len(found) == 3


@pytest.mark.parametrize(("pattern", "sent", "real"), [
    (r"^(.*)-[0-9A-F]{4}$", "TOKEN1-1A2B", "TOKEN1"),  # the first group
    (r"-[0-9A-F]{4}$", "TOKEN1-1A2B", "TOKEN1"),  # no group: the match is stripped
    (r"^(.*)-[0-9A-F]{4}$", "TOKEN1", "TOKEN1"),  # no match: as sent
    (r"^0*(.*)$", "0000", "0000"),  # nothing left: as sent
    (None, "TOKEN1-1A2B", "TOKEN1-1A2B"),
])
def test_id_token_normalisation(pattern: str | None, sent: str, real: str) -> None:
    assert normalised_token(pattern, sent) == real


def test_a_profile_refuses_a_bad_zone_or_pattern() -> None:
    with pytest.raises(InvalidInput, match="time zone"):
        CompatibilityProfile(timezone="Mars/Olympus")
    with pytest.raises(InvalidInput, match="regular expression"):
        CompatibilityProfile(id_token_pattern="(unclosed")
    assert not CompatibilityProfile().rewrites
    assert CompatibilityProfile(timezone="UTC").zone is not None
