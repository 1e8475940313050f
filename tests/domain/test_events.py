"""Domain events: each type has a stable name and survives the relay's JSON unchanged; the
event stream's `data:` keeps the fields it always had."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from csms.domain import events as ev
from csms.domain.model import Transaction

AT = datetime(2026, 12, 6, 20, 0, 0, 123000, tzinfo=UTC)

ONE_OF_EACH: list[ev.Event] = [
    ev.StationConnected("S1", "ocpp2.0.1", "site-1"),
    ev.StationDisconnected("S1"),
    ev.StationBooted("S1", "Accepted", "V", "M", "1.0", "PowerUp", None),
    ev.ConnectorStatusChanged("S1", 1, 1, "Charging", None),
    ev.SecurityEventReceived("S1", "FirmwareUpdated", AT, "info"),
    ev.CapabilitiesProbed("S1", True, ["A", "W"], 24),
    ev.DeviceReportCompleted("S1", 7, "full", 3),
    ev.DeviceEventsNotified("S1", 2),
    ev.TransactionStarted("S1", "tx-1", 1, 1, 0.0, "TAG", None, None),
    ev.TransactionUpdated("S1", "tx-1", 1, 1, 123.5, "TAG", None, None),
    ev.TransactionStopped("S1", "tx-1", 1, 1, 500.0, "TAG", AT, "Local"),
    ev.PreferencesChanged("S1", "tx-1", "green"),
    ev.PreferencesChanged("S1", "tx-1"),
    ev.ReservationChanged("S1", 4, 1, "TAG", "Accepted", None),
    ev.IdTokensChanged("", "TAG"),
    ev.SiteChanged("", "site-1"),
    ev.ReadingsAdded("", "site-1", "pv"),
    ev.ForecastPosted("", "site-1", "pv"),
    ev.GuardFailed("", "site-1", datetime(2026, 12, 8, 12, tzinfo=UTC), 63.2, 45.0),
    ev.ChargingDefaultsChanged("", "fleet"),
    ev.StationMeteringSet("S1", "site-1", 3, {"sample_interval_s": "Accepted"}),
    ev.MeteringPolicyChanged("", "site-1", 3),
]


def test_every_type_is_covered_and_named_once() -> None:
    assert {type(e) for e in ONE_OF_EACH} == set(ev.event_types().values())


@pytest.mark.parametrize("event", ONE_OF_EACH, ids=lambda e: e.type)
def test_json_round_trip(event: ev.Event) -> None:
    wire = json.loads(json.dumps(event.to_json()))
    assert ev.event_from_json(event.type, event.station_id, wire) == event


def test_stream_data_keeps_todays_fields() -> None:
    """What subscribers of the event stream have always read, field for field."""
    stopped = ev.TransactionStopped("S1", "tx-1", 1, 1, 500.0, "TAG", AT, "Local")
    assert stopped.to_json() == {
        "id": "tx-1", "evse_id": 1, "connector_id": 1, "energy_wh": 500.0, "id_token": "TAG",
        "stopped_at": "2026-12-06T20:00:00.123000+00:00", "stop_reason": "Local"}
    assert ev.SecurityEventReceived("S1", "X", AT, None).to_json() == {
        "type": "X", "timestamp": AT.isoformat(), "tech_info": None}
    assert ev.PreferencesChanged("S1", "tx-1").to_json() == {"id": "tx-1"}
    assert ev.StationDisconnected("S1").to_json() == {}


def test_unknown_types_and_bad_fields_are_refused() -> None:
    with pytest.raises(ev.BadEvent):
        ev.event_from_json("station.teleported", "S1", {})
    with pytest.raises(ev.BadEvent):
        ev.event_from_json("device.events", "S1", {})


def test_transaction_events_of_a_transaction() -> None:
    tx = Transaction(pk=9, station_id="S1", transaction_id="tx-1", evse_id=2, connector_id=1,
                     id_token="TAG", started_at=AT, stopped_at=AT, stop_reason="Local",
                     energy_wh=12.5)
    made = ev.TransactionStopped.of(tx)
    assert made == ev.TransactionStopped("S1", "tx-1", 2, 1, 12.5, "TAG", AT, "Local")
    assert made.transaction_id == "tx-1" and made.type == "transaction.stopped"
    with pytest.raises(AttributeError):  # frozen, as if built by its __init__
        made.energy_wh = 0.0  # type: ignore[misc]
