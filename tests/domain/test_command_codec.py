"""Typed commands and results as data and back (the API's bodies and answers, the cluster's
relay): every field survives a trip through JSON, internal fields stay out of the API's
answer, and a charging profile arriving as data is checked as the API checks it."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from csms.domain.charging_profiles import ChargingProfile, SchedulePeriod
from csms.domain.commands import COMMAND_TYPES, api_commands, from_data, to_data
from csms.domain.commands.authorization import LocalListEntry, SendLocalList
from csms.domain.commands.charging import SetChargingProfile
from csms.domain.commands.configuration import ConfigurationResult, ConfigurationValue
from csms.domain.commands.device import MonitorSpec, SetVariableMonitoring
from csms.domain.commands.station import RemoteStartResult
from csms.domain.device import VarKey
from csms.domain.errors import InvalidInput

AT = datetime(2026, 6, 21, 12, tzinfo=UTC)


def _trip(value: object) -> object:
    return from_data(type(value), json.loads(json.dumps(to_data(value))))


@pytest.mark.parametrize("command", [
    SetChargingProfile(ChargingProfile("tx_default", 2, "W", (
        SchedulePeriod(0, 11000.0), SchedulePeriod(600, 7000.0, 1)), valid_from=AT), 1),
    SendLocalList(3, "differential", (LocalListEntry("A", expires_at=AT, group_id="G"),
                                      LocalListEntry("B"))),
    SetVariableMonitoring([MonitorSpec("EVSE", "Power", "Delta", 1.5, 2, evse_id=1, id=4)]),
])
def test_commands_survive_the_trip(command: object) -> None:
    assert _trip(command) == command


def test_results_keep_typed_keys_between_nodes_but_not_in_the_answer() -> None:
    key = VarKey("TxCtrlr", "EVConnectionTimeOut", "Main", 1)
    result = ConfigurationResult("Accepted", [ConfigurationValue(
        "TxCtrlr.EVConnectionTimeOut", "45", None, key)], ["X.Y"], [VarKey("X", "Y")])
    assert _trip(result) == result
    assert to_data(result, public=True) == {
        "status": "Accepted", "unknown_keys": ["X.Y"], "configuration": [
            {"key": "TxCtrlr.EVConnectionTimeOut", "value": "45", "readonly": None}]}


def test_what_the_station_did_not_say_is_left_out() -> None:
    assert to_data(RemoteStartResult("Accepted")) == {"status": "Accepted"}
    assert to_data(RemoteStartResult("Accepted", remote_start_id=7)) == {
        "status": "Accepted", "remote_start_id": 7}


def test_a_profile_arriving_as_data_is_checked() -> None:
    with pytest.raises(InvalidInput, match="transaction_id"):
        from_data(SetChargingProfile, {"evse_id": 1, "profile": {
            "purpose": "tx", "stack_level": 0, "unit": "A",
            "periods": [{"start_s": 0, "limit": 16}]}})


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(TypeError, match="no field"):
        from_data(SendLocalList, {"version": 1, "update": "full", "extra": 1})


def test_the_registry_names_each_command_once() -> None:
    assert all(typed.name == name for name, typed in COMMAND_TYPES.items())
    assert set(api_commands()) < set(COMMAND_TYPES)  # capability probes have no route
