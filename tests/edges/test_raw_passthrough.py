"""The raw passthrough sends what the caller wrote, once it is valid: no field added, removed,
reordered or retyped (it once sent `transaction: false` the caller never wrote)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from tests.api.support import assert_detail
from tests.helpers import RawStation

MODULE_LOOP = pytest.mark.asyncio(loop_scope="module")

MONITORING = ('{"setMonitoringData": [{"variable": {"instance": "Active", "name": "Power"}, '
              '"value": 1.0, "type": "Delta", "severity": 7, '
              '"component": {"name": "EVSE", "evse": {"id": 1}}}, '
              '{"value": 230, "type": "UpperThreshold", "severity": 0, "id": 3, '
              '"component": {"name": "EVSE"}, "variable": {"name": "Voltage"}}]}')
REPLY = {"setMonitoringResult": [{"status": "Accepted", "type": "Delta", "severity": 7,
                                  "component": {"name": "EVSE"}, "variable": {"name": "Power"}}]}


async def send_raw(api: httpx.AsyncClient, st: RawStation, action: str, body: str,
                   reply: dict[str, Any]) -> tuple[str, httpx.Response]:
    request = api.build_request("POST", f"/stations/C201/ocpp/{action}", content=body,
                                headers={"content-type": "application/json"})
    sent = asyncio.create_task(api.send(request))
    raw = await asyncio.wait_for(st.ws.recv(), 5)
    assert isinstance(raw, str)
    await st.send([3, json.loads(raw)[1], reply])
    return raw, await sent


def _pairs(text: str) -> Any:
    """The JSON with every object as an ordered list of pairs: order and types both count."""
    return json.loads(text, object_pairs_hook=list)


@MODULE_LOOP
async def test_set_variable_monitoring_is_sent_as_written(shared_api: httpx.AsyncClient,
                                                          st201: RawStation) -> None:
    raw, r = await send_raw(shared_api, st201, "SetVariableMonitoring", MONITORING, REPLY)
    assert r.status_code == 200, r.text
    assert r.json() == REPLY
    frame = _pairs(raw)
    assert frame[2] == "SetVariableMonitoring"
    assert frame[3] == _pairs(MONITORING)  # same keys, same order, same values and types
    assert "transaction" not in raw
    monitor = json.loads(raw)[3]["setMonitoringData"]
    assert isinstance(monitor[0]["value"], float) and isinstance(monitor[1]["value"], int)


@MODULE_LOOP
async def test_invalid_raw_payloads_are_refused_before_sending(
    shared_api: httpx.AsyncClient, st201: RawStation
) -> None:
    for body in ('{"setMonitoringData": []}',  # schema
                 '{"setMonitoringData": [{"value": 1, "type": "Delta", "severity": 7, '
                 '"component": {"name": "EVSE", "evse": {"id": 100000000000000000000000}}, '
                 '"variable": {"name": "Power"}}]}',  # beyond 64 bits: not sendable
                 '{"setMonitoringData": [{"value": NaN, "type": "Delta", "severity": 7, '
                 '"component": {"name": "EVSE"}, "variable": {"name": "Power"}}]}',
                 '[1, 2]', 'not json'):
        r = await shared_api.post("/stations/C201/ocpp/SetVariableMonitoring", content=body,
                                  headers={"content-type": "application/json"})
        assert_detail(r, 422)
    assert await st201.ok("Heartbeat", {})  # nothing was sent in between
