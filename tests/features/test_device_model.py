"""Device model (2.0.1) and configuration (1.6): reports and keys stored as an inventory per
station, configuration writes, monitoring, events and network profiles; end to end with the
simulators, failure paths with raw stations."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from simulators import make_station
from tests.api.support import answer_call, assert_detail, command, register
from tests.conftest import ServerFactory, api_client
from tests.features.device_support import report_done, sim_config, wait_for
from tests.helpers import BOOT_16, BOOT_201, raw_station


def _one(rows: list[dict[str, Any]], key: str) -> dict[str, Any]:
    found = [r for r in rows if r["key"] == key]
    assert len(found) == 1, (key, rows)
    return found[0]


async def _variables(api: httpx.AsyncClient, sid: str, **params: Any) -> list[dict[str, Any]]:
    r = await api.get(f"/stations/{sid}/variables", params=params)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


# --- 2.0.1 with the simulator ----------------------------------------------------------------

async def test_base_report_inventory_and_variable_writes_201(server_factory: ServerFactory) -> None:
    server = await server_factory()
    url = f"ws://127.0.0.1:{server.ocpp_port}/ocpp"
    async with api_client(server) as api:
        await register(api, "DM201")
        async with make_station(url, sim_config("DM201", "2.0.1")) as st:
            await st.boot()
            cmd = "/stations/DM201/commands"
            r = await api.post(f"{cmd}/get-base-report", json={"report_base": "FullInventory"})
            assert r.status_code == 200 and r.json()["status"] == "Accepted", r.text
            request_id = r.json()["request_id"]
            done = await report_done(api, "DM201", request_id)
            assert (done["kind"], done["status"]) == ("FullInventory", "Complete")
            assert done["parts"] >= 3  # the simulator sends 20 variables a part (tbc)
            everything = await _variables(api, "DM201")
            assert len(everything) == len(st.device.variables)  # type: ignore[attr-defined]
            hb = _one(everything, "OCPPCommCtrlr.HeartbeatInterval")
            assert (hb["value"], hb["readonly"], hb["source"]) == ("300", False, "report")
            assert hb["characteristics"]["data_type"] == "integer"
            assert hb["request_id"] == request_id
            evse = await _variables(api, "DM201", component="EVSE", variable="Power")
            assert evse[0]["component"] == {"name": "EVSE", "instance": None, "evse_id": 1,
                                            "connector_id": None}
            instances = await _variables(api, "DM201", component="DeviceDataCtrlr",
                                         variable="ItemsPerMessage")
            assert {v["variable_instance"] for v in instances} == {
                "GetReport", "GetVariables", "SetVariables"}

            # SetVariables: Accepted updates the stored value, RebootRequired says so
            r = await api.post(f"{cmd}/set-configuration",
                               json={"key": "OCPPCommCtrlr.HeartbeatInterval", "value": "60"})
            assert r.json() == {"status": "Accepted", "reboot_required": False}
            hb = _one(await _variables(api, "DM201", variable="HeartbeatInterval"),
                      "OCPPCommCtrlr.HeartbeatInterval")
            assert (hb["value"], hb["source"]) == ("60", "report")
            r = await api.post(f"{cmd}/set-configuration", json={
                "key": "OCPPCommCtrlr.NetworkConfigurationPriority", "value": "1"})
            assert r.json() == {"status": "RebootRequired", "reboot_required": True}
            r = await api.post(f"{cmd}/set-configuration",
                               json={"key": "ChargingStation.Model", "value": "Hacked"})
            assert r.json()["status"] == "Rejected"
            model = _one(await _variables(api, "DM201", component="ChargingStation",
                                          variable="Model"), "ChargingStation.Model")
            assert model["value"] == "SimCharger"
            # GetVariables results refresh values too
            st.device.lookup("OCPPCommCtrlr", "OfflineThreshold").value = "99"  # type: ignore[attr-defined]
            r = await api.post(f"{cmd}/get-configuration",
                               json={"keys": ["OCPPCommCtrlr.OfflineThreshold"]})
            assert r.json()["configuration"][0]["value"] == "99"
            row = await _variables(api, "DM201", variable="OfflineThreshold")
            assert row[0]["value"] == "99"


async def test_custom_reports_and_summary_201(server_factory: ServerFactory) -> None:
    server = await server_factory()
    url = f"ws://127.0.0.1:{server.ocpp_port}/ocpp"
    async with api_client(server) as api:
        await register(api, "DMR")
        async with make_station(url, sim_config("DMR", "2.0.1")) as st:
            await st.boot()
            cmd = "/stations/DMR/commands"
            r = await api.post(f"{cmd}/get-report", json={
                "request_id": 4242,
                "component_variables": [{"component": "SampledDataCtrlr"},
                                        {"component": "EVSE", "evse_id": 1,
                                         "variable": "Power"}]})
            assert r.json() == {"status": "Accepted", "request_id": 4242}
            done = await report_done(api, "DMR", 4242)
            assert (done["kind"], done["status"], done["parts"]) == ("Custom", "Complete", 1)
            got = {v["key"] for v in await _variables(api, "DMR")}
            assert "SampledDataCtrlr.TxUpdatedInterval" in got and "EVSE.Power" in got
            assert not any(k.startswith("OCPPCommCtrlr.") for k in got)
            call = next(p for a, p in st.received if a == "GetReport")
            assert call["componentVariable"][1] == {
                "component": {"name": "EVSE", "evse": {"id": 1}}, "variable": {"name": "Power"}}
            # nothing matches: EmptyResultSet, recorded as the request's outcome
            r = await api.post(f"{cmd}/get-report",
                               json={"component_variables": [{"component": "Nope"}]})
            assert r.json()["status"] == "EmptyResultSet"
            done = await report_done(api, "DMR", r.json()["request_id"])
            assert done["status"] == "EmptyResultSet"
            r = await api.post(f"{cmd}/get-report", json={"component_criteria": ["Available"]})
            assert r.json()["status"] == "Accepted"
            r = await api.post(f"{cmd}/get-base-report", json={"report_base": "SummaryInventory"})
            done = await report_done(api, "DMR", r.json()["request_id"])
            assert done["kind"] == "SummaryInventory"
            avail = await _variables(api, "DMR", variable="AvailabilityState")
            assert {v["component"]["name"] for v in avail} == {"EVSE", "Connector"}


async def test_monitoring_events_and_network_profile_201(server_factory: ServerFactory) -> None:
    server = await server_factory()
    url = f"ws://127.0.0.1:{server.ocpp_port}/ocpp"
    async with api_client(server) as api:
        await register(api, "MON", password="s3cret-pass")
        cfg = sim_config("MON", "2.0.1", password="s3cret-pass")
        async with make_station(url, cfg) as st:
            await st.boot()
            cmd = "/stations/MON/commands"
            r = await api.post(f"{cmd}/set-variable-monitoring", json={"monitors": [
                {"component": "OCPPCommCtrlr", "variable": "HeartbeatInterval", "type": "Delta",
                 "value": 1, "severity": 5},
                {"component": "ChargingStation", "variable": "Model", "type": "UpperThreshold",
                 "value": 10, "severity": 5},
                {"component": "Nope", "variable": "X", "type": "Delta", "value": 1,
                 "severity": 1}]})
            body = r.json()
            assert body["status"] == "Partial", body
            assert [x["status"] for x in body["results"]] == [
                "Accepted", "Rejected", "UnknownComponent"]
            monitor_id = body["results"][0]["id"]
            monitors = (await api.get("/stations/MON/monitors")).json()
            assert [(m["id"], m["variable"], m["type"], m["value"]) for m in monitors] == [
                (monitor_id, "HeartbeatInterval", "Delta", "1")]

            # the monitor trips on a write: NotifyEvent, listed with its monitor id
            r = await api.post(f"{cmd}/set-configuration",
                               json={"key": "OCPPCommCtrlr.HeartbeatInterval", "value": "90"})
            assert r.json()["status"] == "Accepted"

            async def events() -> list[dict[str, Any]]:
                rows: list[dict[str, Any]] = (await api.get("/stations/MON/device-events")).json()
                return rows

            rows = await wait_for(events)
            assert rows[0]["variable_monitoring_id"] == monitor_id
            assert (rows[0]["trigger"], rows[0]["actual_value"]) == ("Delta", "90")
            assert rows[0]["component"]["name"] == "OCPPCommCtrlr"
            filtered = await api.get("/stations/MON/device-events",
                                     params={"component": "EVSE"})
            assert filtered.json() == []

            # a full monitoring report replaces the stored monitors
            r = await api.post(f"{cmd}/get-monitoring-report", json={})
            assert r.json()["status"] == "Accepted"
            done = await report_done(api, "MON", r.json()["request_id"])
            assert (done["kind"], done["status"]) == ("Monitoring", "Complete")
            assert [m["id"] for m in (await api.get("/stations/MON/monitors")).json()] == [
                monitor_id]
            r = await api.post(f"{cmd}/get-monitoring-report",
                               json={"criteria": ["ThresholdMonitoring"]})
            assert r.json()["status"] == "EmptyResultSet"
            r = await api.post(f"{cmd}/clear-variable-monitoring", json={"ids": [monitor_id, 999]})
            assert [x["status"] for x in r.json()["results"]] == ["Accepted", "NotFound"]
            assert (await api.get("/stations/MON/monitors")).json() == []
            assert (await api.post(f"{cmd}/set-monitoring-base", json={"base": "All"})
                    ).json()["status"] == "Accepted"
            assert (await api.post(f"{cmd}/set-monitoring-level", json={"severity": 3})
                    ).json()["status"] == "Accepted"
            assert st.monitoring_level == 3  # type: ignore[attr-defined]

            profile = {"csms_url": "wss://csms.example/ocpp", "ocpp_interface": "Wired0"}
            r = await api.post(f"{cmd}/set-network-profile", json={
                "configuration_slot": 1, "profile": profile | {"security_profile": 0}})
            assert r.json() == {"status": "Rejected", "reason": "NoSecurityDowngrade"}
            r = await api.post(f"{cmd}/set-network-profile", json={
                "configuration_slot": 1, "profile": profile | {"security_profile": 2}})
            assert r.json() == {"status": "Accepted"}
            assert st.network_profiles[1]["ocppCsmsUrl"] == "wss://csms.example/ocpp"  # type: ignore[attr-defined]
            assert st.network_profiles[1]["messageTimeout"] == 30  # type: ignore[attr-defined]


# --- 1.6 with the simulator ------------------------------------------------------------------

async def test_configuration_keys_are_the_inventory_16(server_factory: ServerFactory) -> None:
    server = await server_factory()
    url = f"ws://127.0.0.1:{server.ocpp_port}/ocpp"
    async with api_client(server) as api:
        await register(api, "CFG16")
        async with make_station(url, sim_config("CFG16", "1.6")) as st:
            await st.boot()
            cmd = "/stations/CFG16/commands"
            r = await api.post(f"{cmd}/get-configuration")
            assert r.json()["status"] == "Accepted"
            rows = await _variables(api, "CFG16")
            assert len(rows) == len(st.config.keys)  # type: ignore[attr-defined]
            hb = _one(rows, "HeartbeatInterval")
            assert (hb["component"], hb["value"], hb["readonly"], hb["source"]) == (
                None, "300", False, "configuration")
            assert _one(rows, "NumberOfConnectors")["readonly"] is True
            assert len(await _variables(api, "CFG16", variable="HeartbeatInterval")) == 1

            r = await api.post(f"{cmd}/set-configuration",
                               json={"key": "HeartbeatInterval", "value": "120"})
            assert r.json() == {"status": "Accepted", "reboot_required": False}
            assert _one(await _variables(api, "CFG16"), "HeartbeatInterval")["value"] == "120"
            r = await api.post(f"{cmd}/set-configuration",
                               json={"key": "ConnectorPhaseRotation", "value": "1.RST"})
            assert r.json() == {"status": "RebootRequired", "reboot_required": True}
            assert _one(await _variables(api, "CFG16"), "ConnectorPhaseRotation")["value"] == (
                "1.RST")
            r = await api.post(f"{cmd}/set-configuration",
                               json={"key": "NumberOfConnectors", "value": "9"})
            assert r.json()["status"] == "Rejected"
            assert _one(await _variables(api, "CFG16"), "NumberOfConnectors")["value"] == "1"

            # the whole list again: a key the station no longer has is forgotten
            del st.config.keys["WebSocketPingInterval"]  # type: ignore[attr-defined]
            await api.post(f"{cmd}/get-configuration")
            keys = {v["key"] for v in await _variables(api, "CFG16")}
            assert "WebSocketPingInterval" not in keys and "HeartbeatInterval" in keys

            # what only 2.0.1 has: a clear 422, nothing sent
            for name, body, words in [
                ("get-base-report", {"report_base": "FullInventory"}, "get-configuration"),
                ("get-report", {}, "get-configuration"),
                ("set-network-profile", {"configuration_slot": 1, "profile": {
                    "csms_url": "ws://x/ocpp", "security_profile": 1,
                    "ocpp_interface": "Wired0"}}, "SetNetworkProfile"),
                ("set-monitoring-level", {"severity": 1}, "monitoring"),
                ("get-monitoring-report", {}, "monitoring"),
            ]:
                before = len(st.received)
                r = await api.post(f"{cmd}/{name}", json=body)
                assert words in assert_detail(r, 422), (name, r.text)
                assert len(st.received) == before
            r = await api.get("/stations/CFG16/device-reports")
            assert r.json() == []


# --- failure paths with raw stations --------------------------------------------------------

def _report(request_id: int, seq: int, tbc: bool, *names: str) -> dict[str, Any]:
    return {"requestId": request_id, "generatedAt": "2025-03-14T09:31:00Z", "seqNo": seq,
            "tbc": tbc, "reportData": [{
                "component": {"name": "Ctrl"}, "variable": {"name": n},
                "variableAttribute": [{"type": "Actual", "value": "1", "mutability": "ReadOnly"},
                                      {"type": "Target", "value": "2"}],
                "variableCharacteristics": {"dataType": "decimal", "unit": "kW", "minLimit": 0,
                                            "maxLimit": 22.5, "supportsMonitoring": True}}
                for n in names]}


async def test_multi_part_reports_replace_the_inventory(api: httpx.AsyncClient,
                                                        server: Any) -> None:
    await _multi_part_flow(api, server)


async def test_device_model_on_postgresql(server_factory: ServerFactory,
                                          postgres_url: str) -> None:
    server = await server_factory(database_url=postgres_url)
    async with api_client(server) as api:
        await _multi_part_flow(api, server)
        async with raw_station(server, "RAWDM", "ocpp2.0.1") as st:
            await st.ok("BootNotification", BOOT_201)
            await st.ok("NotifyEvent", {"generatedAt": "2025-03-14T09:31:00Z", "seqNo": 0,
                                        "eventData": [{
                "eventId": 3, "timestamp": "2025-03-14T09:31:00Z", "trigger": "Delta",
                "actualValue": "7", "eventNotificationType": "CustomMonitor", "cleared": True,
                "component": {"name": "EVSE", "evse": {"id": 1, "connectorId": 2}},
                "variable": {"name": "Power"}, "variableMonitoringId": 4}]})
            await st.ok("NotifyMonitoringReport", {
                "requestId": 3, "seqNo": 0, "generatedAt": "2025-03-14T09:31:00Z", "monitor": [{
                    "component": {"name": "EVSE"}, "variable": {"name": "Power"},
                    "variableMonitoring": [{"id": 4, "transaction": True, "value": 1.5,
                                            "type": "Delta", "severity": 2}]}]})
        event = (await api.get("/stations/RAWDM/device-events")).json()[0]
        assert (event["component"]["connector_id"], event["cleared"]) == (2, True)
        monitor = (await api.get("/stations/RAWDM/monitors")).json()[0]
        assert (monitor["value"], monitor["transaction"]) == ("1.5", True)


async def _multi_part_flow(api: httpx.AsyncClient, server: Any) -> None:
    await register(api, "RAWDM")
    async with raw_station(server, "RAWDM", "ocpp2.0.1") as st:
        await st.ok("BootNotification", BOOT_201)
        path = "/stations/RAWDM/commands/get-base-report"
        frame, r = await command(api, st, path, {"report_base": "FullInventory",
                                                 "request_id": 7}, {"status": "Accepted"})
        assert frame[2:] == ["GetBaseReport", {"requestId": 7, "reportBase": "FullInventory"}]
        assert r.json() == {"status": "Accepted", "request_id": 7}
        assert await st.ok("NotifyReport", _report(7, 0, True, "A", "B")) == {}
        row = (await api.get("/stations/RAWDM/device-reports")).json()[0]
        assert (row["status"], row["parts"], row["completed_at"]) == ("Accepted", 1, None)
        await st.ok("NotifyReport", _report(7, 1, False, "C"))
        row = (await api.get("/stations/RAWDM/device-reports")).json()[0]
        assert (row["status"], row["parts"]) == ("Complete", 2)
        rows = (await api.get("/stations/RAWDM/variables")).json()
        assert [v["key"] for v in rows] == ["Ctrl.A", "Ctrl.B", "Ctrl.C"]
        a = rows[0]
        assert [(x["type"], x["value"]) for x in a["attributes"]] == [("Actual", "1"),
                                                                    ("Target", "2")]
        assert (a["value"], a["readonly"]) == ("1", True)
        assert a["characteristics"] == {"data_type": "decimal", "unit": "kW", "min_limit": "0",
                                        "max_limit": "22.5", "values_list": None,
                                        "supports_monitoring": True}
        # a configuration inventory adds, a new full inventory replaces
        _, r = await command(api, st, path, {"report_base": "ConfigurationInventory",
                                             "request_id": 8}, {"status": "Accepted"})
        await st.ok("NotifyReport", _report(8, 0, False, "D"))
        assert len((await api.get("/stations/RAWDM/variables")).json()) == 4
        _, r = await command(api, st, path, {"report_base": "FullInventory", "request_id": 9},
                             {"status": "Accepted"})
        await st.ok("NotifyReport", _report(9, 0, True, "B"))
        assert len((await api.get("/stations/RAWDM/variables")).json()) == 4  # not complete
        await st.ok("NotifyReport", _report(9, 1, False, "E"))
        rows = (await api.get("/stations/RAWDM/variables")).json()
        assert [v["key"] for v in rows] == ["Ctrl.B", "Ctrl.E"]
        # a report nobody asked for through csms is kept, as Unsolicited
        await st.ok("NotifyReport", _report(55, 0, False, "F"))
        kinds = {r["request_id"]: r["kind"]
                 for r in (await api.get("/stations/RAWDM/device-reports")).json()}
        assert kinds[55] == "Unsolicited"


async def test_refusals_errors_timeouts_and_offline(server_factory: ServerFactory) -> None:
    server = await server_factory(call_timeout=0.5)
    async with api_client(server) as api:
        await register(api, "FAIL")
        await register(api, "OFF")
        path = "/stations/FAIL/commands/get-base-report"
        async with raw_station(server, "FAIL", "ocpp2.0.1") as st:
            await st.ok("BootNotification", BOOT_201)
            _, r = await command(api, st, path, {"report_base": "FullInventory"},
                                 {"status": "NotSupported",
                                  "statusInfo": {"reasonCode": "NoReports"}})
            assert r.json()["status"] == "NotSupported" and r.json()["reason"] == "NoReports"
            done = (await api.get("/stations/FAIL/device-reports")).json()[0]
            assert done["status"] == "NotSupported" and done["completed_at"]
            _, r = await command(api, st, path, {"report_base": "FullInventory"},
                                 error=("InternalError", "boom"))
            assert "InternalError" in str(assert_detail(r, 502))
            r = await api.post(path, json={"report_base": "FullInventory"})  # never answered
            assert_detail(r, 504)
            await answer_call(st, {"status": "Accepted"})  # too late: ignored
            _, r = await command(api, st, "/stations/FAIL/commands/set-variable-monitoring",
                                 {"monitors": [{"component": "EVSE", "evse_id": 1,
                                                "variable": "Power", "type": "UpperThreshold",
                                                "value": 22000, "severity": 4}]},
                                 {"setMonitoringResult": [{"status": "Rejected",
                                  "type": "UpperThreshold", "severity": 4,
                                  "component": {"name": "EVSE", "evse": {"id": 1}},
                                  "variable": {"name": "Power"}}]})
            assert r.json()["status"] == "Rejected"
            assert (await api.get("/stations/FAIL/monitors")).json() == []
            _, r = await command(api, st, "/stations/FAIL/commands/set-monitoring-level",
                                 {"severity": 2}, {"unexpected": True})
            assert_detail(r, 502)
        for name, body in [("get-base-report", {"report_base": "FullInventory"}),
                           ("set-monitoring-base", {"base": "All"}),
                           ("set-network-profile", {"configuration_slot": 0, "profile": {
                               "csms_url": "ws://x/ocpp", "security_profile": 1,
                               "ocpp_interface": "Wired0"}})]:
            r = await api.post(f"/stations/OFF/commands/{name}", json=body)
            assert "OFF" in assert_detail(r, 409)


BAD_BODIES: list[tuple[str, Any]] = [
    ("get-base-report", {}),
    ("get-base-report", {"report_base": "Everything"}),
    ("get-base-report", {"report_base": "FullInventory", "request_id": -1}),
    ("get-report", {"component_variables": []}),
    ("get-report", {"component_variables": [{"component": "X", "connector_id": 1}]}),
    ("get-report", {"component_variables": [{"component": "X", "variable_instance": "i"}]}),
    ("get-report", {"component_variables": [{"component": "X" * 51}]}),
    ("get-report", {"component_criteria": ["Broken"]}),
    ("set-variable-monitoring", {"monitors": []}),
    ("set-variable-monitoring", {"monitors": [{"component": "X", "variable": "Y",
                                               "type": "Delta", "value": 1, "severity": 10}]}),
    ("set-variable-monitoring", {"monitors": [{"component": "X", "type": "Delta", "value": 1,
                                               "severity": 1}]}),
    ("set-variable-monitoring", {"monitors": [{"component": "X", "variable": "Y",
                                               "type": "Sometimes", "value": 1,
                                               "severity": 1}]}),
    ("clear-variable-monitoring", {"ids": []}),
    ("clear-variable-monitoring", {"ids": [-3]}),
    ("get-monitoring-report", {"criteria": ["Everything"]}),
    ("set-monitoring-base", {"base": "Some"}),
    ("set-monitoring-level", {"severity": 10}),
    ("set-network-profile", {"configuration_slot": 1, "profile": {
        "csms_url": "http://not-a-websocket", "security_profile": 1, "ocpp_interface": "Wired0"}}),
    ("set-network-profile", {"configuration_slot": 1, "profile": {
        "csms_url": "ws://x", "security_profile": 4, "ocpp_interface": "Wired0"}}),
    ("set-network-profile", {"configuration_slot": 1}),
]


async def test_bad_command_bodies_are_422(api: httpx.AsyncClient, server: Any) -> None:
    await register(api, "BAD")
    async with raw_station(server, "BAD", "ocpp2.0.1") as st:
        await st.ok("BootNotification", BOOT_201)
        for name, body in BAD_BODIES:
            r = await api.post(f"/stations/BAD/commands/{name}", json=body)
            assert_detail(r, 422)
        # nothing was sent: the next CALL is the probe
        probe = asyncio.create_task(api.post("/stations/BAD/commands/clear-cache"))
        frame = await answer_call(st, {"status": "Accepted"})
        assert frame[2] == "ClearCache"
        await probe
    assert (await api.get("/stations/BAD/device-reports")).json() == []


async def test_bad_queries_and_unknown_stations(api: httpx.AsyncClient) -> None:
    await register(api, "Q")
    for path in ("variables", "device-events", "monitors", "device-reports",
                 "display-messages"):
        assert "NOPE" in assert_detail(await api.get(f"/stations/NOPE/{path}"), 404)
        assert (await api.get(f"/stations/Q/{path}")).json() == []
    for params in ({"component": ""}, {"variable": "x" * 51}, {"limit": 0},
                   {"offset": -1}, {"limit": "many"}):
        assert_detail(await api.get("/stations/Q/variables", params=params), 422)
    assert_detail(await api.get("/stations/Q/device-events", params={"limit": 5000}), 422)


async def test_garbage_notifications_get_callerrors(api: httpx.AsyncClient, server: Any) -> None:
    await register(api, "JUNK")
    async with raw_station(server, "JUNK", "ocpp2.0.1") as st:
        await st.ok("BootNotification", BOOT_201)
        cases: list[tuple[str, dict[str, Any]]] = [
            ("NotifyReport", {"requestId": 1, "seqNo": 0}),
            ("NotifyReport", {"requestId": "x", "generatedAt": "2025-03-14T09:31:00Z",
                              "seqNo": 0}),
            ("NotifyReport", _report(1, 0, False, "A") | {"extra": 1}),
            ("NotifyEvent", {"generatedAt": "2025-03-14T09:31:00Z", "seqNo": 0}),
            ("NotifyEvent", {"generatedAt": "2025-03-14T09:31:00Z", "seqNo": 0,
                             "eventData": [{"eventId": 1}]}),
            ("NotifyMonitoringReport", {"requestId": 1, "seqNo": 0,
                                        "generatedAt": "nonsense", "monitor": "x"}),
        ]
        for action, payload in cases:
            reply = await st.call(action, payload)
            assert reply[0] == 4, (action, payload, reply)
        # a timestamp the schema lets through but that is not a date: refused, not stored
        reply = await st.call("NotifyEvent", {"generatedAt": "2025-03-14T09:31:00Z", "seqNo": 0,
                                              "eventData": [{
            "eventId": 1, "timestamp": "yesterday", "trigger": "Alerting", "actualValue": "x",
            "eventNotificationType": "HardWiredNotification",
            "component": {"name": "EVSE"}, "variable": {"name": "Problem"}}]})
        assert reply[0] == 4, reply
        assert (await st.call("Heartbeat", {}))[0] == 3
    assert (await api.get("/stations/JUNK/variables")).json() == []
    assert (await api.get("/stations/JUNK/device-events")).json() == []


async def test_partial_configuration_reads_16(api: httpx.AsyncClient, server: Any) -> None:
    """Asked keys: the known ones refreshed, the unknown ones forgotten, the rest kept."""
    await register(api, "RAW16")
    async with raw_station(server, "RAW16") as st:
        await st.ok("BootNotification", BOOT_16)
        path = "/stations/RAW16/commands/get-configuration"
        await command(api, st, path, None, {"configurationKey": [
            {"key": "A", "readonly": False, "value": "1"},
            {"key": "B", "readonly": True, "value": "2"},
            {"key": "C", "readonly": False}]})
        rows = (await api.get("/stations/RAW16/variables")).json()
        assert [(v["key"], v["value"], v["readonly"]) for v in rows] == [
            ("A", "1", False), ("B", "2", True)]  # C has no value to keep
        await command(api, st, path, {"keys": ["A", "B"]},
                      {"configurationKey": [{"key": "A", "readonly": False, "value": "5"}],
                       "unknownKey": ["B"]})
        rows = (await api.get("/stations/RAW16/variables")).json()
        assert [(v["key"], v["value"]) for v in rows] == [("A", "5")]
        _, r = await command(api, st, "/stations/RAW16/commands/set-configuration",
                             {"key": "A", "value": "6"}, {"status": "NotSupported"})
        assert r.json()["status"] == "NotSupported"
        rows = (await api.get("/stations/RAW16/variables")).json()
        assert rows[0]["value"] == "5"


async def test_201_reads_and_writes_keep_the_inventorys_variable(
        api: httpx.AsyncClient, server: Any) -> None:
    """A value read or written through get/set-configuration lands on the variable the
    inventory lists (its EVSE and instance included), so what the report said of it, such as
    ReadOnly, survives; the API's answer still names it Component.Variable."""
    await register(api, "RAWKEY")
    async with raw_station(server, "RAWKEY", "ocpp2.0.1") as st:
        await st.ok("BootNotification", BOOT_201)
        component = {"name": "TxCtrlr", "instance": "Main", "evse": {"id": 1}}
        await st.ok("NotifyReport", {
            "requestId": 70, "generatedAt": "2025-03-14T09:31:00Z", "seqNo": 0, "tbc": False,
            "reportData": [{"component": component, "variable": {"name": "EVConnectionTimeOut"},
                            "variableAttribute": [{"type": "Actual", "value": "30",
                                                   "mutability": "ReadOnly"}]}]})
        path = "/stations/RAWKEY/commands/get-configuration"
        frame, r = await command(api, st, path, {"keys": ["TxCtrlr.EVConnectionTimeOut"]}, {
            "getVariableResult": [{"attributeStatus": "Accepted", "attributeValue": "45",
                                   "component": component,
                                   "variable": {"name": "EVConnectionTimeOut"}}]})
        assert frame[3] == {"getVariableData": [{"component": {"name": "TxCtrlr"},
                                                 "variable": {"name": "EVConnectionTimeOut"}}]}
        assert r.json() == {"status": "Accepted", "unknown_keys": [], "configuration": [
            {"key": "TxCtrlr.EVConnectionTimeOut", "value": "45", "readonly": None}]}
        rows = await _variables(api, "RAWKEY", component="TxCtrlr")
        assert len(rows) == 1, rows
        assert (rows[0]["value"], rows[0]["readonly"]) == ("45", True)
        assert rows[0]["component"] == {"name": "TxCtrlr", "instance": "Main", "evse_id": 1,
                                        "connector_id": None}
        _, r = await command(api, st, "/stations/RAWKEY/commands/set-configuration",
                             {"key": "TxCtrlr.EVConnectionTimeOut", "value": "50"}, {
            "setVariableResult": [{"attributeStatus": "Accepted", "component": component,
                                   "variable": {"name": "EVConnectionTimeOut"}}]})
        assert r.json() == {"status": "Accepted", "reboot_required": False}
        rows = await _variables(api, "RAWKEY", component="TxCtrlr")
        assert [(v["value"], v["readonly"]) for v in rows] == [("50", True)]
