"""Charger capability probing end to end, with raw stations of both versions answering
GetConfiguration / GetVariables: the unit (W preferred), the number of periods and the stack
level of the TxProfiles follow what each charger said; a charger without smart charging is
unmanaged; garbage answers leave the settings in force; GetCompositeSchedule far above what
was sent counts against the charger."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.conftest import ServerFactory, api_client
from tests.e2e.test_smart_charging import eventually
from tests.helpers import BOOT_16, BOOT_201, RawStation, raw_station

Handler = Callable[[dict[str, Any]], Any]


class Answering:
    """A raw station whose one reader answers the server's CALLs with `handlers` (unknown
    actions get a NotImplemented CALLERROR) and hands the replies to our own calls back."""

    def __init__(self, st: RawStation, handlers: dict[str, Handler]) -> None:
        self.st = st
        self.handlers = handlers
        self.received: list[tuple[str, dict[str, Any]]] = []
        self._waiting: dict[str, asyncio.Future[list[Any]]] = {}
        self._n = 0

    async def run(self) -> None:
        while True:
            frame = json.loads(await self.st.ws.recv())
            if frame[0] != 2:
                fut = self._waiting.pop(frame[1], None)
                if fut is not None:
                    fut.set_result(frame)
                continue
            self.received.append((frame[2], frame[3]))
            handler = self.handlers.get(frame[2])
            if handler is None:
                await self.st.send([4, frame[1], "NotImplemented", "", {}])
            else:
                await self.st.send([3, frame[1], handler(frame[3])])

    async def ok(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        self._n += 1
        uid = f"c{self._n}"
        fut = asyncio.get_running_loop().create_future()
        self._waiting[uid] = fut
        await self.st.send([2, uid, action, payload])
        reply = await asyncio.wait_for(fut, 10)
        assert reply[0] == 3, reply
        return reply[2]  # type: ignore[no-any-return]

    def calls(self, action: str) -> list[dict[str, Any]]:
        return [p for a, p in self.received if a == action]


@contextlib.asynccontextmanager
async def answering(server: Any, station_id: str, protocol: str,
                    handlers: dict[str, Handler]) -> AsyncIterator[Answering]:
    async with raw_station(server, station_id, protocol) as st:
        a = Answering(st, handlers)
        task = asyncio.create_task(a.run())
        try:
            yield a
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


def v16_config(values: dict[str, str]) -> Handler:
    def reply(p: dict[str, Any]) -> dict[str, Any]:
        keys = p.get("key") or list(values)
        return {"configurationKey": [{"key": k, "readonly": True, "value": values[k]}
                                     for k in keys if k in values],
                "unknownKey": [k for k in keys if k not in values]}
    return reply


def v201_variables(values: dict[str, str]) -> Handler:
    def reply(p: dict[str, Any]) -> dict[str, Any]:
        out = []
        for item in p["getVariableData"]:
            key = f"{item['component']['name']}.{item['variable']['name']}"
            r = {"component": item["component"], "variable": item["variable"]}
            if key in values:
                out.append(r | {"attributeStatus": "Accepted", "attributeValue": values[key]})
            else:
                out.append(r | {"attributeStatus": "UnknownVariable"})
        return {"getVariableResult": out}
    return reply


ACCEPT = {"status": "Accepted"}
V16_SMART = {"ChargingScheduleAllowedChargingRateUnit": "Current,Power",
             "ChargingScheduleMaxPeriods": "1", "ChargeProfileMaxStackLevel": "0",
             "MaxChargingProfilesInstalled": "4",
             "SupportedFeatureProfiles": "Core,SmartCharging,RemoteTrigger"}
V201_SMART = {"SmartChargingCtrlr.Enabled": "true", "SmartChargingCtrlr.RateUnit": "A",
              "SmartChargingCtrlr.PeriodsPerSchedule": "24",
              "SmartChargingCtrlr.ProfileStackLevel": "8",
              "SmartChargingCtrlr.LimitChangeSignificance": "5", "EVSE.Power": "7400"}


async def make_site(api: httpx.AsyncClient, *stations: str) -> None:
    site = {"id": "yard", "name": "Yard", "grid_limit_kw": 60.0}
    assert (await api.post("/sites", json=site)).status_code == 201
    for sid in stations:
        r = await api.post("/stations", json={"id": sid, "site_id": "yard"})
        assert r.status_code == 201, r.text
    assert (await api.post("/id-tokens", json={"id_token": "CAR"})).status_code == 201


async def start_16(st: Answering) -> str:
    await st.ok("BootNotification", BOOT_16)
    started = await st.ok("StartTransaction", {
        "connectorId": 1, "idTag": "CAR", "meterStart": 0,
        "timestamp": datetime.now(UTC).isoformat()})
    return str(started["transactionId"])


async def start_201(st: Answering, tx_id: str = "T-201") -> str:
    await st.ok("BootNotification", BOOT_201)
    await st.ok("TransactionEvent", {
        "eventType": "Started", "timestamp": datetime.now(UTC).isoformat(),
        "triggerReason": "Authorized", "seqNo": 0,
        "transactionInfo": {"transactionId": tx_id, "chargingState": "Charging"},
        "idToken": {"idToken": "CAR", "type": "ISO14443"}, "evse": {"id": 1, "connectorId": 1}})
    return tx_id


async def want(api: httpx.AsyncClient, station_id: str, tx_id: str, energy_wh: float,
               mode: str = "fast") -> None:
    departure = (datetime.now(UTC) + timedelta(hours=4)).isoformat()
    r = await api.put(f"/transactions/{tx_id}/preferences", params={"station_id": station_id},
                      json={"departure_at": departure, "energy_wh": energy_wh, "mode": mode})
    assert r.status_code == 200, r.text


def tx_profiles(st: Answering) -> list[dict[str, Any]]:
    out = []
    for p in st.calls("SetChargingProfile"):
        prof = p.get("csChargingProfiles") or p["chargingProfile"]
        if prof["chargingProfilePurpose"] == "TxProfile":
            out.append(prof)
    return out


def schedule(prof: dict[str, Any]) -> dict[str, Any]:
    s = prof["chargingSchedule"]
    return s[0] if isinstance(s, list) else s  # type: ignore[no-any-return]


async def test_profiles_follow_what_each_charger_can_do(server_factory: ServerFactory) -> None:
    server = await server_factory(plan_interval_s=1.0)
    async with api_client(server) as api:
        await make_site(api, "CAP-16", "CAP-201")
        h16 = {"GetConfiguration": v16_config(V16_SMART), "SetChargingProfile": lambda p: ACCEPT}
        h201 = {"GetVariables": v201_variables(V201_SMART),
                "SetChargingProfile": lambda p: ACCEPT}
        async with answering(server, "CAP-16", "ocpp1.6", h16) as s16, \
                answering(server, "CAP-201", "ocpp2.0.1", h201) as s201:
            tx16, tx201 = await start_16(s16), await start_201(s201)
            # 5 kWh fast: full power now, nothing later (at least two periods in the plan)
            await want(api, "CAP-16", tx16, 5000)
            await want(api, "CAP-201", tx201, 5000)

            async def both() -> bool:
                return bool(tx_profiles(s16) and tx_profiles(s201))

            await eventually(both)
            p16, p201 = tx_profiles(s16)[-1], tx_profiles(s201)[-1]
            # 1.6 takes Current and Power: W; it holds one period at stack level 0
            assert schedule(p16)["chargingRateUnit"] == "W"
            assert len(schedule(p16)["chargingSchedulePeriod"]) == 1
            assert p16["stackLevel"] == 0
            # 2.0.1 takes A only; 24 periods: the stop after 5 kWh is in the schedule
            assert schedule(p201)["chargingRateUnit"] == "A"
            assert len(schedule(p201)["chargingSchedulePeriod"]) >= 2
            assert p201["stackLevel"] == 1
            # its EVSE gives at most 7.4 kW, as it said (the 1.6 one: the 22 kW setting)
            assert schedule(p201)["chargingSchedulePeriod"][0]["limit"] * 230 * 3 <= 7400 + 1
            assert s16.calls("GetConfiguration")[0]["key"][0] == \
                "ChargingScheduleAllowedChargingRateUnit"
            power = [p for p in s201.calls("GetVariables")
                     if p["getVariableData"][0]["component"]["name"] == "EVSE"]
            assert power[0]["getVariableData"][0]["attributeType"] == "MaxSet"

            c16 = (await api.get("/stations/CAP-16")).json()["smart_charging"]
            assert (c16["rate_units"], c16["max_periods"], c16["max_stack_level"]) == \
                (["A", "W"], 1, 0)
            c201 = (await api.get("/stations/CAP-201/smart-charging")).json()
            assert c201["charging_control"] == "managed"
            caps = c201["capabilities"]
            assert (caps["rate_units"], caps["max_periods"], caps["evse_max_kw"]) == \
                (["A"], 24, {"1": 7.4})
            assert caps["enabled"] is True and caps["probed_at"]
            assert len(s16.calls("GetConfiguration")) == 1  # once per connection


async def test_chargers_without_smart_charging_are_unmanaged(
    server_factory: ServerFactory,
) -> None:
    server = await server_factory(plan_interval_s=1.0)
    async with api_client(server) as api:
        await make_site(api, "OFF-16", "OFF-201")
        h16 = {"GetConfiguration": v16_config(V16_SMART | {"SupportedFeatureProfiles": "Core"}),
               "SetChargingProfile": lambda p: ACCEPT}
        h201 = {"GetVariables": v201_variables(V201_SMART | {
            "SmartChargingCtrlr.Enabled": "false"}), "SetChargingProfile": lambda p: ACCEPT}
        async with answering(server, "OFF-16", "ocpp1.6", h16) as s16, \
                answering(server, "OFF-201", "ocpp2.0.1", h201) as s201:
            tx16, tx201 = await start_16(s16), await start_201(s201)

            async def both_unmanaged() -> list[dict[str, Any]]:
                views = [(await api.get(f"/stations/{sid}")).json()
                         for sid in ("OFF-16", "OFF-201")]
                return views if all(v["charging_control"] == "unmanaged" for v in views) else []

            v16, v201 = await eventually(both_unmanaged)
            assert "SupportedFeatureProfiles lacks SmartCharging" in v16["charging_control_reason"]
            assert "SmartChargingCtrlr.Enabled is false" in v201["charging_control_reason"]
            assert v16["smart_charging"]["enabled"] is False
            plan = (await api.get("/sites/yard/plan", params={"refresh": True})).json()
            assert {u["station_id"] for u in plan["unmanaged_stations"]} == {"OFF-16", "OFF-201"}
            assert {s["transaction_id"]: s["managed"] for s in plan["sessions"]} == \
                {tx16: False, tx201: False}
            assert not tx_profiles(s16) and not tx_profiles(s201)


async def test_garbage_answers_leave_the_settings_in_force(
    server_factory: ServerFactory,
) -> None:
    server = await server_factory(plan_interval_s=1.0, charging_rate_unit="A")
    async with api_client(server) as api:
        await make_site(api, "ODD-16", "ODD-201")
        odd16 = {"ChargingScheduleAllowedChargingRateUnit": "Watts?",
                 "ChargingScheduleMaxPeriods": "lots", "ChargeProfileMaxStackLevel": "-3"}
        h16 = {"GetConfiguration": v16_config(odd16), "SetChargingProfile": lambda p: ACCEPT}
        # a 2.0.1 reply that breaks the schema: a bad reply, not a crash
        h201 = {"GetVariables": lambda p: {"getVariableResult": "nope"},
                "SetChargingProfile": lambda p: ACCEPT}
        async with answering(server, "ODD-16", "ocpp1.6", h16) as s16, \
                answering(server, "ODD-201", "ocpp2.0.1", h201) as s201:
            tx16, tx201 = await start_16(s16), await start_201(s201)
            await want(api, "ODD-16", tx16, 5000)
            await want(api, "ODD-201", tx201, 5000)

            async def both() -> bool:
                return bool(tx_profiles(s16) and tx_profiles(s201))

            await eventually(both, timeout=30.0)  # probing may wait ~11 s first
            for st in (s16, s201):
                prof = tx_profiles(st)[-1]
                assert schedule(prof)["chargingRateUnit"] == "A"  # CSMS_CHARGING_RATE_UNIT
                assert prof["stackLevel"] == 1
            c16 = (await api.get("/stations/ODD-16")).json()["smart_charging"]
            assert (c16["rate_units"], c16["max_periods"], c16["max_stack_level"]) == \
                ([], None, None)

            async def probed_201() -> dict[str, Any] | None:  # the probe's record may trail
                body: dict[str, Any] = (await api.get("/stations/ODD-201")).json()
                return body if body["smart_charging"] else None

            c201 = await eventually(probed_201)
            assert c201["charging_control"] == "managed"
            assert "GetConfiguration failed" in c201["smart_charging"]["note"]
            assert (await api.get("/stations/NOPE/smart-charging")).status_code == 404


async def test_a_composite_schedule_far_above_the_profile_counts_against_the_charger(
    server_factory: ServerFactory,
) -> None:
    server = await server_factory(plan_interval_s=1.0, profile_check_delay_s=0.2)
    async with api_client(server) as api:
        await make_site(api, "LIAR-16")
        composite = {"status": "Accepted", "connectorId": 1, "scheduleStart":
                     datetime.now(UTC).isoformat(), "chargingSchedule": {
                         "chargingRateUnit": "A",
                         "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 32.0}]}}
        handlers = {"GetConfiguration": v16_config(V16_SMART | {
            "ChargingScheduleAllowedChargingRateUnit": "Current"}),
            "SetChargingProfile": lambda p: ACCEPT, "GetCompositeSchedule": lambda p: composite}
        async with answering(server, "LIAR-16", "ocpp1.6", handlers) as st:
            tx = await start_16(st)
            await want(api, "LIAR-16", tx, 20000)  # 11 kW now: 32 A is 22 kW, one strike

            async def asked() -> bool:
                return bool(st.calls("GetCompositeSchedule"))

            await eventually(asked)
            assert st.calls("GetCompositeSchedule")[0]["chargingRateUnit"] == "A"
            await want(api, "LIAR-16", tx, 300)  # a cut: a new profile, checked again

            async def unmanaged() -> dict[str, Any] | None:
                v = (await api.get("/stations/LIAR-16")).json()
                return v if v["charging_control"] == "unmanaged" else None

            view = await eventually(unmanaged)
            assert "ignores charging profiles: allows 22.1 kW" in view["charging_control_reason"]
            assert len(tx_profiles(st)) >= 2


def test_a_short_schedule_is_renewed_when_its_periods_run_out() -> None:
    """Pure: a charger holding 2 periods gets the first two changes, and a new profile at
    the start of the third even within the minimum interval."""
    from csms.planning.model import Diagnostics, Plan, SessionPlan
    from csms.services.smart import charging_profiles as cp

    start = datetime(2030, 6, 1, 10, 0, tzinfo=UTC)
    sp = SessionPlan("1", (11.0, 7.0, 7.0, 4.2, 0.0), 8.0, 0.0, 0.0)
    plan = Plan(start, 15, {"1": sp}, (0.0,) * 5, (0.0,) * 5, (50.0,) * 5,
                Diagnostics("ok", 1.0, 1.0, 1, 1))
    periods, renew = cp.periods_from(plan, sp, start, None, "W", max_periods=2)
    assert [(p["start_s"], p["limit"]) for p in periods] == [(0, 11000.0), (900, 7000.0)]
    assert renew == start + timedelta(minutes=45)
    full, none = cp.periods_from(plan, sp, start, None, "W")
    assert len(full) == 4 and none is None
    sent = cp.Sent(plan, start, True, "Accepted", renew)
    week = timedelta(days=7)
    assert not cp.should_send(sent, plan, "1", start + timedelta(minutes=44), week)
    assert cp.should_send(sent, plan, "1", start + timedelta(minutes=45), week)
    assert cp.stack_level(None) == 1 and cp.stack_level(0) == 0 and cp.stack_level(7) == 1
