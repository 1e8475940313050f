"""Every action of OCPP 1.6 (with the security extension) and 2.0.1, by direction.

Station -> CSMS actions get a schema-valid reply (their sample in tests/payloads runs through
test_payloads) and, where the CSMS keeps what they say, it is visible through the API.
CSMS -> station actions sent by a station get NotSupported; unknown actions NotImplemented.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import ocpp
import pytest

from csms.app import CsmsServer
from tests.helpers import raw_station
from tests.ocpp.support import (
    DIRS,
    TOKEN_OK,
    boot,
    register,
    reports,
    sample,
    sample_names,
    sample_payload,
    tx_list,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

# OCPP 1.6 §4 and the 1.6 security whitepaper §5 (messages sent by a Charge Point).
FROM_STATION_16 = {
    "Authorize", "BootNotification", "DataTransfer", "DiagnosticsStatusNotification",
    "FirmwareStatusNotification", "Heartbeat", "MeterValues", "StartTransaction",
    "StatusNotification", "StopTransaction",
    "LogStatusNotification", "SecurityEventNotification", "SignCertificate",
    "SignedFirmwareStatusNotification",
}
# OCPP 2.0.1 Part 2: every request a Charging Station sends.
FROM_STATION_201 = {
    "Authorize", "BootNotification", "ClearedChargingLimit", "DataTransfer",
    "FirmwareStatusNotification", "Get15118EVCertificate", "GetCertificateStatus", "Heartbeat",
    "LogStatusNotification", "MeterValues", "NotifyChargingLimit", "NotifyCustomerInformation",
    "NotifyDisplayMessages", "NotifyEVChargingNeeds", "NotifyEVChargingSchedule", "NotifyEvent",
    "NotifyMonitoringReport", "NotifyReport", "PublishFirmwareStatusNotification",
    "ReportChargingProfiles", "ReservationStatusUpdate", "SecurityEventNotification",
    "SignCertificate", "StatusNotification", "TransactionEvent",
}
FROM_STATION = {"ocpp1.6": FROM_STATION_16, "ocpp2.0.1": FROM_STATION_201}


def schema_actions(protocol: str) -> set[str]:
    """Every action the `ocpp` package ships a request schema for."""
    folder = Path(ocpp.__file__).parent / DIRS[protocol] / "schemas"
    names = {p.stem for p in folder.glob("*.json")}
    requests = {n for n in names if not n.endswith("Response")}
    return {n.removesuffix("Request") for n in requests}


def to_station(protocol: str) -> list[str]:
    return sorted(schema_actions(protocol) - FROM_STATION[protocol])


async def test_directions_cover_the_official_schema_list() -> None:
    for protocol, actions in FROM_STATION.items():
        official = schema_actions(protocol)
        assert actions <= official, actions - official
        assert len(official) > len(actions) + 20  # the rest are CSMS -> station
        # every station action has a sample (so test_payloads checks its reply)
        sampled = {name.split(".")[0] for name in sample_names(protocol)}
        assert actions <= sampled, actions - sampled


@pytest.mark.parametrize("protocol", ["ocpp1.6", "ocpp2.0.1"])
async def test_csms_to_station_actions_are_not_supported(
    shared_server: CsmsServer, shared_api: httpx.AsyncClient, station_id: str, protocol: str
) -> None:
    """All of them over one connection: each gets NotSupported and the next still works."""
    await register(shared_api, station_id)
    actions = to_station(protocol)
    assert len(actions) > 20
    async with raw_station(shared_server, station_id, protocol) as st:
        await boot(st, protocol)
        codes = {a: (await st.call(a, {}))[2] for a in actions}
        assert codes == dict.fromkeys(actions, "NotSupported")
        assert (await st.call("Heartbeat", {}))[0] == 3


@pytest.mark.parametrize(
    ("protocol", "action"),
    [("ocpp1.6", "FooBar"), ("ocpp2.0.1", "FooBar"), ("ocpp1.6", "TransactionEvent"),
     ("ocpp2.0.1", "StartTransaction"), ("ocpp2.0.1", "NotifyPriorityCharging"),
     ("ocpp1.6", "heartbeat")],
)
async def test_unknown_action_is_not_implemented(
    shared_server: CsmsServer, shared_api: httpx.AsyncClient, station_id: str,
    protocol: str, action: str,
) -> None:
    await register(shared_api, station_id)
    async with raw_station(shared_server, station_id, protocol) as st:
        await boot(st, protocol)
        reply = await st.call(action, {})
        assert reply[0] == 4 and reply[2] == "NotImplemented", reply
        assert (await st.call("Heartbeat", {}))[0] == 3


# --- what the CSMS keeps, checked through the API ----------------------------------------

Check = Callable[[httpx.AsyncClient, str], Awaitable[None]]


def reported(kind: str, **fields: Any) -> Check:
    async def check(api: httpx.AsyncClient, sid: str) -> None:
        rows = await reports(api, sid, kind)
        assert len(rows) == 1, rows
        for k, v in fields.items():
            assert rows[0]["data"][k] == v, rows[0]

    return check


def listed(path: str, **fields: Any) -> Check:
    """One row at /stations/{id}/{path} (device model listings) with these fields."""
    async def check(api: httpx.AsyncClient, sid: str) -> None:
        rows = (await api.get(f"/stations/{sid}/{path}")).json()
        assert len(rows) == 1, rows
        for k, v in fields.items():
            assert rows[0][k] == v, rows[0]

    return check


def charging_state(path: str, key: str, **fields: Any) -> Check:
    """`key` of /stations/{id}/{path} (charging profiles, limits): one item with these fields,
    or empty without fields."""
    async def check(api: httpx.AsyncClient, sid: str) -> None:
        found = (await api.get(f"/stations/{sid}/{path}")).json()[key]
        if not fields:
            assert not found, found
            return
        item = found[0] if isinstance(found, list) else found
        assert item is not None and (not isinstance(found, list) or len(found) == 1), found
        for k, v in fields.items():
            assert item[k] == v, item

    return check


def station_has(**fields: Any) -> Check:
    async def check(api: httpx.AsyncClient, sid: str) -> None:
        station = (await api.get(f"/stations/{sid}")).json()
        for k, v in fields.items():
            assert station[k] == v, station

    return check


def connector(evse_id: int, connector_id: int, status: str, error: str | None = None) -> Check:
    async def check(api: httpx.AsyncClient, sid: str) -> None:
        station = (await api.get(f"/stations/{sid}")).json()
        evse = next(e for e in station["evses"] if e["evse_id"] == evse_id)
        c = next(c for c in evse["connectors"] if c["connector_id"] == connector_id)
        assert (c["status"], c["error_code"]) == (status, error), c

    return check


def transaction(**fields: Any) -> Check:
    async def check(api: httpx.AsyncClient, sid: str) -> None:
        txs = await tx_list(api, sid)
        assert len(txs) == 1, txs
        for k, v in fields.items():
            assert txs[0][k] == v, txs[0]

    return check


async def nothing(api: httpx.AsyncClient, sid: str) -> None:
    """Replied only: nothing to see through the API."""


KEPT: dict[tuple[str, str], Check] = {
    ("ocpp1.6", "Authorize"): nothing,
    ("ocpp1.6", "BootNotification"): station_has(
        vendor="ABB", model="TAC-W22-T-RD-M-0", firmware_version="1.6.12",
        serial_number="TACW2244123G0042"),
    ("ocpp1.6", "StatusNotification"): connector(1, 1, "Preparing"),
    ("ocpp1.6", "StatusNotification.faulted"): connector(0, 0, "Faulted", "GroundFailure"),
    ("ocpp1.6", "Heartbeat"): nothing,
    ("ocpp1.6", "StartTransaction"): transaction(
        meter_start_wh=1234567, id_token=TOKEN_OK, stopped_at=None, connector_id=1),
    ("ocpp1.6", "StopTransaction"): transaction(
        id="1", meter_stop_wh=1246567, energy_wh=12000, stop_reason="EVDisconnected"),
    ("ocpp1.6", "MeterValues"): transaction(id="1", stopped_at=None),
    ("ocpp1.6", "DataTransfer"): reported("DataTransfer", vendorId="com.acme"),
    ("ocpp1.6", "DiagnosticsStatusNotification"): reported(
        "DiagnosticsStatusNotification", status="Uploaded"),
    ("ocpp1.6", "FirmwareStatusNotification"): reported(
        "FirmwareStatusNotification", status="Downloading"),
    ("ocpp1.6", "SecurityEventNotification"): reported(
        "SecurityEventNotification", type="SettingSystemTime"),
    ("ocpp1.6", "SignCertificate"): reported("SignCertificate", accepted=False),
    ("ocpp1.6", "SignedFirmwareStatusNotification"): reported(
        "SignedFirmwareStatusNotification", status="SignatureVerified"),
    ("ocpp1.6", "LogStatusNotification"): reported("LogStatusNotification", status="Uploading"),
    ("ocpp2.0.1", "Authorize"): nothing,
    ("ocpp2.0.1", "BootNotification"): station_has(
        vendor="Alfen", model="Eve Double Pro-line", firmware_version="6.4.0-4125"),
    ("ocpp2.0.1", "Heartbeat"): nothing,
    ("ocpp2.0.1", "StatusNotification"): connector(1, 1, "Occupied"),
    ("ocpp2.0.1", "TransactionEvent.started"): transaction(
        id="a1b2c3d4-0001", id_token=TOKEN_OK, evse_id=1, connector_id=1, stopped_at=None),
    ("ocpp2.0.1", "TransactionEvent.ended-offline"): transaction(
        id="offline-77", energy_wh=7000, evse_id=2, stop_reason="Local"),
    ("ocpp2.0.1", "MeterValues"): nothing,  # stored without a transaction, not in the API
    ("ocpp2.0.1", "DataTransfer"): reported(
        "DataTransfer", vendorId="com.alfen", data={"socket_Temp": 41, "Unit": "C"}),
    ("ocpp2.0.1", "SignCertificate"): reported("SignCertificate", accepted=False),
    ("ocpp2.0.1", "Get15118EVCertificate"): nothing,
    ("ocpp2.0.1", "GetCertificateStatus"): nothing,
    ("ocpp2.0.1", "NotifyEVChargingNeeds"): reported("NotifyEVChargingNeeds", evseId=1),
    ("ocpp2.0.1", "NotifyEVChargingSchedule"): reported("NotifyEVChargingSchedule", evseId=1),
    # device model and display messages (more in tests/features/test_device_model.py)
    ("ocpp2.0.1", "NotifyReport"): listed(
        "variables", key="SampledDataCtrlr.TxUpdatedInterval", value="60", readonly=False),
    ("ocpp2.0.1", "NotifyMonitoringReport"): listed(
        "monitors", id=1, type="UpperThreshold", value="22000", severity=5),
    ("ocpp2.0.1", "NotifyEvent"): listed(
        "device-events", event_id=1, trigger="Alerting", variable="Problem"),
    ("ocpp2.0.1", "NotifyDisplayMessages"): listed(
        "display-messages", id=1, priority="NormalCycle", source="reported"),
    # charging state (more in tests/features/test_profiles_state.py)
    ("ocpp2.0.1", "NotifyChargingLimit"): charging_state(
        "charging-limits", "limits", evse_id=1, source="EMS", grid_critical=False),
    ("ocpp2.0.1", "ClearedChargingLimit"): charging_state("charging-limits", "limits"),
    ("ocpp2.0.1", "ReportChargingProfiles"): charging_state(
        "charging-profiles", "last_report", request_id=11, complete=True),
    **{
        ("ocpp2.0.1", a): reported(a)
        for a in (
            "FirmwareStatusNotification", "LogStatusNotification",
            "NotifyCustomerInformation", "PublishFirmwareStatusNotification",
            "ReservationStatusUpdate", "SecurityEventNotification",
        )
    },
}


async def test_every_station_action_has_a_kept_check() -> None:
    for protocol, actions in FROM_STATION.items():
        covered = {name.split(".")[0] for p, name in KEPT if p == protocol}
        assert covered == actions, actions ^ covered


@pytest.mark.parametrize(("protocol", "name"), list(KEPT), ids=[f"{p}-{n}" for p, n in KEPT])
async def test_what_the_station_says_is_kept(
    shared_server: CsmsServer, shared_api: httpx.AsyncClient, station_id: str,
    protocol: str, name: str,
) -> None:
    await register(shared_api, station_id)
    action = sample(protocol, name)["frame"][2]
    async with raw_station(shared_server, station_id, protocol) as st:
        if action != "BootNotification":
            await boot(st, protocol)
        await st.ok(action, sample_payload(protocol, name))
        await KEPT[(protocol, name)](shared_api, station_id)
