"""Display messages (2.0.1 block O): set, get (NotifyDisplayMessages, stored), clear; 1.6 has
none and says so."""

from __future__ import annotations

from typing import Any

import httpx

from simulators import make_station
from tests.api.support import answer_call, assert_detail, command, register
from tests.conftest import ServerFactory, api_client
from tests.features.device_support import report_done, sim_config
from tests.helpers import BOOT_16, BOOT_201, raw_station


async def _listed(api: httpx.AsyncClient, sid: str) -> list[dict[str, Any]]:
    r = await api.get(f"/stations/{sid}/display-messages")
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


async def test_set_get_clear_with_the_simulator(server_factory: ServerFactory) -> None:
    server = await server_factory()
    url = f"ws://127.0.0.1:{server.ocpp_port}/ocpp"
    async with api_client(server) as api:
        await register(api, "DSP")
        async with make_station(url, sim_config("DSP", "2.0.1")) as st:
            await st.boot()
            cmd = "/stations/DSP/commands"
            r = await api.post(f"{cmd}/set-display-message", json={
                "priority": "NormalCycle", "message": {"content": "Welkom"}})
            assert r.json() == {"status": "Accepted", "id": 1}
            r = await api.post(f"{cmd}/set-display-message", json={
                "id": 5, "priority": "InFront", "state": "Charging", "evse_id": 1,
                "message": {"content": "<b>Green power now</b>", "format": "HTML",
                            "language": "nl"},
                "start_at": "2030-01-01T08:00:00Z", "end_at": "2030-01-01T18:00:00+02:00"})
            assert r.json() == {"status": "Accepted", "id": 5}
            sent = st.display_messages[5]  # type: ignore[attr-defined]
            assert sent["display"] == {"name": "Display", "evse": {"id": 1}}
            assert (sent["startDateTime"], sent["endDateTime"]) == (
                "2030-01-01T08:00:00.000Z", "2030-01-01T16:00:00.000Z")
            rows = await _listed(api, "DSP")
            assert [(m["id"], m["priority"], m["source"]) for m in rows] == [
                (1, "NormalCycle", "set"), (5, "InFront", "set")]
            assert rows[1]["message"] == {"content": "<b>Green power now</b>", "format": "HTML",
                                          "language": "nl"}
            assert rows[1]["end_at"].startswith("2030-01-01T16:00:00")

            # what the station reports replaces what csms set
            r = await api.post(f"{cmd}/get-display-messages")
            assert r.json()["status"] == "Accepted"
            done = await report_done(api, "DSP", r.json()["request_id"])
            assert (done["kind"], done["status"]) == ("DisplayMessages", "Complete")
            rows = await _listed(api, "DSP")
            assert [(m["id"], m["source"], m["evse_id"], m["state"]) for m in rows] == [
                (1, "reported", None, None), (5, "reported", 1, "Charging")]

            assert (await api.post(f"{cmd}/clear-display-message", json={"id": 1})
                    ).json() == {"status": "Accepted"}
            assert [m["id"] for m in await _listed(api, "DSP")] == [5]
            assert (await api.post(f"{cmd}/clear-display-message", json={"id": 99})
                    ).json() == {"status": "Unknown"}
            # a filtered request that finds nothing changes nothing
            r = await api.post(f"{cmd}/get-display-messages", json={"priority": "AlwaysFront"})
            assert r.json()["status"] == "Unknown"
            assert [m["id"] for m in await _listed(api, "DSP")] == [5]
            # the station lost its messages (a reboot): a full request finds none, and so
            # csms forgets them too
            st.display_messages.clear()  # type: ignore[attr-defined]
            r = await api.post(f"{cmd}/get-display-messages", json={})
            assert r.json()["status"] == "Unknown"
            assert await _listed(api, "DSP") == []


async def test_16_has_no_display_messages(api: httpx.AsyncClient, server: Any) -> None:
    await register(api, "DSP16")
    async with raw_station(server, "DSP16") as st:
        await st.ok("BootNotification", BOOT_16)
        for name, body in [("set-display-message", {"priority": "NormalCycle",
                                                    "message": {"content": "Hi"}}),
                           ("get-display-messages", {}), ("clear-display-message", {"id": 1})]:
            r = await api.post(f"/stations/DSP16/commands/{name}", json=body)
            assert "display messages" in assert_detail(r, 422)
        frame, _ = await command(api, st, "/stations/DSP16/commands/clear-cache", None,
                                 {"status": "Accepted"})
        assert frame[2] == "ClearCache"  # nothing was sent before
    assert await _listed(api, "DSP16") == []


async def test_multi_part_reports_and_failures(server_factory: ServerFactory) -> None:
    server = await server_factory(call_timeout=0.5)
    async with api_client(server) as api:
        await register(api, "DRAW")
        await register(api, "DOFF")
        cmd = "/stations/DRAW/commands"
        async with raw_station(server, "DRAW", "ocpp2.0.1") as st:
            await st.ok("BootNotification", BOOT_201)
            frame, r = await command(api, st, f"{cmd}/get-display-messages",
                                     {"ids": [3, 4], "request_id": 12}, {"status": "Accepted"})
            assert frame[3] == {"requestId": 12, "id": [3, 4]}
            info = {"priority": "NormalCycle", "message": {"format": "UTF8", "content": "x"}}
            await st.ok("NotifyDisplayMessages", {"requestId": 12, "tbc": True,
                                                  "messageInfo": [info | {"id": 3}]})
            assert [m["id"] for m in await _listed(api, "DRAW")] == [3]
            await st.ok("NotifyDisplayMessages", {"requestId": 12,
                                                  "messageInfo": [info | {"id": 4}]})
            assert [m["id"] for m in await _listed(api, "DRAW")] == [3, 4]
            done = await report_done(api, "DRAW", 12)
            assert done["parts"] == 2
            # refused, CALLERROR, timeout: nothing stored
            _, r = await command(api, st, f"{cmd}/set-display-message",
                                 {"id": 9, "priority": "AlwaysFront",
                                  "message": {"content": "no"}},
                                 {"status": "NotSupportedMessageFormat"})
            assert r.json()["status"] == "NotSupportedMessageFormat"
            _, r = await command(api, st, f"{cmd}/set-display-message",
                                 {"id": 9, "priority": "AlwaysFront",
                                  "message": {"content": "no"}},
                                 error=("InternalError", "display broken"))
            assert_detail(r, 502)
            r = await api.post(f"{cmd}/set-display-message", json={
                "id": 9, "priority": "AlwaysFront", "message": {"content": "late"}})
            assert_detail(r, 504)
            await answer_call(st, {"status": "Accepted"})  # too late
            assert [m["id"] for m in await _listed(api, "DRAW")] == [3, 4]
            _, r = await command(api, st, f"{cmd}/clear-display-message", {"id": 3},
                                 {"status": "Rejected"})
            assert r.json()["status"] == "Rejected"
            assert [m["id"] for m in await _listed(api, "DRAW")] == [3, 4]
            # garbage from the station
            for payload in ({"requestId": 1, "messageInfo": [{"id": 1}]},
                            {"messageInfo": []}, {"requestId": 1, "tbc": "yes"}):
                assert (await st.call("NotifyDisplayMessages", payload))[0] == 4
            bad = [{"priority": "Urgent", "message": {"content": "x"}},
                   {"priority": "InFront", "message": {"content": ""}},
                   {"priority": "InFront", "message": {"content": "x", "format": "PDF"}},
                   {"priority": "InFront", "message": {"content": "x"},
                    "start_at": "2030-01-02T00:00:00Z", "end_at": "2030-01-01T00:00:00Z"},
                   {"priority": "InFront", "message": {"content": "x"}, "colour": "red"},
                   {"priority": "InFront", "message": {"content": "x"}, "id": -1},
                   {"priority": "InFront", "message": {"content": "x" * 513}}]
            for body in bad:
                assert_detail(await api.post(f"{cmd}/set-display-message", json=body), 422)
            for body in ({"id": -1}, {}, {"id": "one"}):
                assert_detail(await api.post(f"{cmd}/clear-display-message", json=body), 422)
            for body in ({"ids": []}, {"priority": "Soon"}, {"state": "Sleeping"}):
                assert_detail(await api.post(f"{cmd}/get-display-messages", json=body), 422)
            assert (await st.call("Heartbeat", {}))[0] == 3
        r = await api.post("/stations/DOFF/commands/set-display-message", json={
            "priority": "InFront", "message": {"content": "x"}})
        assert "DOFF" in assert_detail(r, 409)
