"""Registration status: what BootNotification is answered with, and what a station that is
not Accepted may still send (2.0.1 B02.FR.09 / B03: SecurityError; 1.6 §4.2.1 likewise).
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

from csms.app import CsmsServer
from tests.helpers import raw_station
from tests.ocpp.support import BOOT, next_call, register, sample_payload

pytestmark = pytest.mark.asyncio(loop_scope="module")

STATUS = {"ocpp1.6": ("StatusNotification", {
    "connectorId": 1, "errorCode": "NoError", "status": "Available"}),
    "ocpp2.0.1": ("StatusNotification", {
        "timestamp": "2025-03-14T09:00:00Z", "connectorStatus": "Available", "evseId": 1,
        "connectorId": 1})}


async def set_status(api: httpx.AsyncClient, station_id: str, status: str) -> None:
    r = await api.patch(f"/stations/{station_id}", json={"registration_status": status})
    assert r.status_code == 200, r.text
    assert r.json()["registration_status"] == status


@pytest.mark.parametrize("protocol", ["ocpp1.6", "ocpp2.0.1"])
@pytest.mark.parametrize("status", ["Pending", "Rejected"])
async def test_not_accepted_station_gets_security_error_until_accepted(
    shared_server: CsmsServer, shared_api: httpx.AsyncClient, station_id: str,
    protocol: str, status: str,
) -> None:
    await register(shared_api, station_id)
    await set_status(shared_api, station_id, status)
    async with raw_station(shared_server, station_id, protocol) as st:
        reply = await st.ok("BootNotification", BOOT[protocol])
        assert reply["status"] == status and reply["interval"] > 0
        for action, payload in [("Heartbeat", {}), STATUS[protocol],
                                ("Heartbeat", {"not": "valid"}), ("Authorize", {})]:
            reply = await st.call(action, payload)
            assert reply[0] == 4 and reply[2] == "SecurityError", (action, reply)
        # an unknown action is still NotImplemented, a CSMS -> station one NotSupported
        assert (await st.call("FooBar", {}))[2] == "NotImplemented"
        assert (await st.call("Reset", {}))[2] == "NotSupported"
        # nothing the refused messages said was kept
        station = (await shared_api.get(f"/stations/{station_id}")).json()
        assert station["evses"] == []
        # accepted through the API: the station must boot again to learn it
        await set_status(shared_api, station_id, "Accepted")
        assert (await st.call("Heartbeat", {}))[2] == "SecurityError"
        assert (await st.ok("BootNotification", BOOT[protocol]))["status"] == "Accepted"
        assert (await st.call("Heartbeat", {}))[0] == 3
        assert (await st.call(*STATUS[protocol]))[0] == 3


async def test_pending_201_station_may_send_what_the_csms_asks_for(
    shared_server: CsmsServer, shared_api: httpx.AsyncClient, station_id: str
) -> None:
    """B02: while Pending the CSMS may ask for a report; the station's NotifyReport is taken."""
    await register(shared_api, station_id)
    await set_status(shared_api, station_id, "Pending")
    async with raw_station(shared_server, station_id, "ocpp2.0.1") as st:
        assert (await st.ok("BootNotification", BOOT["ocpp2.0.1"]))["status"] == "Pending"
        await st.ok("NotifyReport", sample_payload("ocpp2.0.1", "NotifyReport"))
        await st.ok("SecurityEventNotification",
                    sample_payload("ocpp2.0.1", "SecurityEventNotification"))
        # booting again is always allowed
        assert (await st.ok("BootNotification", BOOT["ocpp2.0.1"]))["status"] == "Pending"


@pytest.mark.parametrize("protocol", ["ocpp1.6", "ocpp2.0.1"])
async def test_status_change_applies_at_the_next_boot(
    shared_server: CsmsServer, shared_api: httpx.AsyncClient, station_id: str, protocol: str
) -> None:
    """A station told Accepted stays so until it boots again (B02.FR.09 applies once the
    station *has received* a non-Accepted BootNotificationResponse)."""
    await register(shared_api, station_id)
    async with raw_station(shared_server, station_id, protocol) as st:
        assert (await st.ok("BootNotification", BOOT[protocol]))["status"] == "Accepted"
        await set_status(shared_api, station_id, "Rejected")
        assert (await st.call("Heartbeat", {}))[0] == 3
        assert (await st.ok("BootNotification", BOOT[protocol]))["status"] == "Rejected"
        assert (await st.call("Heartbeat", {}))[2] == "SecurityError"


@pytest.mark.parametrize("protocol", ["ocpp1.6", "ocpp2.0.1"])
async def test_reconnecting_station_that_is_not_accepted_must_boot_first(
    shared_server: CsmsServer, shared_api: httpx.AsyncClient, station_id: str, protocol: str
) -> None:
    await register(shared_api, station_id)
    await set_status(shared_api, station_id, "Pending")
    async with raw_station(shared_server, station_id, protocol) as st:
        assert (await st.ok("BootNotification", BOOT[protocol]))["status"] == "Pending"
    async with raw_station(shared_server, station_id, protocol) as st:
        assert (await st.call("Heartbeat", {}))[2] == "SecurityError"
        assert (await st.ok("BootNotification", BOOT[protocol]))["status"] == "Pending"


async def test_registration_status_is_validated(
    shared_api: httpx.AsyncClient, station_id: str
) -> None:
    await register(shared_api, station_id)
    r = await shared_api.patch(f"/stations/{station_id}", json={"registration_status": "Maybe"})
    assert r.status_code == 422


@pytest.mark.parametrize(
    ("protocol", "requested", "action", "payload"),
    [
        ("ocpp1.6", "StatusNotification", *STATUS["ocpp1.6"]),
        ("ocpp2.0.1", "StatusNotification", *STATUS["ocpp2.0.1"]),
        ("ocpp2.0.1", "Heartbeat", "Heartbeat", {}),
    ],
)
async def test_pending_station_may_send_what_was_triggered(
    shared_server: CsmsServer, shared_api: httpx.AsyncClient, station_id: str,
    protocol: str, requested: str, action: str, payload: dict[str, object],
) -> None:
    """B02: while Pending the CSMS may use TriggerMessage; the triggered message is taken,
    once, and nothing else is."""
    await register(shared_api, station_id)
    await set_status(shared_api, station_id, "Pending")
    async with raw_station(shared_server, station_id, protocol) as st:
        assert (await st.ok("BootNotification", BOOT[protocol]))["status"] == "Pending"
        command = asyncio.create_task(shared_api.post(
            f"/stations/{station_id}/ocpp/TriggerMessage", json={"requestedMessage": requested}))
        call = await next_call(st)
        await st.send([3, call[1], {"status": "Accepted"}])
        assert (await command).status_code == 200
        assert (await st.call(action, payload))[0] == 3
        assert (await st.call(action, payload))[2] == "SecurityError"  # only once
        # a rejected trigger allows nothing
        command = asyncio.create_task(shared_api.post(
            f"/stations/{station_id}/ocpp/TriggerMessage", json={"requestedMessage": requested}))
        call = await next_call(st)
        await st.send([3, call[1], {"status": "Rejected"}])
        assert (await command).status_code == 200
        assert (await st.call(action, payload))[2] == "SecurityError"

