"""Reservations end to end: ReserveNow through the API, honoured in Authorize and transaction
start, Used by its holder, expired, cancelled; and every way a station can fail the call."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from simulators import make_station
from tests.api.support import assert_detail
from tests.conftest import ServerFactory, api_client
from tests.features.auth_support import (
    PROTOCOLS,
    RAW,
    answering,
    in_seconds,
    setup,
    sim_config,
    wait_for,
    ws_base,
)
from tests.helpers import BOOT_16, BOOT_201, raw_station


async def _transactions(api: httpx.AsyncClient, station_id: str) -> list[dict[str, Any]]:
    return (await api.get("/transactions", params={"station_id": station_id})).json()  # type: ignore[no-any-return]


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_reserved_evse_refuses_others_and_its_token_uses_it(
    server_factory: ServerFactory, protocol: str
) -> None:
    server = await server_factory()
    async with api_client(server) as api:
        await setup(api, "RES", "OWNER", "OTHER", ("MATE", "FLEET"))
        async with make_station(ws_base(server), sim_config("RES", protocol)) as st:
            assert await st.boot() == "Accepted"
            await st.announce()
            r = await api.post("/reservations", json={
                "station_id": "RES", "evse_id": 1, "id_token": "OWNER", "group_id": "FLEET",
                "expires_at": in_seconds(3600)})
            assert r.status_code == 201, r.text
            res = r.json()
            assert (res["status"], res["active"], res["evse_id"]) == ("Accepted", True, 1)
            sent = [p for a, p in st.received if a == "ReserveNow"]
            rid = sent[0]["reservationId"] if protocol == "1.6" else sent[0]["id"]
            assert rid == res["id"]
            listed = (await api.get("/reservations", params={"station_id": "RES",
                                                             "active": True})).json()
            assert [x["id"] for x in listed] == [res["id"]]

            # Authorize names no EVSE: the only EVSE is reserved, so others are refused,
            # the holder and its group are not.
            assert await st.authorize("OTHER") == "Invalid"
            assert await st.authorize("OWNER") == "Accepted"
            assert await st.authorize("MATE") == "Accepted"

            # A station that starts anyway for another token: recorded, but Invalid (it stops).
            await st.start_transaction(1, "OTHER")

            async def other_stopped() -> bool:
                txs = await _transactions(api, "RES")
                return len(txs) == 1 and not txs[0]["active"] and 1 not in st.tx

            await wait_for(other_stopped)
            assert (await _transactions(api, "RES"))[0]["id_token"] == "OTHER"
            assert (await api.get(f"/reservations/{res['id']}")).json()["status"] == "Accepted"

            # The holder starts: the reservation is Used by that transaction.
            tx_id = await st.start_transaction(1, "OWNER")
            used = (await api.get(f"/reservations/{res['id']}")).json()
            assert (used["status"], used["active"], used["transaction_id"]) == (
                "Used", False, tx_id)
            assert [h["status"] for h in used["history"]] == ["Requested", "Accepted", "Used"]
            assert 1 in st.tx  # not stopped: Accepted
            await st.stop_transaction(1)
            # Used is final: cancelling it is a conflict, and nothing is sent.
            assert "Used" in assert_detail(await api.delete(f"/reservations/{res['id']}"), 409)
            assert not [a for a, _ in st.received if a == "CancelReservation"]


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_cancel_and_expiry(server_factory: ServerFactory, protocol: str) -> None:
    server = await server_factory()
    async with api_client(server) as api:
        await setup(api, "RC", "OWNER", "OTHER")
        cfg = sim_config("RC", protocol, evses=2)
        async with make_station(ws_base(server), cfg) as st:
            await st.boot()
            await st.announce()
            body = {"station_id": "RC", "evse_id": 1, "id_token": "OWNER",
                    "expires_at": in_seconds(3600)}
            res = (await api.post("/reservations", json=body)).json()
            # With EVSE 2 free, others may still authorize (and start there).
            assert await st.authorize("OTHER") == "Accepted"
            r = await api.delete(f"/reservations/{res['id']}")
            assert r.status_code == 200, r.text
            assert (r.json()["status"], r.json()["active"]) == ("Cancelled", False)
            assert [p["reservationId"] for a, p in st.received
                    if a == "CancelReservation"] == [res["id"]]
            assert not st.reservations
            assert_detail(await api.delete(f"/reservations/{res['id']}"), 409)

            short = (await api.post("/reservations", json=body | {
                "evse_id": 2, "expires_at": in_seconds(1.5)})).json()
            assert short["status"] == "Accepted"

            async def expired() -> bool:
                r = (await api.get(f"/reservations/{short['id']}")).json()
                return r["status"] == "Expired" and not st.reservations  # both sides

            await wait_for(expired)
            assert await server.services.reservations.expire_due() in (0, 1)
            final = (await api.get(f"/reservations/{short['id']}")).json()
            assert (final["active"], final["history"][-1]["status"]) == (False, "Expired")
            if protocol == "2.0.1":  # ReservationStatusUpdate reached csms and was kept
                async def reported() -> bool:
                    rows = (await api.get("/stations/RC/reports", params={
                        "kind": "ReservationStatusUpdate"})).json()
                    return bool(rows)

                await wait_for(reported)
            active = (await api.get("/reservations", params={"active": True})).json()
            assert active == []
            inactive = (await api.get("/reservations", params={"active": False})).json()
            assert {x["status"] for x in inactive} == {"Cancelled", "Expired"}


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_station_refusals_are_recorded(server_factory: ServerFactory, protocol: str
                                             ) -> None:
    server = await server_factory()
    async with api_client(server) as api:
        await setup(api, "RR", "OWNER", "OTHER")
        async with make_station(ws_base(server), sim_config("RR", protocol)) as st:
            await st.boot()
            await st.start_transaction(1, "OTHER")
            body = {"station_id": "RR", "evse_id": 1, "id_token": "OWNER",
                    "expires_at": in_seconds(600)}
            busy = await api.post("/reservations", json=body)
            assert (busy.status_code, busy.json()["status"]) == (201, "Occupied")
            bad = await api.post("/reservations", json=body | {"evse_id": 9})
            assert bad.json()["status"] == "Rejected"
            assert (busy.json()["active"], bad.json()["active"]) == (False, False)
            await st.stop_transaction(1)
        # Refused reservations are not honoured: OTHER is accepted.
        assert (await api.get("/reservations", params={"active": True})).json() == []


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_timeout_callerror_and_offline(server_factory: ServerFactory, protocol: str
                                             ) -> None:
    server = await server_factory(call_timeout=0.5)
    boot = BOOT_16 if protocol == "1.6" else BOOT_201
    async with api_client(server) as api:
        await setup(api, "RF", "OWNER")
        body = {"station_id": "RF", "id_token": "OWNER", "expires_at": in_seconds(600)}
        assert_detail(await api.post("/reservations", json=body), 409)  # offline
        assert (await api.get("/reservations")).json() == []  # nothing written
        async with raw_station(server, "RF", RAW[protocol]) as st:
            await st.ok("BootNotification", boot)
            assert_detail(await api.post("/reservations", json=body), 504)
            late = await st.recv()
            assert late[2] == "ReserveNow"
            pending = (await api.get("/reservations")).json()
            assert [p["status"] for p in pending] == ["Requested"]  # the station may hold it
            assert pending[0]["active"] is True
            frame, r = await answering(st, api.post("/reservations", json=body),
                                       error=("InternalError", "boom"))
            assert frame[2] == "ReserveNow"
            assert assert_detail(r, 502)["error_code"] == "InternalError"
            refused = (await api.get("/reservations")).json()[0]
            assert refused["status"] == "Rejected" and "InternalError" in str(refused["history"])
            # A Requested one can be cancelled; the station's Rejected means it never held it.
            frame, r = await answering(st, api.delete(f"/reservations/{pending[0]['id']}"),
                                       {"status": "Rejected"})
            assert frame[2] == "CancelReservation"
            assert r.json()["status"] == "Cancelled"


async def test_201_reservation_status_update_and_raw_starts(server_factory: ServerFactory
                                                            ) -> None:
    """Raw 2.0.1 station: a start naming the reservation uses it; garbage is refused."""
    server = await server_factory()
    async with api_client(server) as api:
        await setup(api, "RU", "OWNER", "OTHER")
        async with raw_station(server, "RU", "ocpp2.0.1") as st:
            await st.ok("BootNotification", BOOT_201)
            _, r = await answering(st, api.post("/reservations", json={
                "station_id": "RU", "evse_id": 2, "id_token": "OWNER",
                "expires_at": in_seconds(600)}), {"status": "Accepted"})
            rid = r.json()["id"]
            other = await st.ok("TransactionEvent", _started("t-other", 2, "OTHER"))
            assert other["idTokenInfo"]["status"] == "Invalid"
            elsewhere = await st.ok("TransactionEvent", _started("t-else", 1, "OTHER"))
            assert elsewhere["idTokenInfo"]["status"] == "Accepted"
            mine = await st.ok("TransactionEvent", _started("t-mine", 2, "OWNER",
                                                             reservationId=rid))
            assert mine["idTokenInfo"]["status"] == "Accepted"
            assert (await api.get(f"/reservations/{rid}")).json()["status"] == "Used"
            # updates: unknown ids are fine, bad payloads are CALLERRORs, the link lives on
            assert await st.ok("ReservationStatusUpdate", {
                "reservationId": 424242, "reservationUpdateStatus": "Expired"}) == {}
            for bad in ({"reservationId": "x", "reservationUpdateStatus": "Expired"},
                        {"reservationId": 1, "reservationUpdateStatus": "Gone"}, {}):
                reply = await st.call("ReservationStatusUpdate", bad)
                assert reply[0] == 4, reply
            assert await st.ok("Heartbeat", {})
            # Removed by the station: the reservation is over.
            _, r = await answering(st, api.post("/reservations", json={
                "station_id": "RU", "evse_id": 1, "id_token": "OWNER",
                "expires_at": in_seconds(600)}), {"status": "Accepted"})
            await st.ok("ReservationStatusUpdate", {"reservationId": r.json()["id"],
                                                    "reservationUpdateStatus": "Removed"})
            gone = (await api.get(f"/reservations/{r.json()['id']}")).json()
            assert (gone["status"], gone["active"]) == ("Cancelled", False)


def _started(tx_id: str, evse: int, token: str, **extra: Any) -> dict[str, Any]:
    return {"eventType": "Started", "timestamp": "2026-11-27T10:00:00Z",
            "triggerReason": "Authorized", "seqNo": 0,
            "transactionInfo": {"transactionId": tx_id},
            "evse": {"id": evse, "connectorId": 1},
            "idToken": {"idToken": token, "type": "ISO14443"}, **extra}


_BAD: list[tuple[str, str, Any]] = [
    ("post", "/reservations", {}),
    ("post", "/reservations", {"station_id": "RB", "id_token": "T"}),
    ("post", "/reservations", {"station_id": "RB", "id_token": "T", "expires_at": "soon"}),
    ("post", "/reservations", {"station_id": "RB", "id_token": "", "expires_at": "2099-01-01"}),
    ("post", "/reservations", {"station_id": "RB", "id_token": "T", "evse_id": -1,
                               "expires_at": "2099-01-01T00:00:00Z"}),
    ("post", "/reservations", {"station_id": "RB", "id_token": "T", "evse_id": 2**40,
                               "expires_at": "2099-01-01T00:00:00Z"}),
    ("post", "/reservations", {"station_id": "RB", "id_token": "T", "colour": "red",
                               "expires_at": "2099-01-01T00:00:00Z"}),
    ("post", "/reservations", {"station_id": "RB", "id_token": "T\x00",
                               "expires_at": "2099-01-01T00:00:00Z"}),
    ("post", "/reservations", {"station_id": "RB", "id_token": "T",
                               "expires_at": "2001-01-01T00:00:00Z"}),  # in the past
    ("post", "/reservations", ["RB"]),
    ("get", "/reservations?active=perhaps", None),
    ("get", "/reservations?limit=0", None),
    ("get", "/reservations?offset=-1", None),
    ("get", "/reservations/abc", None),
    ("get", "/reservations/-3", None),
    ("get", f"/reservations/{2**40}", None),
    ("delete", "/reservations/abc", None),
]


async def test_bad_input_is_422(api: httpx.AsyncClient) -> None:
    await api.post("/stations", json={"id": "RB"})
    for method, path, body in _BAD:
        kwargs = {"json": body} if body is not None else {}
        r = await api.request(method.upper(), path, **kwargs)
        assert_detail(r, 422)
    assert (await api.get("/reservations")).json() == []


async def test_unknown_ids_are_404(api: httpx.AsyncClient) -> None:
    assert_detail(await api.get("/reservations/12345"), 404)
    assert_detail(await api.delete("/reservations/12345"), 404)
    r = await api.post("/reservations", json={"station_id": "ghost", "id_token": "T",
                                              "expires_at": in_seconds(60)})
    assert "ghost" in assert_detail(r, 404)
    assert (await api.get("/health")).status_code == 200
