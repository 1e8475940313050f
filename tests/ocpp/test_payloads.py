"""Every hand-written sample frame in tests/payloads gets the reply the spec asks for.

A CALLRESULT must validate against the official schema shipped with the `ocpp` package and
carry the expected status; a frame that breaks the schema gets the spec's CALLERROR code.
"""

from __future__ import annotations

from functools import reduce
from typing import Any

import httpx
import pytest

from csms.app import CsmsServer
from tests.helpers import raw_station
from tests.ocpp.support import assert_valid_result, boot, register, sample, sample_names

pytestmark = pytest.mark.asyncio(loop_scope="module")

CASES = [(p, n) for p in ("ocpp1.6", "ocpp2.0.1") for n in sample_names(p)]


def dig(payload: dict[str, Any], dotted: str) -> Any:
    return reduce(lambda d, k: d[k], dotted.split("."), payload)


async def test_every_sample_is_a_call() -> None:
    assert len(CASES) > 50
    for protocol, name in CASES:
        s = sample(protocol, name)
        assert s["frame"][0] == 2 and s["frame"][2] == name.split(".")[0], name
        assert ("error" in s) != ("expect" in s), name


@pytest.mark.parametrize(("protocol", "name"), CASES, ids=[f"{p}-{n}" for p, n in CASES])
async def test_sample_frame(
    shared_server: CsmsServer, shared_api: httpx.AsyncClient, station_id: str,
    protocol: str, name: str,
) -> None:
    s = sample(protocol, name)
    _, uid, action, _ = s["frame"]
    await register(shared_api, station_id)
    async with raw_station(shared_server, station_id, protocol) as st:
        await boot(st, protocol)
        await st.send(s["frame"])
        reply = await st.recv()
        assert reply[1] == uid, reply
        if "error" in s:
            assert reply[0] == 4, reply
            assert reply[2] == s["error"], reply
            assert isinstance(reply[3], str) and isinstance(reply[4], dict)
        else:
            assert reply[0] == 3, reply
            assert_valid_result(protocol, action, reply[2])
            for path, expected in s["expect"].items():
                assert dig(reply[2], path) == expected, (path, reply[2])
        # the connection lives on
        assert (await st.call("Heartbeat", {}))[0] == 3

