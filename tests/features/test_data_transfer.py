"""DataTransfer: vendor handlers registered in code answer stations of both versions; unknown
vendors get UnknownVendorId, unknown messages UnknownMessageId; everything is stored."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from csms.services.devices import data_transfer
from simulators import make_station
from tests.api.support import assert_detail, register
from tests.conftest import ServerFactory, api_client
from tests.features.device_support import PROTOCOLS, RAW, sim_config
from tests.helpers import BOOT_16, BOOT_201, raw_station


@pytest.fixture
def vendor() -> Iterator[list[tuple[str, str | None, Any]]]:
    """A test vendor "com.test": Sum adds numbers (async), Boom raises, Odd answers a status
    OCPP does not have, any other messageId is echoed; calls are recorded."""
    calls: list[tuple[str, str | None, Any]] = []

    async def add(station_id: str, message_id: str | None, data: Any) -> tuple[str, Any]:
        calls.append((station_id, message_id, data))
        await asyncio.sleep(0)
        return "Accepted", {"sum": sum(data["numbers"])}

    def boom(station_id: str, message_id: str | None, data: Any) -> tuple[str, Any]:
        raise RuntimeError("vendor code failed")

    def echo(station_id: str, message_id: str | None, data: Any) -> tuple[str, Any]:
        calls.append((station_id, message_id, data))
        return "Rejected", data

    data_transfer.register("com.test", "Sum", add)
    data_transfer.register("com.test", "Boom", boom)
    data_transfer.register("com.test", "Odd", lambda s, m, d: ("Maybe", None))
    data_transfer.register("com.test", None, echo)
    yield calls
    for message_id in ("Sum", "Boom", "Odd", None):
        data_transfer.unregister("com.test", message_id)


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_station_data_transfer_end_to_end(server_factory: ServerFactory,
                                                protocol: str) -> None:
    server = await server_factory()
    url = f"ws://127.0.0.1:{server.ocpp_port}/ocpp"
    sid = f"DT{protocol.replace('.', '')}"
    data: Any = '{"n": 1}' if protocol == "1.6" else {"n": 1, "list": [1, 2]}
    async with api_client(server) as api:
        await register(api, sid)
        async with make_station(url, sim_config(sid, protocol)) as st:
            await st.boot()
            reply = await st.call("DataTransfer", {"vendorId": "org.csms", "messageId": "Ping",
                                                   "data": data})
            assert reply == {"status": "Accepted", "data": data}
            assert await st.call("DataTransfer", {"vendorId": "org.csms"}) == {
                "status": "UnknownMessageId"}
            assert await st.call("DataTransfer", {"vendorId": "org.csms",
                                                  "messageId": "Pong"}) == {
                "status": "UnknownMessageId"}
            assert await st.call("DataTransfer", {"vendorId": "com.nobody", "messageId": "Ping",
                                                  "data": "x"}) == {"status": "UnknownVendorId"}
            # and the other way: csms to the simulator's own vendor
            r = await api.post(f"/stations/{sid}/commands/data-transfer",
                               json={"vendor_id": "csms-sim", "data": "hello"})
            assert r.json()["status"] == "Accepted" and r.json()["data"] == "hello"
            r = await api.post(f"/stations/{sid}/commands/data-transfer",
                               json={"vendor_id": "org.csms"})
            assert r.json()["status"] == "UnknownVendorId"
        rows = (await api.get(f"/stations/{sid}/reports",
                              params={"kind": "DataTransfer"})).json()
        assert [r["data"]["vendorId"] for r in reversed(rows)] == [
            "org.csms", "org.csms", "org.csms", "com.nobody"]
        assert rows[-1]["data"] == {"vendorId": "org.csms", "messageId": "Ping", "data": data}


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_registered_handlers(api: httpx.AsyncClient, server: Any, protocol: str,
                                   vendor: list[tuple[str, str | None, Any]]) -> None:
    await register(api, "VEND")
    v16 = protocol == "1.6"
    async with raw_station(server, "VEND", RAW[protocol]) as st:
        await st.ok("BootNotification", BOOT_16 if v16 else BOOT_201)
        if not v16:  # 2.0.1 data is any JSON; 1.6 data is a string
            reply = await st.ok("DataTransfer", {"vendorId": "com.test", "messageId": "Sum",
                                                 "data": {"numbers": [1, 2, 3.5]}})
            assert reply == {"status": "Accepted", "data": {"sum": 6.5}}
        reply = await st.ok("DataTransfer", {"vendorId": "com.test", "messageId": "Other",
                                             "data": "abc"})
        assert reply == {"status": "Rejected", "data": "abc"}
        assert await st.ok("DataTransfer", {"vendorId": "com.test"}) == {"status": "Rejected"}
        for message_id in ("Boom", "Odd"):  # a failing or confused handler: Rejected
            reply = await st.ok("DataTransfer", {"vendorId": "com.test",
                                                 "messageId": message_id})
            assert reply == {"status": "Rejected"}, message_id
        # garbage: CALLERROR, nothing stored, the connection lives on
        for payload in ({}, {"vendorId": 5}, {"vendorId": "com.test", "extra": 1},
                        {"vendorId": "x" * 256}):
            assert (await st.call("DataTransfer", payload))[0] == 4, payload
        assert (await st.call("Heartbeat", {}))[0] == 3
    assert vendor[-2:] == [("VEND", "Other", "abc"), ("VEND", None, None)]
    rows = (await api.get("/stations/VEND/reports", params={"kind": "DataTransfer"})).json()
    assert len(rows) == (4 if v16 else 5)  # the garbage is not among them


async def test_1_6_handler_data_is_sent_as_a_string(api: httpx.AsyncClient, server: Any,
                                                    vendor: list[Any]) -> None:
    """A handler answering JSON to a 1.6 station: serialised, as 1.6 data is a string."""
    data_transfer.register("com.test", "Json", lambda s, m, d: ("Accepted", {"a": [1]}))
    try:
        await register(api, "V16J")
        async with raw_station(server, "V16J") as st:
            await st.ok("BootNotification", BOOT_16)
            reply = await st.ok("DataTransfer", {"vendorId": "com.test", "messageId": "Json"})
            assert reply == {"status": "Accepted", "data": '{"a":[1]}'}
    finally:
        data_transfer.unregister("com.test", "Json")


def test_register_refuses_an_empty_vendor() -> None:
    with pytest.raises(ValueError, match="vendor_id"):
        data_transfer.register("", None, lambda s, m, d: ("Accepted", None))


async def test_data_transfer_command_failures(server_factory: ServerFactory) -> None:
    server = await server_factory(call_timeout=0.5)
    async with api_client(server) as api:
        await register(api, "DTF")
        path = "/stations/DTF/commands/data-transfer"
        assert "DTF" in assert_detail(await api.post(path, json={"vendor_id": "v"}), 409)
        async with raw_station(server, "DTF", "ocpp2.0.1") as st:
            await st.ok("BootNotification", BOOT_201)
            assert_detail(await api.post(path, json={"vendor_id": "v"}), 504)
            for body in ({}, {"vendor_id": ""}, {"vendor_id": "v", "message_id": "m" * 51}):
                assert_detail(await api.post(path, json=body), 422)
            assert (await st.call("Heartbeat", {}))[0] == 3
