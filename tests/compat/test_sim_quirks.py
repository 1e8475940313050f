"""csms-sim --quirks: parsing, and what each payload quirk does to a CALL of either version."""

from __future__ import annotations

import pytest

from simulators import StationConfig
from simulators.cli import build_parser, configs
from simulators.quirks import EXTRA_FIELD, QUIRKS, Quirks, parse_quirks, token_suffix


def test_cli_takes_a_comma_list_of_quirks() -> None:
    args = build_parser().parse_args(["--quirks", "long-serial, no-pong", "--quirk-timezone",
                                      "Europe/Berlin"])
    cfg = configs(args)[0]
    assert cfg.quirks == {"long-serial", "no-pong"} and cfg.quirk_timezone == "Europe/Berlin"
    assert configs(build_parser().parse_args([]))[0].quirks == frozenset()


@pytest.mark.parametrize("bad", [["--quirks", "long-serial,flying"],
                                 ["--quirk-timezone", "Mars/Olympus"]])
def test_cli_refuses_unknown_quirks_and_zones(bad: list[str],
                                              capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(bad)
    assert "unknown" in capsys.readouterr().err


def test_every_quirk_has_a_name_and_config_checks_them() -> None:
    assert parse_quirks(",".join(QUIRKS)) == frozenset(QUIRKS)
    with pytest.raises(ValueError, match="unknown"):
        StationConfig(station_id="X", quirks=frozenset({"flying"}))


def quirks(*names: str) -> Quirks:
    return Quirks(frozenset(names), "CP-9", "Europe/Berlin")


def test_payload_quirks_1_6() -> None:
    boot = {"chargePointVendor": "V", "chargePointModel": "M", "chargePointSerialNumber": "S1"}
    out = quirks("long-serial", "extra-fields").outgoing("BootNotification", boot)
    assert len(out["chargePointSerialNumber"]) > 25 and EXTRA_FIELD in out
    start = {"connectorId": 1, "idTag": "TAG", "meterStart": 10,
             "timestamp": "2026-12-06T20:00:00.000Z"}
    out = quirks("string-numbers", "naive-time", "idtag-suffix").outgoing(
        "StartTransaction", start)
    assert out == {"connectorId": "1", "idTag": "TAG" + token_suffix("CP-9"),
                   "meterStart": "10", "timestamp": "2026-12-06T21:00:00.000"}
    assert start["idTag"] == "TAG"  # the station's own payload is left alone


def test_payload_quirks_2_0_1() -> None:
    ev = {"seqNo": 0, "offline": False, "idToken": {"idToken": "TAG", "type": "ISO14443"},
          "timestamp": "2026-07-01T10:00:00Z"}
    out = quirks("string-numbers", "naive-time", "idtag-suffix").outgoing(
        "TransactionEvent", ev)
    assert out["seqNo"] == "0" and out["offline"] is False  # booleans stay
    assert out["idToken"]["idToken"] == "TAG" + token_suffix("CP-9")
    assert out["timestamp"] == "2026-07-01T12:00:00.000"  # CEST
    boot = {"reason": "PowerUp", "chargingStation": {"model": "M", "vendorName": "V"}}
    assert len(quirks("long-serial").outgoing("BootNotification", boot)[
        "chargingStation"]["serialNumber"]) > 25
    assert quirks().outgoing("Heartbeat", {}) == {}
