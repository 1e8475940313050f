"""Metering set on boot, end to end with the simulators of both versions: after an accepted
boot the station holds the policy's measurands and intervals; a second boot sends nothing; a
policy change sends what changed; a refused setting is recorded and not asked again; new
firmware brings a resend; the API shows each answer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from simulators import SimStation, StationConfig, make_station
from simulators.v16 import Station16
from simulators.v201 import Station201
from tests.conftest import ServerFactory, api_client
from tests.e2e.test_smart_charging import eventually
from tests.helpers import BOOT_16, raw_station

VERSIONS = ["1.6", "2.0.1"]
DEFAULT_SAMPLED = "Energy.Active.Import.Register,Power.Active.Import,Current.Import,SoC"
WRITES = ("ChangeConfiguration", "SetVariables")


def held(sim: SimStation, setting: str) -> str:
    """What the simulator holds for a setting (its own key or variable)."""
    if isinstance(sim, Station16):
        key = {"sampled": "MeterValuesSampledData", "interval": "MeterValueSampleInterval",
               "aligned": "MeterValuesAlignedData", "aligned_interval": "ClockAlignedDataInterval",
               "ended": "StopTxnSampledData"}[setting]
        return sim.config.keys[key].value
    assert isinstance(sim, Station201)
    component, variable = {
        "sampled": ("SampledDataCtrlr", "TxUpdatedMeasurands"),
        "interval": ("SampledDataCtrlr", "TxUpdatedInterval"),
        "aligned": ("AlignedDataCtrlr", "Measurands"),
        "aligned_interval": ("AlignedDataCtrlr", "Interval"),
        "ended": ("SampledDataCtrlr", "TxEndedMeasurands")}[setting]
    return sim.device.value(component, variable)


def written(sim: SimStation) -> list[tuple[str, str]]:
    """Every (key, value) csms wrote to the simulator, in order."""
    out = []
    for action, p in sim.received:
        if action == "ChangeConfiguration":
            out.append((p["key"], p["value"]))
        elif action == "SetVariables":
            out += [(f"{d['component']['name']}.{d['variable']['name']}", d["attributeValue"])
                    for d in p["setVariableData"]]
    return out


async def metering(api: httpx.AsyncClient, sid: str) -> dict[str, Any]:
    r = await api.get(f"/stations/{sid}/configuration-policy")
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def settled(api: httpx.AsyncClient, sid: str, version: int = 0) -> Any:
    async def check() -> dict[str, Any] | None:
        view = await metering(api, sid)
        # a change sends only what changed: the rest keeps the version it was asked under
        done = view["up_to_date"] and len(view["settings"]) == 5 and max(
            s["policy_version"] for s in view["settings"]) == version
        return view if done else None
    return check


@asynccontextmanager
async def station(server: Any, sid: str, protocol: str) -> AsyncIterator[SimStation]:
    url = f"ws://127.0.0.1:{server.ocpp_port}/ocpp"
    sim = make_station(url, StationConfig(station_id=sid, protocol=protocol))  # type: ignore[arg-type]
    async with sim:
        assert await sim.boot() == "Accepted"
        yield sim


async def new_site(api: httpx.AsyncClient, sid: str) -> None:
    site = {"id": "depot", "name": "Depot", "grid_limit_kw": 50.0}
    assert (await api.post("/sites", json=site)).status_code == 201
    assert (await api.post("/stations", json={"id": sid, "site_id": "depot"})).status_code == 201


@pytest.mark.parametrize("protocol", VERSIONS)
async def test_boot_sets_the_policy_once_and_a_change_sends_what_changed(
    server_factory: ServerFactory, protocol: str,
) -> None:
    server = await server_factory(station_setup=True, station_setup_delay_s=0.1)
    sid = f"MS-{protocol}"
    async with api_client(server) as api:
        await new_site(api, sid)
        policy = (await api.get("/sites/depot/station-configuration")).json()
        assert policy["source"] == "default" and policy["version"] == 0
        async with station(server, sid, protocol) as sim:
            view = await eventually(settled(api, sid))
            assert {s["setting"]: s["status"] for s in view["settings"]} == {
                "sampled_measurands": "Accepted", "sample_interval_s": "Accepted",
                "aligned_measurands": "Accepted", "aligned_interval_s": "Accepted",
                "ended_measurands": "Accepted"}
            assert held(sim, "sampled") == DEFAULT_SAMPLED
            assert held(sim, "interval") == "60" and sim.meter_interval_s == 60.0
            assert held(sim, "aligned_interval") == "900"
            assert held(sim, "ended") == "Energy.Active.Import.Register"
            first = written(sim)
            assert len(first) == 5
            # the device model view (GET .../variables) knows the values as well
            key = ("MeterValueSampleInterval" if protocol == "1.6"
                   else "SampledDataCtrlr.TxUpdatedInterval")
            rows = (await api.get(f"/stations/{sid}/variables")).json()
            assert [r["value"] for r in rows if r["key"] == key] == ["60"]

            await sim.reboot()
            assert sim.boots == 2
            # The change is the sync point: once it arrived, the reboot's set-up has run too.
            r = await api.put("/sites/depot/station-configuration",
                              json={"sample_interval_s": 30})
            assert r.status_code == 200, r.text
            assert r.json()["source"] == "site" and r.json()["version"] == 1
            await eventually(settled(api, sid, version=1))
            assert held(sim, "interval") == "30" and sim.meter_interval_s == 30.0
            assert written(sim)[len(first):] == [(key, "30")]  # the reboot sent nothing


@pytest.mark.parametrize("protocol", VERSIONS)
async def test_a_refused_setting_is_recorded_and_not_asked_again(
    server_factory: ServerFactory, protocol: str,
) -> None:
    server = await server_factory(station_setup=True, station_setup_delay_s=0.1)
    sid = f"MR-{protocol}"
    async with api_client(server) as api:
        await new_site(api, sid)
        # The simulators refuse measurands they cannot measure.
        r = await api.put("/sites/depot/station-configuration",
                          json={"aligned_measurands": ["Temperature"]})
        assert r.status_code == 200, r.text
        async with station(server, sid, protocol) as sim:
            view = await eventually(settled(api, sid, version=1))
            status = {s["setting"]: s for s in view["settings"]}
            assert status["aligned_measurands"]["status"] == "Rejected"
            assert status["aligned_measurands"]["requested"] == "Temperature"
            assert status["sample_interval_s"]["status"] == "Accepted"
            assert view["pending"] == []
            asked = [v for k, v in written(sim) if v == "Temperature"]
            assert len(asked) == 1

            await sim.reboot()
            await sim.reboot()
            r = await api.put("/sites/depot/station-configuration",
                              json={"aligned_measurands": ["Temperature"],
                                    "ended_measurands": ["Energy.Active.Import.Register",
                                                         "Power.Active.Import"]})
            assert r.status_code == 200, r.text
            await eventually(settled(api, sid, version=2))
            assert [v for k, v in written(sim) if v == "Temperature"] == asked
            assert held(sim, "ended") == "Energy.Active.Import.Register,Power.Active.Import"


@pytest.mark.parametrize("protocol", VERSIONS)
async def test_missing_keys_and_soc_are_handled_as_the_station_answers(
    server_factory: ServerFactory, protocol: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A station without clock-aligned data says so (1.6 NotSupported, 2.0.1
    UnknownComponent); one that cannot measure SoC gets the list without it."""
    import simulators.metering as metering_model
    monkeypatch.setattr(metering_model, "SUPPORTED_MEASURANDS",
                        metering_model.SUPPORTED_MEASURANDS - {"SoC"})
    server = await server_factory(station_setup=True, station_setup_delay_s=0.1)
    sid = f"MK-{protocol}"
    url = f"ws://127.0.0.1:{server.ocpp_port}/ocpp"
    sim = make_station(url, StationConfig(station_id=sid, protocol=protocol))  # type: ignore[arg-type]
    if isinstance(sim, Station16):
        del sim.config.keys["ClockAlignedDataInterval"]
        missing = "NotSupported"
    else:
        assert isinstance(sim, Station201)
        sim.device.variables = [v for v in sim.device.variables
                                if v.component != "AlignedDataCtrlr"]
        missing = "UnknownComponent"
    async with api_client(server) as api:
        assert (await api.post("/stations", json={"id": sid})).status_code == 201
        async with sim:
            assert await sim.boot() == "Accepted"
            view = await eventually(settled(api, sid))
            status = {s["setting"]: s for s in view["settings"]}
            assert status["aligned_interval_s"]["status"] == missing
            sampled = status["sampled_measurands"]
            assert sampled["status"] == "Accepted"
            assert sampled["requested"] == DEFAULT_SAMPLED
            assert sampled["value"] == DEFAULT_SAMPLED.removesuffix(",SoC")
            assert held(sim, "sampled") == sampled["value"]
            assert view["policy"]["source"] == "default"


@pytest.mark.parametrize("protocol", VERSIONS)
async def test_new_firmware_gets_the_settings_again(
    server_factory: ServerFactory, protocol: str,
) -> None:
    server = await server_factory(station_setup=True, station_setup_delay_s=0.1)
    sid = f"MF-{protocol}"
    async with api_client(server) as api:
        assert (await api.post("/stations", json={"id": sid})).status_code == 201
        async with station(server, sid, protocol) as sim:
            await eventually(settled(api, sid))
            before = len(written(sim))
            # A firmware update that put the station's configuration back to factory values.
            if isinstance(sim, Station16):
                sim.config.keys["MeterValueSampleInterval"].value = "10"
            else:
                assert isinstance(sim, Station201)
                sim.device.lookup("SampledDataCtrlr", "TxUpdatedInterval").value = "10"
            sim.cfg.firmware = "2.0.0"
            await sim.reboot(boot_reason="FirmwareUpdate")

            async def resent() -> bool:
                view = await metering(api, sid)
                return all(s["firmware_version"] == "2.0.0" for s in view["settings"])

            await eventually(resent)
            assert len(written(sim)) == before * 2
            assert held(sim, "interval") == "60"


async def test_bad_policies_are_refused_and_change_nothing(server_factory: ServerFactory) -> None:
    server = await server_factory()
    async with api_client(server) as api:
        await new_site(api, "MB-1")
        for body in ({"sampled_measurands": ["Energy.Active.Import.Register", "Joy"]},
                     {"sample_interval_s": -1}, {"sampled_measurands": []},
                     {"aligned_interval_s": 86_401}, {"colour": "green"},
                     {"ended_measurands": ["SoC", "SoC"]}):
            r = await api.put("/sites/depot/station-configuration", json=body)
            assert r.status_code == 422, (body, r.text)
            assert "detail" in r.json()
        r = await api.get("/sites/depot/station-configuration")
        assert r.json()["version"] == 0
        assert (await api.get("/sites/nowhere/station-configuration")).status_code == 404
        r = await api.put("/sites/nowhere/station-configuration", json={})
        assert r.status_code == 404
        assert (await api.get("/stations/nobody/configuration-policy")).status_code == 404
        view = await metering(api, "MB-1")
        assert view["settings"] == [] and not view["up_to_date"] and len(view["pending"]) == 5


@pytest.mark.parametrize("protocol", VERSIONS)
async def test_the_simulators_send_clock_aligned_readings_once_told(
    server_factory: ServerFactory, protocol: str,
) -> None:
    """The simulators follow what csms set: clock-aligned readings of the aligned measurands
    (here every 60 simulated seconds, 1 s of wall time at 60x)."""
    server = await server_factory(station_setup=True, station_setup_delay_s=0.1)
    sid = f"MA-{protocol}"
    async with api_client(server) as api:
        await new_site(api, sid)
        r = await api.put("/sites/depot/station-configuration",
                          json={"aligned_interval_s": 60,
                                "aligned_measurands": ["Energy.Active.Import.Register",
                                                       "Voltage"]})
        assert r.status_code == 200, r.text
        url = f"ws://127.0.0.1:{server.ocpp_port}/ocpp"
        sim = make_station(url, StationConfig(station_id=sid, protocol=protocol,  # type: ignore[arg-type]
                                              speed=60.0))
        async with sim:
            assert await sim.boot() == "Accepted"
            await eventually(settled(api, sid, version=1))
            assert sim.aligned_interval_s == 60.0

            async def aligned() -> list[Any]:
                frames = (await api.get(f"/stations/{sid}/messages")).json()
                return [m["frame"] for m in frames if m["direction"] == "in"
                        and "Sample.Clock" in str(m["frame"])]

            frame = str((await eventually(aligned))[0])
            assert "MeterValues" in frame and "Voltage" in frame


async def test_the_boot_reply_comes_first_and_a_silent_station_keeps_what_it_answered(
    server_factory: ServerFactory,
) -> None:
    """A raw 1.6 station: the BootNotification reply arrives before any set-up call; the
    station answers the first ChangeConfiguration and then goes silent: that answer is kept,
    the rest is recorded as Failed and stays due (asked again at the next boot)."""
    server = await server_factory(station_setup=True, station_setup_delay_s=0.0,
                                  call_timeout=1.0)
    async with api_client(server) as api:
        assert (await api.post("/stations", json={"id": "RAW-1"})).status_code == 201
        async with raw_station(server, "RAW-1") as st:
            await st.send([2, "b1", "BootNotification", BOOT_16])
            reply = await st.recv()
            assert reply[:2] == [3, "b1"] and reply[2]["status"] == "Accepted"
            first = await st.recv()
            assert first[0] == 2 and first[2] == "ChangeConfiguration"
            await st.send([3, first[1], {"status": "Accepted"}])

            async def recorded() -> dict[str, Any] | None:
                view = await metering(api, "RAW-1")
                return view if len(view["settings"]) == 5 else None

            view = await eventually(recorded)
            status = {s["key"]: s["status"] for s in view["settings"]}
            assert status.pop(first[3]["key"]) == "Accepted"
            assert set(status.values()) == {"Failed"}
            assert len(view["pending"]) == 4 and not view["up_to_date"]
