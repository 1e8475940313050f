"""GetTransactionStatus and CustomerInformation (2.0.1): the payload sent, the result, and the
clear refusal for 1.6 stations."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.api.support import assert_detail, command, register
from tests.helpers import BOOT_16, BOOT_201, raw_station


async def test_get_transaction_status_201(server: Any, api: httpx.AsyncClient) -> None:
    await register(api, "GTS-2")
    async with raw_station(server, "GTS-2", "ocpp2.0.1") as st:
        await st.ok("BootNotification", BOOT_201)
        frame, r = await command(api, st, "/stations/GTS-2/commands/get-transaction-status",
                                 {"transaction_id": "tx-9"},
                                 reply={"messagesInQueue": True, "ongoingIndicator": False})
        assert frame[2:] == ["GetTransactionStatus", {"transactionId": "tx-9"}]
        assert r.json() == {"status": "Accepted", "messages_in_queue": True, "ongoing": False}
        frame, r = await command(api, st, "/stations/GTS-2/commands/get-transaction-status",
                                 {}, reply={"messagesInQueue": False})
        assert frame[3] == {}
        assert r.json()["messages_in_queue"] is False
        frame, r = await command(api, st, "/stations/GTS-2/commands/get-transaction-status",
                                 {}, error=("InternalError", "boom"))
        assert assert_detail(r, 502)["error_code"] == "InternalError"


async def test_customer_information_201(server: Any, api: httpx.AsyncClient) -> None:
    await register(api, "CI-2")
    async with raw_station(server, "CI-2", "ocpp2.0.1") as st:
        await st.ok("BootNotification", BOOT_201)
        frame, r = await command(api, st, "/stations/CI-2/commands/customer-information",
                                 {"request_id": 7, "clear": True, "id_token": "CARD1"},
                                 reply={"status": "Accepted"})
        assert frame[3] == {"requestId": 7, "report": True, "clear": True,
                            "idToken": {"idToken": "CARD1", "type": "ISO14443"}}
        assert r.json() == {"status": "Accepted", "request_id": 7}
        # the station's answer is kept as a report
        await st.ok("NotifyCustomerInformation", {"data": "card CARD1: 3 sessions", "seqNo": 0,
                                                  "generatedAt": "2026-11-27T10:00:00Z",
                                                  "requestId": 7})
        reports = (await api.get("/stations/CI-2/reports",
                                 params={"kind": "NotifyCustomerInformation"})).json()
        assert reports[0]["data"]["requestId"] == 7


@pytest.mark.parametrize(("name", "body"), [
    ("get-transaction-status", {"transaction_id": ""}),
    ("get-transaction-status", {"transaction_id": "x" * 37}),
    ("customer-information", {"request_id": -1}),
    ("customer-information", {"report": "sometimes"}),
    ("customer-information", {"unknown": 1}),
])
async def test_bad_bodies_are_422(api: httpx.AsyncClient, name: str, body: Any) -> None:
    await register(api, f"BAD-{name[:8]}")
    r = await api.post(f"/stations/BAD-{name[:8]}/commands/{name}", json=body)
    assert_detail(r, 422)


@pytest.mark.parametrize("name", ["get-transaction-status", "customer-information"])
async def test_16_stations_get_a_clear_422(server: Any, api: httpx.AsyncClient, name: str) -> None:
    sid = f"V16-{name[:8]}"
    await register(api, sid)
    async with raw_station(server, sid) as st:
        await st.ok("BootNotification", BOOT_16)
        r = await api.post(f"/stations/{sid}/commands/{name}", json={})
        assert "1.6" in assert_detail(r, 422)
