"""Availability end to end: change-availability is tracked per station, EVSE and connector;
Scheduled during a transaction, applied once the connector reports it after the stop."""

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
    setup,
    sim_config,
    wait_for,
    ws_base,
)
from tests.helpers import BOOT_16, BOOT_201, raw_station


async def _availability(api: httpx.AsyncClient, station_id: str) -> dict[str, Any]:
    r = await api.get(f"/stations/{station_id}/availability")
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def _request(view: dict[str, Any], evse: int, connector: int = 0) -> dict[str, Any]:
    return next(r for r in view["requests"]
                if (r["evse_id"], r["connector_id"]) == (evse, connector))


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_scheduled_during_a_transaction_then_applied(
    server_factory: ServerFactory, protocol: str
) -> None:
    server = await server_factory()
    cmd = "/stations/AV/commands/change-availability"
    async with api_client(server) as api:
        await setup(api, "AV", "ALICE")
        async with make_station(ws_base(server), sim_config("AV", protocol, evses=2)) as st:
            await st.boot()
            await st.announce()
            await st.start_transaction(1, "ALICE")
            r = await api.post(cmd, json={"evse_id": 1, "operative": False})
            assert r.json()["status"] == "Scheduled", r.text
            view = await _availability(api, "AV")
            req = _request(view, 1)
            assert (req["operative"], req["status"], req["state"]) == (False, "Scheduled",
                                                                      "scheduled")
            by_evse = {c["evse_id"]: c for c in view["connectors"]}
            assert by_evse[1]["scheduled_operative"] is False and by_evse[1]["operative"]
            assert by_evse[2]["scheduled_operative"] is None

            await st.stop_transaction(1)

            async def applied() -> bool:
                return _request(await _availability(api, "AV"), 1)["state"] == "applied"

            await wait_for(applied)
            view = await _availability(api, "AV")
            one = {c["evse_id"]: c for c in view["connectors"]}[1]
            assert (one["status"], one["operative"], one["scheduled_operative"]) == (
                "Unavailable", False, None)

            # Back to operative: nothing runs, so Accepted, applied once Available.
            r = await api.post(cmd, json={"evse_id": 1, "operative": True})
            assert r.json()["status"] == "Accepted"

            async def operative() -> bool:
                view = await _availability(api, "AV")
                return _request(view, 1)["state"] == "applied" and all(
                    c["operative"] for c in view["connectors"])

            await wait_for(operative)
            # A whole-station change and a refused one are tracked in their own scope.
            r = await api.post(cmd, json={"operative": False})
            assert r.json()["status"] == "Accepted"
            r = await api.post(cmd, json={"evse_id": 9, "operative": False})
            assert r.json()["status"] == "Rejected"

            async def station_down() -> bool:
                view = await _availability(api, "AV")
                return _request(view, 0)["state"] == "applied"

            await wait_for(station_down)
            view = await _availability(api, "AV")
            assert _request(view, 9)["state"] == "rejected"
            assert not any(c["operative"] for c in view["connectors"])


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_failures_record_nothing(server_factory: ServerFactory, protocol: str) -> None:
    server = await server_factory(call_timeout=0.5)
    cmd = "/stations/AF/commands/change-availability"
    async with api_client(server) as api:
        await setup(api, "AF")
        assert_detail(await api.post(cmd, json={"operative": False}), 409)
        async with raw_station(server, "AF", RAW[protocol]) as st:
            await st.ok("BootNotification", BOOT_16 if protocol == "1.6" else BOOT_201)
            assert_detail(await api.post(cmd, json={"operative": False}), 504)
            assert (await st.recv())[2] == "ChangeAvailability"  # too late
            _, r = await answering(st, api.post(cmd, json={"operative": False}),
                                   error=("InternalError", "no"))
            assert_detail(r, 502)
            assert (await _availability(api, "AF"))["requests"] == []
            # The station answers for a connector: 1.6 connector 2 is EVSE 2.
            body = {"connector_id": 2, "operative": False} if protocol == "1.6" else {
                "evse_id": 2, "connector_id": 1, "operative": False}
            frame, r = await answering(st, api.post(cmd, json=body), {"status": "Accepted"})
            expected = {"connectorId": 2, "type": "Inoperative"} if protocol == "1.6" else {
                "operationalStatus": "Inoperative", "evse": {"id": 2, "connectorId": 1}}
            assert frame[3] == expected
            req = (await _availability(api, "AF"))["requests"]
            scope = (2, 0) if protocol == "1.6" else (2, 1)
            assert [(x["evse_id"], x["connector_id"], x["state"]) for x in req] == [
                (*scope, "accepted")]  # no status report yet


async def test_bad_input(api: httpx.AsyncClient, server: Any) -> None:
    assert_detail(await api.get("/stations/ghost/availability"), 404)
    assert_detail(await api.get("/stations/a%00b/availability"), 422)
    await setup(api, "AB")
    async with raw_station(server, "AB", "ocpp2.0.1") as st:
        await st.ok("BootNotification", BOOT_201)
        # 2.0.1 names connectors within an EVSE: a bare connector is refused, nothing sent
        r = await api.post("/stations/AB/commands/change-availability",
                           json={"connector_id": 1, "operative": False})
        assert "evse_id" in assert_detail(r, 422)
        for body in ({"operative": "perhaps"}, {"evse_id": -1, "operative": True}, {}):
            r = await api.post("/stations/AB/commands/change-availability", json=body)
            assert_detail(r, 422)
        _, r = await answering(st, api.post("/stations/AB/commands/clear-cache"),
                               {"status": "Accepted"})
        assert r.status_code == 200  # the next call: nothing was sent before it
    assert (await _availability(api, "AB"))["requests"] == []
