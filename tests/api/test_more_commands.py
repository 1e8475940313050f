"""Reservations, local lists, firmware and diagnostics as commands, in both versions; and every
contract command has its route, its body and a builder for each version.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from csms.api.routes.commands import BODIES
from csms.domain.commands import COMMAND_TYPES, api_commands
from csms.ocpp.v16.commands import EXCHANGES as EXCHANGES_16
from csms.ocpp.v201.commands import EXCHANGES as EXCHANGES_201
from tests.api.support import assert_detail, command
from tests.helpers import RawStation

# Every command is a dataclass with one exchange per version.
COMMANDS = set(api_commands())
COMMANDS_16 = {typed.name for typed in EXCHANGES_16 if typed.api}
COMMANDS_201 = {typed.name for typed in EXCHANGES_201 if typed.api}

pytestmark = pytest.mark.asyncio(loop_scope="module")

AT = "2026-06-21T14:00:00Z"
AT_WIRE = "2026-06-21T14:00:00.000Z"
FTP = "ftp://files.example.com/fw-2.1.bin"

Case = tuple[str, Any, str, dict[str, Any], dict[str, Any], dict[str, Any]]

# (command, body, expected action, expected payload, station reply, expected API reply)
CASES_16: list[Case] = [
    ("reserve-now", {"evse_id": 2, "id_token": "TAG1", "expires_at": "2026-06-21T16:00:00+02:00",
                     "reservation_id": 7, "group_id": "FLEET"},
     "ReserveNow", {"connectorId": 2, "expiryDate": AT_WIRE, "idTag": "TAG1",
                    "parentIdTag": "FLEET", "reservationId": 7},
     {"status": "Occupied"}, {"status": "Occupied", "reservation_id": 7}),
    ("reserve-now", {"connector_id": 1, "id_token": "TAG1", "expires_at": AT,
                     "reservation_id": 8, "id_token_type": "KeyCode"},
     "ReserveNow", {"connectorId": 1, "expiryDate": AT_WIRE, "idTag": "TAG1",
                    "reservationId": 8},
     {"status": "Accepted"}, {"status": "Accepted", "reservation_id": 8}),
    ("cancel-reservation", {"reservation_id": 7}, "CancelReservation", {"reservationId": 7},
     {"status": "Rejected"}, {"status": "Rejected"}),
    ("send-local-list", {"version": 3, "update": "full", "entries": [
        {"id_token": "A"}, {"id_token": "B", "status": "Blocked", "expires_at": AT,
                            "group_id": "G"}]},
     "SendLocalList", {"listVersion": 3, "updateType": "Full", "localAuthorizationList": [
         {"idTag": "A", "idTagInfo": {"status": "Accepted"}},
         {"idTag": "B", "idTagInfo": {"status": "Blocked", "expiryDate": AT_WIRE,
                                      "parentIdTag": "G"}}]},
     {"status": "Accepted"}, {"status": "Accepted"}),
    ("send-local-list", {"version": 4, "update": "differential", "entries": [
        {"id_token": "A"}, {"id_token": "C", "group_id": "G"}]},
     "SendLocalList", {"listVersion": 4, "updateType": "Differential",
                       "localAuthorizationList": [
                           {"idTag": "A"},
                           {"idTag": "C", "idTagInfo": {"status": "Accepted",
                                                        "parentIdTag": "G"}}]},
     {"status": "VersionMismatch"}, {"status": "VersionMismatch"}),
    ("send-local-list", {"version": 0, "update": "full"},
     "SendLocalList", {"listVersion": 0, "updateType": "Full", "localAuthorizationList": []},
     {"status": "NotSupported"}, {"status": "NotSupported"}),
    ("update-firmware", {"location": FTP, "retrieve_at": AT, "retries": 3,
                         "retry_interval_s": 120},
     "UpdateFirmware", {"location": FTP, "retrieveDate": AT_WIRE, "retries": 3,
                        "retryInterval": 120},
     {}, {"status": "Accepted"}),
    ("get-diagnostics", {"location": "ftp://logs.example.com/up/", "start": AT,
                         "stop": "2026-06-21T15:00:00Z", "retries": 1, "retry_interval_s": 30},
     "GetDiagnostics", {"location": "ftp://logs.example.com/up/", "startTime": AT_WIRE,
                        "stopTime": "2026-06-21T15:00:00.000Z", "retries": 1,
                        "retryInterval": 30},
     {"fileName": "diag-123.zip"}, {"status": "Accepted", "file_name": "diag-123.zip"}),
    ("get-diagnostics", {"location": "ftp://logs.example.com/up/"},
     "GetDiagnostics", {"location": "ftp://logs.example.com/up/"},
     {}, {"status": "Accepted", "file_name": None}),
]

CASES_201: list[Case] = [
    ("reserve-now", {"evse_id": 2, "id_token": "TAG1", "expires_at": AT, "reservation_id": 7,
                     "group_id": "FLEET"},
     "ReserveNow", {"id": 7, "expiryDateTime": AT_WIRE,
                    "idToken": {"idToken": "TAG1", "type": "ISO14443"}, "evseId": 2,
                    "groupIdToken": {"idToken": "FLEET", "type": "Central"}},
     {"status": "Accepted"}, {"status": "Accepted", "reservation_id": 7}),
    ("reserve-now", {"evse_id": 0, "id_token": "TAG1", "expires_at": AT, "reservation_id": 9,
                     "id_token_type": "eMAID"},
     "ReserveNow", {"id": 9, "expiryDateTime": AT_WIRE,
                    "idToken": {"idToken": "TAG1", "type": "eMAID"}},
     {"status": "Faulted", "statusInfo": {"reasonCode": "Broken"}},
     {"status": "Faulted", "reason": "Broken", "reservation_id": 9}),
    ("cancel-reservation", {"reservation_id": 7}, "CancelReservation", {"reservationId": 7},
     {"status": "Accepted"}, {"status": "Accepted"}),
    ("send-local-list", {"version": 3, "update": "full", "entries": [
        {"id_token": "A"}, {"id_token": "B", "id_token_type": "Local", "status": "Blocked",
                            "expires_at": AT, "group_id": "G"}]},
     "SendLocalList", {"versionNumber": 3, "updateType": "Full", "localAuthorizationList": [
         {"idToken": {"idToken": "A", "type": "ISO14443"},
          "idTokenInfo": {"status": "Accepted"}},
         {"idToken": {"idToken": "B", "type": "Local"},
          "idTokenInfo": {"status": "Blocked", "cacheExpiryDateTime": AT_WIRE,
                          "groupIdToken": {"idToken": "G", "type": "Central"}}}]},
     {"status": "Accepted"}, {"status": "Accepted"}),
    ("send-local-list", {"version": 4, "update": "differential",
                         "entries": [{"id_token": "A"}, {"id_token": "C", "status": "Invalid"}]},
     "SendLocalList", {"versionNumber": 4, "updateType": "Differential",
                       "localAuthorizationList": [
                           {"idToken": {"idToken": "A", "type": "ISO14443"}},
                           {"idToken": {"idToken": "C", "type": "ISO14443"},
                            "idTokenInfo": {"status": "Invalid"}}]},
     {"status": "Failed"}, {"status": "Failed"}),
    ("send-local-list", {"version": 5, "update": "full", "entries": []},
     "SendLocalList", {"versionNumber": 5, "updateType": "Full"},
     {"status": "Accepted"}, {"status": "Accepted"}),
]


def _without_job(reply: dict[str, Any]) -> dict[str, Any]:
    """Accepted firmware/log requests also name the job csms keeps (tests/features test it)."""
    return {k: v for k, v in reply.items() if k != "job_id"}


def _ids(cases: list[Case]) -> list[str]:
    return [f"{c[0]}-{i}" for i, c in enumerate(cases)]


@pytest.fixture
def api(shared_api: httpx.AsyncClient) -> httpx.AsyncClient:
    return shared_api


async def _nothing_sent(api: httpx.AsyncClient, st: RawStation, station: str) -> None:
    """The next CALL the station sees is this probe: nothing was sent before it."""
    frame, r = await command(api, st, f"/stations/{station}/commands/clear-cache", None,
                             {"status": "Accepted"})
    assert frame[2] == "ClearCache", frame
    assert r.status_code == 200


@pytest.mark.parametrize(("name", "body", "action", "sent", "reply", "expected"), CASES_16,
                         ids=_ids(CASES_16))
async def test_command_16(api: httpx.AsyncClient, st16: RawStation, name: str, body: Any,
                          action: str, sent: dict[str, Any], reply: dict[str, Any],
                          expected: dict[str, Any]) -> None:
    frame, r = await command(api, st16, f"/stations/C16/commands/{name}", body, reply)
    assert frame[2:] == [action, sent]
    assert r.status_code == 200, r.text
    assert _without_job(r.json()) == expected


@pytest.mark.parametrize(("name", "body", "action", "sent", "reply", "expected"), CASES_201,
                         ids=_ids(CASES_201))
async def test_command_201(api: httpx.AsyncClient, st201: RawStation, name: str, body: Any,
                           action: str, sent: dict[str, Any], reply: dict[str, Any],
                           expected: dict[str, Any]) -> None:
    frame, r = await command(api, st201, f"/stations/C201/commands/{name}", body, reply)
    assert frame[2:] == [action, sent]
    assert r.status_code == 200, r.text
    assert _without_job(r.json()) == expected


async def test_reservation_ids_are_allocated_when_absent(
        api: httpx.AsyncClient, stations: tuple[RawStation, RawStation]) -> None:
    for name, st, key in zip(("C16", "C201"), stations, ("reservationId", "id"), strict=True):
        seen = []
        for _ in range(2):
            frame, r = await command(api, st, f"/stations/{name}/commands/reserve-now",
                                     {"id_token": "TAG9", "expires_at": AT},
                                     {"status": "Accepted"})
            assert r.json()["reservation_id"] == frame[3][key]
            seen.append(frame[3][key])
        assert seen[0] != seen[1] and all(0 < i < 2**31 for i in seen)
    frame, _ = await command(api, stations[0], "/stations/C16/commands/reserve-now",
                             {"id_token": "TAG9", "expires_at": AT}, {"status": "Accepted"})
    assert frame[3]["connectorId"] == 0  # 1.6: any connector


async def test_update_firmware_201(api: httpx.AsyncClient, st201: RawStation) -> None:
    body = {"location": FTP, "retrieve_at": AT, "retries": 2, "retry_interval_s": 60,
            "signature": "c2ln", "signing_certificate": "-----BEGIN CERTIFICATE-----"}
    frame, r = await command(api, st201, "/stations/C201/commands/update-firmware", body,
                             {"status": "InvalidCertificate"})
    sent = frame[3]
    assert frame[2] == "UpdateFirmware"
    assert isinstance(sent["requestId"], int)
    assert sent == {"requestId": sent["requestId"], "retries": 2, "retryInterval": 60,
                    "firmware": {"location": FTP, "retrieveDateTime": AT_WIRE,
                                 "signature": "c2ln",
                                 "signingCertificate": "-----BEGIN CERTIFICATE-----"}}
    assert r.json() == {"status": "InvalidCertificate", "request_id": sent["requestId"]}
    frame, r = await command(api, st201, "/stations/C201/commands/update-firmware",
                             {"location": FTP, "retrieve_at": AT}, {"status": "Accepted"})
    assert frame[3]["firmware"] == {"location": FTP, "retrieveDateTime": AT_WIRE}
    assert frame[3]["requestId"] != sent["requestId"]
    assert r.json() == {"status": "Accepted", "request_id": frame[3]["requestId"],
                        "job_id": frame[3]["requestId"]}  # the job's id is the requestId


async def test_get_diagnostics_201_is_get_log(api: httpx.AsyncClient, st201: RawStation) -> None:
    body = {"location": "https://logs.example.com/up", "start": AT, "stop": AT, "retries": 0}
    frame, r = await command(api, st201, "/stations/C201/commands/get-diagnostics", body,
                             {"status": "Accepted", "filename": "log.tgz"})
    sent = frame[3]
    assert frame[2] == "GetLog"
    assert sent == {"logType": "DiagnosticsLog", "requestId": sent["requestId"], "retries": 0,
                    "log": {"remoteLocation": "https://logs.example.com/up",
                            "oldestTimestamp": AT_WIRE, "latestTimestamp": AT_WIRE}}
    assert r.json() == {"status": "Accepted", "file_name": "log.tgz",
                        "request_id": sent["requestId"], "job_id": sent["requestId"]}
    _, r = await command(api, st201, "/stations/C201/commands/get-diagnostics",
                         {"location": "ftp://x.example.com/"},
                         {"status": "Rejected", "statusInfo": {"reasonCode": "Busy"}})
    assert r.json() == {"status": "Rejected", "reason": "Busy", "file_name": None,
                        "request_id": r.json()["request_id"]}


BAD_BODIES: list[tuple[str, Any]] = [
    ("reserve-now", {"id_token": "T"}),
    ("reserve-now", {"expires_at": AT}),
    ("reserve-now", {"id_token": "T", "expires_at": "soon"}),
    ("reserve-now", {"id_token": "T", "expires_at": AT, "reservation_id": -1}),
    ("reserve-now", {"id_token": "T", "expires_at": AT, "reservation_id": 2**31}),
    ("reserve-now", {"id_token": "T", "expires_at": AT, "id_token_type": "Card"}),
    ("reserve-now", {"id_token": " T", "expires_at": AT}),
    ("cancel-reservation", {}),
    ("cancel-reservation", {"reservation_id": "seven"}),
    ("send-local-list", {"version": 1}),
    ("send-local-list", {"version": -1, "update": "full"}),
    ("send-local-list", {"version": 1, "update": "partial"}),
    ("send-local-list", {"version": 1, "update": "full", "entries": [{"status": "Accepted"}]}),
    ("send-local-list", {"version": 1, "update": "full",
                         "entries": [{"id_token": "A", "status": "Unknown"}]}),
    ("update-firmware", {"location": FTP}),
    ("update-firmware", {"retrieve_at": AT}),
    ("update-firmware", {"location": "not a url", "retrieve_at": AT}),
    ("update-firmware", {"location": FTP, "retrieve_at": AT, "retries": -1}),
    ("get-diagnostics", {"log_type": "kernel"}),  # no location: csms's own upload URL
    ("get-diagnostics", {"location": "ftp://x/", "start": "yesterday"}),
    ("get-diagnostics", {"location": "ftp://x/", "when": "now"}),
]


@pytest.mark.parametrize(("name", "body"), BAD_BODIES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(BAD_BODIES)])
async def test_bad_bodies_are_422_and_nothing_is_sent(api: httpx.AsyncClient,
                                                      st201: RawStation, name: str,
                                                      body: Any) -> None:
    assert_detail(await api.post(f"/stations/C201/commands/{name}", json=body), 422)
    await _nothing_sent(api, st201, "C201")


@pytest.mark.parametrize(("station", "name", "body", "why"), [
    ("C16", "update-firmware", {"location": FTP, "retrieve_at": AT, "signature": "c2ln"},
     "signature"),
    ("C16", "reserve-now", {"id_token": "x" * 21, "expires_at": AT}, "idTag"),
    ("C16", "send-local-list", {"version": 1, "update": "full",
                                "entries": [{"id_token": "x" * 21}]}, "SendLocalList"),
    ("C201", "reserve-now", {"evse_id": 1, "connector_id": 2, "id_token": "T",
                             "expires_at": AT}, "evse_id"),
])
async def test_what_a_version_cannot_express_is_422(
        api: httpx.AsyncClient, stations: tuple[RawStation, RawStation], station: str,
        name: str, body: Any, why: str) -> None:
    r = await api.post(f"/stations/{station}/commands/{name}", json=body)
    assert why in str(assert_detail(r, 422))
    await _nothing_sent(api, stations[0] if station == "C16" else stations[1], station)


@pytest.mark.parametrize(("name", "body"), [
    ("reserve-now", {"id_token": "T", "expires_at": AT, "reservation_id": 1}),
    ("cancel-reservation", {"reservation_id": 1}),
    ("send-local-list", {"version": 1, "update": "full"}),
    ("update-firmware", {"location": FTP, "retrieve_at": AT}),
    ("get-diagnostics", {"location": FTP}),
])
async def test_callerror_is_502(api: httpx.AsyncClient, stations: tuple[RawStation, RawStation],
                                name: str, body: Any) -> None:
    for station, st in zip(("C16", "C201"), stations, strict=True):
        _, r = await command(api, st, f"/stations/{station}/commands/{name}", body,
                             error=("NotImplemented", "not here"))
        assert assert_detail(r, 502)["error_code"] == "NotImplemented"


@pytest.mark.parametrize(("station", "name", "body", "reply"), [
    ("C16", "reserve-now", {"id_token": "T", "expires_at": AT}, {}),
    ("C201", "send-local-list", {"version": 1, "update": "full"}, {"state": "Accepted"}),
    ("C201", "get-diagnostics", {"location": FTP}, {}),
])
async def test_unusable_replies_are_502(api: httpx.AsyncClient,
                                        stations: tuple[RawStation, RawStation], station: str,
                                        name: str, body: Any, reply: dict[str, Any]) -> None:
    st = stations[0] if station == "C16" else stations[1]
    _, r = await command(api, st, f"/stations/{station}/commands/{name}", body, reply)
    assert name in str(assert_detail(r, 502))


# --- every contract command exists -----------------------------------------------------------

MINIMAL: dict[str, Any] = {
    "remote-start": {"id_token": "T"}, "remote-stop": {"transaction_id": "1"},
    "unlock": {"connector_id": 1}, "change-availability": {"operative": True},
    "trigger-message": {"message": "Heartbeat"}, "set-configuration": {"key": "A", "value": "1"},
    "data-transfer": {"vendor_id": "v"},
    "set-charging-profile": {"evse_id": 1, "profile": {
        "purpose": "tx", "stack_level": 0, "unit": "A", "transaction_id": "1",
        "periods": [{"start_s": 0, "limit": 6}]}},
    "get-composite-schedule": {"evse_id": 1, "duration_s": 60},
    "reserve-now": {"id_token": "T", "expires_at": AT}, "cancel-reservation": {"reservation_id": 1},
    "send-local-list": {"version": 1, "update": "full"},
    "update-firmware": {"location": FTP, "retrieve_at": AT}, "get-diagnostics": {"location": FTP},
}
# device model, monitoring, network profile, display messages
MINIMAL |= {
    "get-base-report": {"report_base": "FullInventory"}, "set-monitoring-base": {"base": "All"},
    "set-variable-monitoring": {"monitors": [{"component": "EVSE", "variable": "Power",
                                              "type": "Delta", "value": 1, "severity": 5}]},
    "clear-variable-monitoring": {"ids": [1]}, "set-monitoring-level": {"severity": 5},
    "set-network-profile": {"configuration_slot": 1, "profile": {
        "csms_url": "wss://csms.example/ocpp", "security_profile": 2,
        "ocpp_interface": "Wired0"}},
    "set-display-message": {"priority": "NormalCycle", "message": {"content": "Hi"}},
    "clear-display-message": {"id": 1},
}
MINIMAL |= {"cost-updated": {"transaction_id": "1", "total": 1.0}}  # tariffs and cost
MINIMAL |= {"unpublish-firmware": {"checksum": "9e107d9d372bb6826bd81d3542a419d6"},
            "publish-firmware": {"location": FTP,
                                 "checksum": "9e107d9d372bb6826bd81d3542a419d6"}}
MINIMAL |= {  # certificates (security)
    "install-certificate": {"type": "CSMSRootCertificate", "pem": (
        "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----")},
    "delete-certificate": {"hash_data": {"hash_algorithm": "SHA256", "issuer_name_hash": "ab",
                                         "issuer_key_hash": "cd", "serial_number": "01"}},
}


async def test_every_contract_command_has_a_body_a_builder_per_version_and_docs(
        shared_server: Any) -> None:
    assert set(BODIES) == COMMANDS == COMMANDS_16 == COMMANDS_201
    assert {t.name for t in [*EXCHANGES_16, *EXCHANGES_201]} <= set(COMMAND_TYPES)
    assert len(COMMANDS) >= 18
    url = f"http://127.0.0.1:{shared_server.api_port}/openapi.json"
    async with httpx.AsyncClient() as client:
        paths = (await client.get(url)).json()["paths"]
    for name in COMMANDS:
        assert f"/api/v1/stations/{{station_id}}/commands/{name}" in paths


@pytest.mark.parametrize("name", sorted(COMMANDS))
async def test_every_contract_command_is_routed(api: httpx.AsyncClient, name: str) -> None:
    """An offline station: 409 from the service, not 404 "unknown" or "not available yet"."""
    created = await api.post("/stations", json={"id": "OFFLINE"})
    assert created.status_code in (201, 409), created.text  # the first test registers it
    r = await api.post(f"/stations/OFFLINE/commands/{name}", json=MINIMAL.get(name, {}))
    assert "OFFLINE" in assert_detail(r, 409)


async def test_unknown_commands_are_still_404(api: httpx.AsyncClient) -> None:
    r = await api.post("/stations/OFFLINE/commands/self-destruct", json={})
    assert "self-destruct" in assert_detail(r, 404)
