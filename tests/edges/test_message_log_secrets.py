"""Secrets never reach the message log: passwords set through the API, one-time upload URLs,
credentials in other URLs and private keys are masked before frames are stored."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from csms.app import CsmsServer
from csms.ocpp.redaction import _MARKERS, MASK, may_hold_secret, redact_frame
from tests.api.support import command, register
from tests.conftest import ServerFactory, api_client
from tests.helpers import BOOT_16, BOOT_201, raw_station

NEW = "new-password-abcdefg"
RAW = {"1.6": "ocpp1.6", "2.0.1": "ocpp2.0.1"}
BOOT: dict[str, dict[str, Any]] = {"1.6": BOOT_16, "2.0.1": BOOT_201}


async def stored_frames(api: httpx.AsyncClient, station_id: str) -> str:
    r = await api.get(f"/stations/{station_id}/messages", params={"limit": 500})
    assert r.status_code == 200, r.text
    return json.dumps(r.json())


@pytest.mark.parametrize("protocol", ["1.6", "2.0.1"])
async def test_password_set_through_the_api_is_not_in_the_message_log(
    server_factory: ServerFactory, protocol: str
) -> None:
    server = await server_factory()
    sid = f"PW-{protocol}"
    async with api_client(server) as api:
        await register(api, sid)
        async with raw_station(server, sid, RAW[protocol]) as st:
            await st.ok("BootNotification", BOOT[protocol])
            reply = ({"status": "Accepted"} if protocol == "1.6" else {"setVariableResult": [{
                "attributeStatus": "Accepted", "component": {"name": "SecurityCtrlr"},
                "variable": {"name": "BasicAuthPassword"}}]})
            frame, r = await command(api, st, f"/stations/{sid}/password",
                                     {"password": NEW}, reply)
            assert r.status_code == 200, r.text
            sent = json.dumps(frame)
            assert NEW in sent or NEW.encode().hex() in sent  # the station did get it
            # and the set-configuration command with the same key
            key = "AuthorizationKey" if protocol == "1.6" else "SecurityCtrlr.BasicAuthPassword"
            await command(api, st, f"/stations/{sid}/commands/set-configuration",
                          {"key": key, "value": "abcdef0123456789"},
                          reply if protocol == "1.6" else {"setVariableResult": [{
                              "attributeStatus": "Accepted", "component": {"name": "x"},
                              "variable": {"name": "y"}}]})
        logged = await stored_frames(api, sid)
    assert NEW not in logged and NEW.encode().hex() not in logged
    assert "abcdef0123456789" not in logged
    assert MASK in logged
    assert ("AuthorizationKey" if protocol == "1.6" else "BasicAuthPassword") in logged


async def test_one_time_upload_url_is_not_in_the_message_log(server: CsmsServer) -> None:
    async with api_client(server) as api:
        await register(api, "UPL")
        async with raw_station(server, "UPL", "ocpp2.0.1") as st:
            await st.ok("BootNotification", BOOT_201)
            frame, r = await command(api, st, "/stations/UPL/commands/get-diagnostics", {},
                                     {"status": "Accepted", "filename": "x.log"})
            assert r.status_code == 200, r.text
        url = frame[3]["log"]["remoteLocation"]
        token = url.rstrip("/").split("/uploads/")[1].split("/")[0]
        logged = await stored_frames(api, "UPL")
    assert len(token) >= 16 and token not in logged
    assert "/uploads/***" in logged


def _call(action: str, payload: dict[str, Any]) -> str:
    return json.dumps([2, "1", action, payload])


SECRET_FRAMES = {
    "1.6 GetConfiguration reply": (json.dumps([3, "1", {"configurationKey": [
        {"key": "AuthorizationKey", "readonly": False, "value": "deadbeef99"},
        {"key": "HeartbeatInterval", "readonly": False, "value": "300"}]}]), "deadbeef99"),
    "2.0.1 GetVariables reply": (json.dumps([3, "1", {"getVariableResult": [{
        "attributeStatus": "Accepted", "attributeValue": "s3cr3t-pw",
        "component": {"name": "SecurityCtrlr"}, "variable": {"name": "BasicAuthPassword"}}]}]),
        "s3cr3t-pw"),
    "2.0.1 NotifyReport": (_call("NotifyReport", {"reportData": [{
        "component": {"name": "SecurityCtrlr"}, "variable": {"name": "BasicAuthPassword"},
        "variableAttribute": [{"value": "s3cr3t-pw"}]}]}), "s3cr3t-pw"),
    "2.0.1 SetNetworkProfile": (_call("SetNetworkProfile", {"configurationSlot": 1,
        "connectionData": {"apn": {"apn": "x", "apnPassword": "apn-pw-1", "simPin": 1234},
                           "vpn": {"server": "v", "user": "u", "group": "g",
                                   "password": "vpn-pw-1", "key": "vpn-key-1", "type": "IPSec"}}}),
        ("apn-pw-1", "1234", "vpn-pw-1", "vpn-key-1")),
    "1.6 UpdateFirmware with credentials": (_call("UpdateFirmware", {
        "location": "ftp://fw:ftp-pw-1@files.example/fw.bin", "retrieveDate": "x"}), "ftp-pw-1"),
    "signed URL": (_call("UpdateFirmware", {"firmware": {
        "location": "https://s3.example/fw.bin?X-Signature=sig-0001", "retrieveDateTime": "x"},
        "requestId": 1}), "sig-0001"),
    "private key": (_call("DataTransfer", {"vendorId": "v", "data": "-----BEGIN EC PRIVATE "
                          "KEY-----\nMHcCAQEEIKEY\n-----END EC PRIVATE KEY-----"}), "MHcCAQEEIKEY"),
}


@pytest.mark.parametrize("case", sorted(SECRET_FRAMES))
def test_secrets_are_masked(case: str) -> None:
    frame, secrets = SECRET_FRAMES[case]
    cleaned = redact_frame(frame)
    for secret in (secrets if isinstance(secrets, tuple) else (secrets,)):
        assert secret not in cleaned, cleaned
    json.loads(cleaned)


PLAIN = [
    _call("MeterValues", {"connectorId": 1, "meterValue": [{"timestamp": "t", "sampledValue": [
        {"value": "12", "location": "Outlet"}]}]}),
    json.dumps([3, "1", {"configurationKey": [{"key": "HeartbeatInterval", "value": "300"}]}]),
    _call("SetVariables", {"setVariableData": [{"attributeValue": "MasterPass",
        "component": {"name": "AuthCtrlr"}, "variable": {"name": "MasterPassGroupId"}}]}),
    "[2, not json, key",
]


@pytest.mark.parametrize("frame", PLAIN)
def test_frames_without_secrets_are_kept_byte_for_byte(frame: str) -> None:
    assert redact_frame(frame) == frame


@pytest.mark.parametrize("marker", _MARKERS)
def test_every_marker_in_any_case_sends_a_frame_to_be_parsed(marker: str) -> None:
    assert may_hold_secret(f'[2,"1","DataTransfer",{{"data":"{marker.upper()}"}}]')
    assert may_hold_secret(f'[2,"1","DataTransfer",{{"data":"x{marker}"}}]')
    assert not may_hold_secret('[2,"1","Heartbeat",{}]')
