"""Station messages kept as sent: the services read and write them only through the edge, and
what is kept (shown raw by the API's reports) keeps the form it had."""

from __future__ import annotations

from datetime import UTC, datetime

from csms.domain.reservations import ReservationStatus
from csms.domain.security import SecurityEvent
from csms.ocpp import kept_payloads
from csms.ocpp.v201 import translate as tr201

AT = datetime(2026, 12, 6, 23, 0, 5, 123456, tzinfo=UTC)


def test_a_kept_security_event_reads_back_typed() -> None:
    kept = kept_payloads.KeptSecurityEvents()
    data = {"type": "TamperDetectionActivated", "timestamp": "2026-12-06T23:00:00Z",
            "techInfo": "lid open"}
    assert kept.read(AT, data) == SecurityEvent("TamperDetectionActivated", AT, "lid open")
    # the stored time is the event's; what a station left out stays out
    assert kept.read(AT, {"type": "X"}) == SecurityEvent("X", AT, None)
    assert kept.read(AT, {"techInfo": 7}) == SecurityEvent("", AT, "7")


def test_csms_own_security_events_keep_the_form_of_a_stations() -> None:
    kept = kept_payloads.KeptSecurityEvents()
    data = kept.render(SecurityEvent("InvalidBasicAuthCredentials", AT, "3 wrong"))
    assert data == {"type": "InvalidBasicAuthCredentials", "timestamp": AT.isoformat(),
                    "techInfo": "3 wrong"}
    assert list(data) == ["type", "timestamp", "techInfo"]
    assert kept.render(SecurityEvent("X", AT)) == {"type": "X", "timestamp": AT.isoformat()}
    assert kept.read(AT, data) == SecurityEvent("InvalidBasicAuthCredentials", AT, "3 wrong")


def test_an_ev_schedule_names_its_evse() -> None:
    kept = kept_payloads.KeptEvSchedules()
    assert kept.evse_id({"evseId": 2, "timeBase": "2026-12-06T23:00:00Z"}) == 2
    assert kept.evse_id({}) == 0


def test_a_data_transfer_is_kept_with_what_the_station_named() -> None:
    assert kept_payloads.data_transfer({"vendorId": "com.acme"}) == {"vendorId": "com.acme"}
    full = {"vendorId": "com.acme", "messageId": "T", "data": {"c": 21}}
    assert kept_payloads.data_transfer(full | {"customData": {"vendorId": "x"}}) == full
    assert kept_payloads.data_transfer({"vendorId": "v", "messageId": None, "data": None}) == {
        "vendorId": "v"}
    assert kept_payloads.data_transfer({"vendorId": "v", "data": ""}) == {
        "vendorId": "v", "data": ""}


def test_a_reservation_status_update_means_expired_or_cancelled() -> None:
    assert tr201.reservation_status("Expired") == ReservationStatus.EXPIRED
    assert tr201.reservation_status("Removed") == ReservationStatus.CANCELLED
