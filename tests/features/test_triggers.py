"""Remote trigger: every message each version allows, the simulator sending what was asked,
the 1.6 security extension's ExtendedTriggerMessage, and names checked per version."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from simulators import make_station
from tests.api.support import assert_detail, command, register
from tests.conftest import ServerFactory, api_client
from tests.features.device_support import frames_in, received_action, sim_config, wait_for
from tests.helpers import BOOT_16, BOOT_201, raw_station

# requestedMessage -> the action the station then sends
TRIGGERS_16 = {
    "BootNotification": "BootNotification", "Heartbeat": "Heartbeat",
    "DiagnosticsStatusNotification": "DiagnosticsStatusNotification",
    "FirmwareStatusNotification": "FirmwareStatusNotification", "MeterValues": "MeterValues",
    "StatusNotification": "StatusNotification",
}
EXTENDED_16 = {"LogStatusNotification": "LogStatusNotification",
               "SignChargePointCertificate": "SignCertificate"}
TRIGGERS_201 = {
    "LogStatusNotification": "LogStatusNotification", "Heartbeat": "Heartbeat",
    "FirmwareStatusNotification": "FirmwareStatusNotification", "MeterValues": "MeterValues",
    "SignChargingStationCertificate": "SignCertificate", "SignV2GCertificate": "SignCertificate",
    "StatusNotification": "StatusNotification", "SignCombinedCertificate": "SignCertificate",
    "PublishFirmwareStatusNotification": "PublishFirmwareStatusNotification",
    "TransactionEvent": "TransactionEvent",
}


def _last_trigger(st: Any) -> tuple[str, dict[str, Any]]:
    """The last (Extended)TriggerMessage the station received (CertificateSigned, sent after
    a triggered SignCertificate, may come in between)."""
    found: list[tuple[str, dict[str, Any]]] = [
        (a, p) for a, p in st.received if a.endswith("TriggerMessage")]
    return found[-1]


async def _trigger(api: httpx.AsyncClient, sid: str, message: str, action: str,
                   **extra: Any) -> list[Any]:
    after = len(await frames_in(api, sid))
    r = await api.post(f"/stations/{sid}/commands/trigger-message",
                       json={"message": message, **extra})
    assert r.status_code == 200 and r.json()["status"] == "Accepted", (message, r.text)
    return await received_action(api, sid, action, after)


async def test_every_16_trigger_and_extended_trigger(server_factory: ServerFactory) -> None:
    server = await server_factory()
    url = f"ws://127.0.0.1:{server.ocpp_port}/ocpp"
    async with api_client(server) as api:
        await register(api, "T16")
        async with make_station(url, sim_config("T16", "1.6")) as st:
            await st.boot()
            for message, action in (TRIGGERS_16 | EXTENDED_16).items():
                await _trigger(api, "T16", message, action)
            used = [(a, p["requestedMessage"]) for a, p in st.received
                    if a.endswith("TriggerMessage")]
            assert used == [("TriggerMessage", m) for m in TRIGGERS_16] + [
                ("ExtendedTriggerMessage", m) for m in EXTENDED_16]
            frame = await _trigger(api, "T16", "StatusNotification", "StatusNotification",
                                   evse_id=1)
            assert frame[3]["connectorId"] == 1
            assert _last_trigger(st) == ("TriggerMessage", {
                "requestedMessage": "StatusNotification", "connectorId": 1})
            # the 2.0.1 name of the certificate trigger works for 1.6 too
            await _trigger(api, "T16", "SignChargingStationCertificate", "SignCertificate")
            assert _last_trigger(st) == ("ExtendedTriggerMessage",
                                       {"requestedMessage": "SignChargePointCertificate"})
            # an unknown connector: the station rejects
            r = await api.post("/stations/T16/commands/trigger-message",
                               json={"message": "MeterValues", "evse_id": 9})
            assert r.json() == {"status": "Rejected"}


async def test_every_201_trigger(server_factory: ServerFactory) -> None:
    server = await server_factory()
    url = f"ws://127.0.0.1:{server.ocpp_port}/ocpp"
    async with api_client(server) as api:
        await register(api, "T201")
        assert (await api.post("/id-tokens", json={"id_token": "TRIG"})).status_code == 201
        async with make_station(url, sim_config("T201", "2.0.1")) as st:
            await st.boot()
            # no transaction yet: TransactionEvent is rejected; an accepted station rejects
            # BootNotification (F06.FR.17)
            for message in ("TransactionEvent", "BootNotification"):
                r = await api.post("/stations/T201/commands/trigger-message",
                                   json={"message": message})
                assert r.json() == {"status": "Rejected"}, message
            await st.start_transaction(1, "TRIG")
            for message, action in TRIGGERS_201.items():
                if message != "TransactionEvent":
                    await _trigger(api, "T201", message, action)
                    continue
                # The message log reaches the database every few seconds, so periodic
                # meter values sent just before the trigger may show up after it: wait for
                # the one the trigger asked for.
                after = len(await frames_in(api, "T201"))
                r = await api.post("/stations/T201/commands/trigger-message",
                                   json={"message": message})
                assert r.json()["status"] == "Accepted", r.text

                async def triggered(after: int = after) -> list[Any] | None:
                    frames = (await frames_in(api, "T201"))[after:]
                    return next((f for f in frames if f[2] == "TransactionEvent"
                                 and f[3]["triggerReason"] == "Trigger"), None)

                await wait_for(triggered)
            combined = [p for a, p in st.received if a == "TriggerMessage"]
            assert [p["requestedMessage"] for p in combined][-len(TRIGGERS_201):] == list(
                TRIGGERS_201)
            # the 1.6 names are understood
            await _trigger(api, "T201", "DiagnosticsStatusNotification", "LogStatusNotification")
            frame = await _trigger(api, "T201", "StatusNotification", "StatusNotification",
                                   evse_id=1)
            assert _last_trigger(st)[1] == {"requestedMessage": "StatusNotification",
                                            "evse": {"id": 1}}
            assert frame[3]["evseId"] == 1
            await st.stop_transaction(1)


async def test_boot_notification_triggered_while_pending(server_factory: ServerFactory) -> None:
    server = await server_factory()
    url = f"ws://127.0.0.1:{server.ocpp_port}/ocpp"
    async with api_client(server) as api:
        await register(api, "PEND")
        await api.patch("/stations/PEND", json={"registration_status": "Pending"})
        async with make_station(url, sim_config("PEND", "2.0.1")) as st:
            assert await st.boot() == "Pending"
            boots = st.boots
            await _trigger(api, "PEND", "BootNotification", "BootNotification")
            assert st.boots > boots


@pytest.mark.parametrize(("protocol", "message", "allowed"), [
    ("ocpp1.6", "TransactionEvent", "SignChargePointCertificate"),
    ("ocpp1.6", "PublishFirmwareStatusNotification", "DiagnosticsStatusNotification"),
    ("ocpp2.0.1", "Coffee", "PublishFirmwareStatusNotification"),
    ("ocpp2.0.1", "heartbeat", "Heartbeat"),
])
async def test_names_are_checked_per_version(api: httpx.AsyncClient, server: Any,
                                             protocol: str, message: str, allowed: str) -> None:
    await register(api, "NAMES")
    async with raw_station(server, "NAMES", protocol) as st:
        await st.ok("BootNotification", BOOT_16 if protocol == "ocpp1.6" else BOOT_201)
        r = await api.post("/stations/NAMES/commands/trigger-message", json={"message": message})
        detail = assert_detail(r, 422)
        assert message in detail and "allowed" in detail and allowed in detail
        # nothing sent: the next call is the probe
        frame, r = await command(api, st, "/stations/NAMES/commands/trigger-message",
                                 {"message": "Heartbeat"}, {"status": "Accepted"})
        assert frame[2:] == ["TriggerMessage", {"requestedMessage": "Heartbeat"}]


@pytest.mark.parametrize("protocol", ["ocpp1.6", "ocpp2.0.1"])
async def test_trigger_failures(server_factory: ServerFactory, protocol: str) -> None:
    server = await server_factory(call_timeout=0.5)
    path = "/stations/TF/commands/trigger-message"
    async with api_client(server) as api:
        await register(api, "TF")
        assert "TF" in assert_detail(await api.post(path, json={"message": "Heartbeat"}), 409)
        async with raw_station(server, "TF", protocol) as st:
            await st.ok("BootNotification", BOOT_16 if protocol == "ocpp1.6" else BOOT_201)
            message = "LogStatusNotification"
            frame, r = await command(api, st, path, {"message": message},
                                     {"status": "Rejected"})
            assert r.json()["status"] == "Rejected"
            expected = "ExtendedTriggerMessage" if protocol == "ocpp1.6" else "TriggerMessage"
            assert frame[2] == expected
            _, r = await command(api, st, path, {"message": "Heartbeat"},
                                 error=("NotSupported", "no triggers here"))
            assert "NotSupported" in str(assert_detail(r, 502))
            assert_detail(await api.post(path, json={"message": "Heartbeat"}), 504)
            for body in ({}, {"message": ""}, {"message": "Heartbeat", "evse_id": -1},
                         {"message": "Heartbeat", "extra": 1}):
                assert_detail(await api.post(path, json=body), 422)
            assert (await st.call("Heartbeat", {}))[0] == 3
