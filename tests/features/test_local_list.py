"""Local authorization lists end to end: full sync, differential updates after token changes,
version mismatch and refusals, the reconnect check, and a simulator charging offline from its
list with the transaction reaching csms later."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from simulators import AuthorizationRejected, make_station
from tests.api.support import assert_detail
from tests.conftest import ServerFactory, api_client
from tests.features.auth_support import (
    PROTOCOLS,
    RAW,
    answering,
    next_call,
    setup,
    sim_config,
    wait_for,
    ws_base,
)
from tests.helpers import BOOT_16, BOOT_201, raw_station


def _entries(protocol: str, payload: dict[str, Any]) -> dict[str, dict[str, Any] | None]:
    """token -> its info (None: removed) from a SendLocalList of either version."""
    if protocol == "1.6":
        return {e["idTag"]: e.get("idTagInfo") for e in payload["localAuthorizationList"]}
    return {e["idToken"]["idToken"]: e.get("idTokenInfo")
            for e in payload.get("localAuthorizationList", [])}


def _sent(st: Any) -> list[dict[str, Any]]:
    return [p for a, p in st.received if a == "SendLocalList"]


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_full_then_differential_after_token_changes(
    server_factory: ServerFactory, protocol: str
) -> None:
    server = await server_factory()
    version_key = "listVersion" if protocol == "1.6" else "versionNumber"
    group_key = "parentIdTag" if protocol == "1.6" else "groupIdToken"
    async with api_client(server) as api:
        await setup(api, "LL", "ALICE", "CAROL")
        r = await api.post("/id-tokens", json={"id_token": "BOB", "status": "Blocked",
                                               "group_id": "TEAM"})
        assert r.status_code == 201
        async with make_station(ws_base(server), sim_config("LL", protocol)) as st:
            await st.boot()
            before = (await api.get("/stations/LL/local-list")).json()
            assert (before["enrolled"], before["version"], before["pending_entries"]) == (
                False, 0, 3)
            r = await api.post("/stations/LL/local-list/sync")
            assert r.status_code == 200, r.text
            state = r.json()
            assert (state["version"], state["entries"], state["last_status"],
                    state["last_update"], state["needs_full"]) == (1, 3, "Accepted", "full", False)
            full = _sent(st)[0]
            assert (full["updateType"], full[version_key]) == ("Full", 1)
            entries = _entries(protocol, full)
            assert sorted(entries) == ["ALICE", "BOB", "CAROL"]
            assert entries["BOB"] is not None and entries["BOB"]["status"] == "Blocked"
            assert group_key in entries["BOB"]
            assert sorted(st.local_list) == ["ALICE", "BOB", "CAROL"]

            # Token changes: a debounced differential update with exactly what changed.
            assert (await api.patch("/id-tokens/BOB", json={"status": "Accepted"})
                    ).status_code == 200
            assert (await api.delete("/id-tokens/CAROL")).status_code == 204
            assert (await api.post("/id-tokens", json={"id_token": "DAVE"})).status_code == 201

            async def synced() -> bool:
                state = (await api.get("/stations/LL/local-list")).json()
                return state["entries"] == 3 and state["pending_entries"] == 3 and \
                    sorted(st.local_list) == ["ALICE", "BOB", "DAVE"]

            await wait_for(synced)
            diffs = _sent(st)[1:]
            assert diffs and all(d["updateType"] == "Differential" for d in diffs)
            changed: dict[str, Any] = {}
            for d in diffs:
                changed |= _entries(protocol, d)
            assert sorted(changed) == ["BOB", "CAROL", "DAVE"]  # ALICE is not re-sent
            assert changed["CAROL"] is None  # removal: no info
            assert changed["BOB"]["status"] == "Accepted"  # type: ignore[index]
            assert changed["DAVE"]["status"] == "Accepted"  # type: ignore[index]
            assert st.local_list_version == diffs[-1][version_key] == 1 + len(diffs)
            # Nothing changed: a forced differential sends nothing.
            r = await api.post("/stations/LL/local-list/sync", json={"full": False})
            assert r.status_code == 200 and len(_sent(st)) == 1 + len(diffs)
            version = await api.post("/stations/LL/commands/get-local-list-version")
            assert version.json() == {"status": "Accepted", "version": 1 + len(diffs)}


async def test_version_mismatch_refusals_and_the_reconnect_check(
    server_factory: ServerFactory,
) -> None:
    server = await server_factory()
    async with api_client(server) as api:
        await setup(api, "LR", "ALICE")
        async with raw_station(server, "LR") as st:
            await st.ok("BootNotification", BOOT_16)
            # A check may follow the boot; nothing is enrolled yet, so nothing is sent.
            frame, r = await answering(st, api.post("/stations/LR/local-list/sync"),
                                       {"status": "Failed"})
            assert (frame[2], frame[3]["updateType"]) == ("SendLocalList", "Full")
            state = r.json()
            assert (state["last_status"], state["needs_full"], state["version"]) == (
                "Failed", True, 0)
            frame, r = await answering(st, api.post("/stations/LR/local-list/sync",
                                                    json={"full": False}),
                                       {"status": "Accepted"})
            assert frame[3]["updateType"] == "Full"  # after a failure: the full list again
            assert frame[3]["listVersion"] == 1 and r.json()["version"] == 1

            # A token change: differential; the station's VersionMismatch brings the full list.
            assert (await api.post("/id-tokens", json={"id_token": "BOB"})).status_code == 201
            diff = await next_call(st)
            assert diff[3] == {"listVersion": 2, "updateType": "Differential",
                               "localAuthorizationList": [
                                   {"idTag": "BOB", "idTagInfo": {"status": "Accepted"}}]}
            await st.send([3, diff[1], {"status": "VersionMismatch"}])
            full = await next_call(st)
            assert (full[3]["updateType"], full[3]["listVersion"]) == ("Full", 2)
            assert [e["idTag"] for e in full[3]["localAuthorizationList"]] == ["ALICE", "BOB"]
            await st.send([3, full[1], {"status": "Accepted"}])

            async def full_acked() -> bool:
                s = (await api.get("/stations/LR/local-list")).json()
                return (s["version"], s["last_update"], s["last_status"]) == (
                    2, "full", "Accepted")

            await wait_for(full_acked)
        # Reconnecting: csms asks for the version; a station that lost its list gets it all.
        async with raw_station(server, "LR") as st:
            ask = await next_call(st)
            assert ask[2:] == ["GetLocalListVersion", {}]
            await st.send([3, ask[1], {"listVersion": 0}])
            full = await next_call(st)
            assert (full[2], full[3]["updateType"], full[3]["listVersion"]) == (
                "SendLocalList", "Full", 3)
            await st.send([3, full[1], {"status": "Accepted"}])
            await wait_for(lambda: _version_is(api, "LR", 3))
        # Reconnecting with the right version: nothing to send.
        async with raw_station(server, "LR") as st:
            ask = await next_call(st)
            await st.send([3, ask[1], {"listVersion": 3}])
            frame, r = await answering(st, api.post("/stations/LR/commands/clear-cache"),
                                       {"status": "Accepted"})
            assert frame[2] == "ClearCache"  # the next call: no SendLocalList came first


async def _version_is(api: httpx.AsyncClient, station_id: str, version: int) -> bool:
    return (await api.get(f"/stations/{station_id}/local-list")).json()["version"] == version  # type: ignore[no-any-return]


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_sync_failures_timeout_callerror_offline(
    server_factory: ServerFactory, protocol: str
) -> None:
    server = await server_factory(call_timeout=0.5)
    async with api_client(server) as api:
        await setup(api, "LF", "ALICE")
        assert_detail(await api.post("/stations/LF/local-list/sync"), 409)
        assert (await api.get("/stations/LF/local-list")).json()["enrolled"] is False
        async with raw_station(server, "LF", RAW[protocol]) as st:
            await st.ok("BootNotification", BOOT_16 if protocol == "1.6" else BOOT_201)
            assert_detail(await api.post("/stations/LF/local-list/sync"), 504)
            assert (await st.recv())[2] == "SendLocalList"  # too late
            state = (await api.get("/stations/LF/local-list")).json()
            assert (state["last_status"], state["needs_full"], state["version"]) == (
                "Error", True, 0)
            _, r = await answering(st, api.post("/stations/LF/local-list/sync"),
                                   error=("NotSupported", "no lists here"))
            assert assert_detail(r, 502)["error_code"] == "NotSupported"
            _, r = await answering(st, api.post("/stations/LF/local-list/sync"),
                                   {"status": "NotSupported"})
            assert (r.json()["last_status"], r.json()["needs_full"]) == ("NotSupported", True)
            reply = {"listVersion": -1} if protocol == "1.6" else {"versionNumber": 0}
            _, r = await answering(st, api.post("/stations/LF/commands/get-local-list-version"),
                                   reply)
            assert r.json()["status"] == ("NotSupported" if protocol == "1.6" else "Accepted")


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_simulator_charges_offline_from_its_list(
    server_factory: ServerFactory, protocol: str
) -> None:
    server = await server_factory()
    async with api_client(server) as api:
        await setup(api, "LO", "ALICE")
        async with make_station(ws_base(server), sim_config("LO", protocol)) as st:
            await st.boot()
            assert (await api.post("/stations/LO/local-list/sync")).status_code == 200
            st.drop_connection()
            await st.wait_offline(5)
            await wait_for(lambda: _disconnected(api, "LO"))
            with pytest.raises(AuthorizationRejected):  # not on the list: refused offline
                await st.charge(1, "MALLORY", duration_s=0.1)
            await st.charge(1, "ALICE", duration_s=0.5)  # authorized by the local list
            assert st.offline_queue and not await _transactions(api, "LO")
            await st.reconnect()
            assert not st.offline_queue

            async def arrived() -> bool:
                txs = await _transactions(api, "LO")
                return len(txs) == 1 and not txs[0]["active"]

            await wait_for(arrived)
            tx = (await _transactions(api, "LO"))[0]
            assert tx["id_token"] == "ALICE" and tx["stop_reason"] == "Local"
            if protocol == "2.0.1":
                assert tx["offline"] is True
            else:  # 1.6 has no offline flag; the station got its real id on replay
                assert int(tx["id"]) > 0 and st.transactions == {}


async def _disconnected(api: httpx.AsyncClient, station_id: str) -> bool:
    return (await api.get(f"/stations/{station_id}")).json()["connected"] is False  # type: ignore[no-any-return]


async def _transactions(api: httpx.AsyncClient, station_id: str) -> list[dict[str, Any]]:
    return (await api.get("/transactions", params={"station_id": station_id})).json()  # type: ignore[no-any-return]


@pytest.mark.parametrize(("method", "path", "body"), [
    ("post", "/stations/LB/local-list/sync", {"full": "perhaps"}),
    ("post", "/stations/LB/local-list/sync", {"colour": "red"}),
    ("post", "/stations/LB/local-list/sync", ["full"]),
    ("post", "/stations/LB/commands/get-local-list-version", {"version": 3}),
])
async def test_bad_input_is_422(api: httpx.AsyncClient, method: str, path: str, body: Any
                                ) -> None:
    await api.post("/stations", json={"id": "LB"})
    assert_detail(await api.request(method.upper(), path, json=body), 422)
    assert (await api.get("/stations/LB/local-list")).json()["enrolled"] is False


async def test_unknown_station_is_404(api: httpx.AsyncClient) -> None:
    assert_detail(await api.get("/stations/ghost/local-list"), 404)
    assert_detail(await api.post("/stations/ghost/local-list/sync"), 404)
    assert_detail(await api.post("/stations/ghost/commands/get-local-list-version"), 404)
