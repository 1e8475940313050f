"""Id tokens: CRUD through the API, and what stations are told when they Authorize."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.api.support import assert_detail, register
from tests.helpers import BOOT_16, BOOT_201, raw_station


def iso(dt: datetime) -> str:
    return dt.isoformat().replace("+00:00", "Z")


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


async def test_create_defaults_and_full(api: httpx.AsyncClient) -> None:
    r = await api.post("/id-tokens", json={"id_token": "RFID-1"})
    assert r.status_code == 201, r.text
    assert r.json() == {"id_token": "RFID-1", "status": "Accepted", "expires_at": None,
                        "group_id": None, "member": None}
    expires = datetime(2031, 5, 6, 7, 8, 9, tzinfo=UTC)
    r = await api.post("/id-tokens", json={
        "id_token": "RFID-2", "status": "Blocked", "expires_at": iso(expires),
        "group_id": "fleet-7", "member": "Ada Lovelace"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["status"], body["group_id"], body["member"]) == ("Blocked", "fleet-7",
                                                                  "Ada Lovelace")
    assert parse(body["expires_at"]) == expires
    listed = {t["id_token"]: t for t in (await api.get("/id-tokens")).json()}
    assert set(listed) == {"RFID-1", "RFID-2"}
    assert listed["RFID-2"]["status"] == "Blocked"
    assert parse(listed["RFID-2"]["expires_at"]) == expires
    got = (await api.get("/id-tokens/RFID-2")).json()
    assert got["member"] == "Ada Lovelace"
    assert parse(got["expires_at"]) == expires


async def test_expires_at_with_offset_is_normalised(api: httpx.AsyncClient) -> None:
    r = await api.post("/id-tokens", json={"id_token": "TZ",
                                           "expires_at": "2030-01-01T12:00:00+02:00"})
    assert r.status_code == 201, r.text
    got = (await api.get("/id-tokens/TZ")).json()
    assert parse(got["expires_at"]) == datetime(2030, 1, 1, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize("status", ["Accepted", "Blocked", "Expired", "Invalid"])
async def test_each_contract_status_round_trips(api: httpx.AsyncClient, status: str) -> None:
    r = await api.post("/id-tokens", json={"id_token": f"S-{status}", "status": status})
    assert r.status_code == 201, r.text
    assert (await api.get(f"/id-tokens/S-{status}")).json()["status"] == status


async def test_duplicate_conflicts_and_keeps_the_first(api: httpx.AsyncClient) -> None:
    await api.post("/id-tokens", json={"id_token": "DUP", "member": "first"})
    assert_detail(await api.post("/id-tokens", json={"id_token": "DUP", "member": "second"}), 409)
    assert (await api.get("/id-tokens/DUP")).json()["member"] == "first"


async def test_patch_changes_only_what_is_given(api: httpx.AsyncClient) -> None:
    await api.post("/id-tokens", json={"id_token": "P1", "group_id": "g", "member": "m"})
    r = await api.patch("/id-tokens/P1", json={"status": "Blocked"})
    assert r.status_code == 200, r.text
    assert r.json() == {"id_token": "P1", "status": "Blocked", "expires_at": None,
                        "group_id": "g", "member": "m"}
    r = await api.patch("/id-tokens/P1", json={"expires_at": "2032-02-02T02:02:02Z",
                                               "member": None})
    assert r.status_code == 200, r.text
    got = (await api.get("/id-tokens/P1")).json()
    assert got["status"] == "Blocked"
    assert got["member"] is None
    assert got["group_id"] == "g"
    assert parse(got["expires_at"]) == datetime(2032, 2, 2, 2, 2, 2, tzinfo=UTC)
    # status null is ignored (status is not nullable); clearing expires_at works
    r = await api.patch("/id-tokens/P1", json={"status": None, "expires_at": None})
    assert r.status_code == 200, r.text
    got = (await api.get("/id-tokens/P1")).json()
    assert (got["status"], got["expires_at"]) == ("Blocked", None)
    assert_detail(await api.patch("/id-tokens/ghost", json={"status": "Blocked"}), 404)
    assert_detail(await api.get("/id-tokens/ghost"), 404)


async def test_delete_then_404(api: httpx.AsyncClient) -> None:
    await api.post("/id-tokens", json={"id_token": "D1"})
    r = await api.delete("/id-tokens/D1")
    assert r.status_code == 204
    assert r.content == b""
    assert_detail(await api.get("/id-tokens/D1"), 404)
    assert_detail(await api.delete("/id-tokens/D1"), 404)
    assert (await api.get("/id-tokens")).json() == []


async def _setup_tokens(api: httpx.AsyncClient) -> None:
    past = datetime.now(UTC) - timedelta(hours=1)
    future = datetime.now(UTC) + timedelta(days=30)
    for body in (
        {"id_token": "OK-1", "status": "Accepted", "expires_at": iso(future), "group_id": "G1"},
        {"id_token": "BLOCKED-1", "status": "Blocked"},
        {"id_token": "OLD-1", "status": "Accepted", "expires_at": iso(past)},
        {"id_token": "EXPIRED-1", "status": "Expired"},
        {"id_token": "INVALID-1", "status": "Invalid"},
    ):
        assert (await api.post("/id-tokens", json=body)).status_code == 201


AUTH_CASES = [
    ("OK-1", "Accepted", "Accepted"),
    ("BLOCKED-1", "Blocked", "Blocked"),
    ("OLD-1", "Expired", "Expired"),  # Accepted but past expires_at
    ("EXPIRED-1", "Expired", "Expired"),
    ("INVALID-1", "Invalid", "Invalid"),
    ("NEVER-SEEN", "Invalid", "Unknown"),
]


async def test_authorize_16_answers_from_the_token_table(server: Any,
                                                         api: httpx.AsyncClient) -> None:
    await _setup_tokens(api)
    await register(api, "AUTH16")
    async with raw_station(server, "AUTH16") as st:
        await st.ok("BootNotification", BOOT_16)
        for token, expected, _ in AUTH_CASES:
            info = (await st.ok("Authorize", {"idTag": token}))["idTagInfo"]
            assert info["status"] == expected, (token, info)
        info = (await st.ok("Authorize", {"idTag": "OK-1"}))["idTagInfo"]
        assert info.get("parentIdTag") == "G1"
        assert "expiryDate" in info


async def test_authorize_201_answers_from_the_token_table(server: Any,
                                                          api: httpx.AsyncClient) -> None:
    await _setup_tokens(api)
    await register(api, "AUTH201")
    async with raw_station(server, "AUTH201", "ocpp2.0.1") as st:
        await st.ok("BootNotification", BOOT_201)
        for token, _, expected in AUTH_CASES:
            reply = await st.ok("Authorize", {"idToken": {"idToken": token, "type": "ISO14443"}})
            assert reply["idTokenInfo"]["status"] == expected, (token, reply)


async def test_api_changes_take_effect_at_the_next_authorize(server: Any,
                                                             api: httpx.AsyncClient) -> None:
    await register(api, "AUTHCHG")
    async with raw_station(server, "AUTHCHG") as st:
        await st.ok("BootNotification", BOOT_16)
        assert (await st.ok("Authorize", {"idTag": "CARD"}))["idTagInfo"]["status"] == "Invalid"
        await api.post("/id-tokens", json={"id_token": "CARD"})
        assert (await st.ok("Authorize", {"idTag": "CARD"}))["idTagInfo"]["status"] == "Accepted"
        await api.patch("/id-tokens/CARD", json={"status": "Blocked"})
        assert (await st.ok("Authorize", {"idTag": "CARD"}))["idTagInfo"]["status"] == "Blocked"
        await api.patch("/id-tokens/CARD", json={"status": "Accepted",
                                                 "expires_at": "2001-01-01T00:00:00Z"})
        assert (await st.ok("Authorize", {"idTag": "CARD"}))["idTagInfo"]["status"] == "Expired"
        await api.delete("/id-tokens/CARD")
        assert (await st.ok("Authorize", {"idTag": "CARD"}))["idTagInfo"]["status"] == "Invalid"
