"""run() and the named scenarios: reconnects, boot retries, misbehaviour, polite shutdown."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from simulators import SimStation, StationConfig, StationConnectError, make_station
from simulators.scenarios import get_scenario, probe_bad_frames
from tests.simulators.conftest import StationFactory
from tests.simulators.fake_csms import FakeCsms


def station(csms: FakeCsms, protocol: str = "2.0.1", **kw: Any) -> SimStation:
    kw.setdefault("speed", 1000.0)
    kw.setdefault("call_timeout_s", 5.0)
    return make_station(csms.url, StationConfig(station_id=kw.pop("sid", "RUN1"),
                                                protocol=protocol, **kw))  # type: ignore[arg-type]


async def test_boot_scenario(csms: FakeCsms, protocol: str) -> None:
    st = station(csms, protocol, evses=2)
    await asyncio.wait_for(st.run(get_scenario("boot")), 5)
    actions = csms.actions("RUN1")
    assert actions[0] == "BootNotification"
    expected = 3 if protocol == "1.6" else 2  # 1.6 also reports connector 0
    assert actions[1:] == ["StatusNotification"] * expected
    assert not st.connected and csms.errors == []


async def test_charge_scenario_counts_sessions(csms: FakeCsms, protocol: str) -> None:
    st = station(csms, protocol, evses=2, seed=1)
    await asyncio.wait_for(st.run(get_scenario("charge"), sessions=3), 10)
    assert st.sessions_completed == 3
    assert st.energy_delivered_wh > 0
    stops = (csms.payloads("RUN1", "StopTransaction") if protocol == "1.6" else
             [e for e in csms.payloads("RUN1", "TransactionEvent") if e["eventType"] == "Ended"])
    assert len(stops) == 3
    assert csms.errors == []


async def test_boot_pending_is_retried(csms: FakeCsms) -> None:
    replies = iter(["Pending", "Rejected", "Accepted"])
    csms.overrides["BootNotification"] = lambda s, p: {
        "status": next(replies), "currentTime": "2024-01-01T00:00:00Z", "interval": 5}
    st = station(csms, "1.6")
    await asyncio.wait_for(st.run(get_scenario("boot")), 5)
    assert csms.actions("RUN1")[:3] == ["BootNotification"] * 3
    assert st.boots == 3 and st.boot_status == "Accepted" and st.heartbeat_interval == 5


async def test_reconnects_after_drop_without_reboot(csms: FakeCsms) -> None:
    st = station(csms, "2.0.1", speed=100.0)
    stop = asyncio.Event()
    task = asyncio.create_task(st.run(get_scenario("idle"), stop))
    await csms.wait_for("RUN1", "StatusNotification")
    await csms.sockets["RUN1"].close()
    await csms.wait_for("RUN1", "StatusNotification", count=2)
    assert csms.connects["RUN1"] == 2 and st.boots == 1
    stop.set()
    await asyncio.wait_for(task, 5)


async def test_stop_event_ends_transactions_politely(csms: FakeCsms, protocol: str) -> None:
    st = station(csms, protocol, speed=100.0)
    stop = asyncio.Event()
    task = asyncio.create_task(st.run(get_scenario("idle"), stop))
    await csms.wait_for("RUN1", "StatusNotification")
    await st.start_transaction(1)
    stop.set()
    await asyncio.wait_for(task, 5)
    assert not st.transactions and st.sessions_completed == 1
    assert not st.connected and csms.errors == []


async def test_flaky_scenario_resumes_transaction(csms: FakeCsms, protocol: str) -> None:
    st = station(csms, protocol, speed=100.0, meter_interval_s=5.0)
    await asyncio.wait_for(st.run(get_scenario("flaky"), sessions=1), 10)
    assert csms.connects["RUN1"] == 2 and st.boots == 1
    assert st.sessions_completed == 1
    if protocol == "1.6":
        assert len(csms.payloads("RUN1", "StopTransaction")) == 1
    else:
        events = csms.payloads("RUN1", "TransactionEvent")
        assert events[-1]["eventType"] == "Ended"
        seq = [e["seqNo"] for e in events]  # a retransmission after the drop may repeat one
        assert seq == sorted(seq) and sorted(set(seq)) == list(range(max(seq) + 1))
    assert csms.errors == []


async def test_bad_frames_get_call_errors(csms: FakeCsms, station_factory: StationFactory,
                                          protocol: str) -> None:
    st = await station_factory(protocol)
    replies = await probe_bad_frames(st, timeout=2.0)
    assert len(replies) == 4 and all(r.startswith("[4,") for r in replies)
    assert '"NotImplemented"' in replies[1]
    assert len(csms.errors) == 2  # the two schema-violating payloads


async def test_connect_failures_are_reported(csms: FakeCsms) -> None:
    csms.password = "pw"
    with pytest.raises(StationConnectError, match="HTTP 401"):
        await asyncio.wait_for(station(csms).run(get_scenario("idle")), 5)
    bad_path = make_station(csms.url.replace("/ocpp", "/nope"), StationConfig("X"))
    with pytest.raises(StationConnectError, match="HTTP 404"):
        await bad_path.run(get_scenario("idle"))
    refused = make_station("ws://127.0.0.1:1/ocpp", StationConfig("X"))
    with pytest.raises(StationConnectError):
        await refused.run(get_scenario("idle"))


def test_unknown_scenario() -> None:
    with pytest.raises(ValueError, match="charge"):
        get_scenario("nope")


async def test_heartbeats_follow_boot_interval(csms: FakeCsms, protocol: str) -> None:
    csms.heartbeat_interval = 10  # simulated seconds: 0.1 s of wall time at speed 100
    st = station(csms, protocol, speed=100.0)
    stop = asyncio.Event()
    task = asyncio.create_task(st.run(get_scenario("idle"), stop))
    await csms.wait_for("RUN1", "Heartbeat", count=3, timeout=3)
    stop.set()
    await asyncio.wait_for(task, 5)


async def test_reset_during_run_reboots_once(csms: FakeCsms, protocol: str) -> None:
    st = station(csms, protocol, speed=100.0)
    stop = asyncio.Event()
    task = asyncio.create_task(st.run(get_scenario("idle"), stop))
    await csms.wait_for("RUN1", "StatusNotification")
    await csms.call("RUN1", "Reset", {"type": "Hard"} if protocol == "1.6" else
                    {"type": "OnIdle"})
    await csms.wait_for("RUN1", "BootNotification", count=2)
    await csms.wait_for("RUN1", "StatusNotification", count=2)
    await asyncio.sleep(0.2)
    assert csms.connects["RUN1"] == 2 and st.connected
    stop.set()
    await asyncio.wait_for(task, 5)
