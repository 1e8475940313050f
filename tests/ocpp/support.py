"""Helpers for the OCPP edge tests: sample frames, registration, a station that answers calls."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
from ocpp.messages import get_validator

from tests.helpers import BOOT_16, BOOT_201, RawStation

PAYLOADS = Path(__file__).resolve().parent.parent / "payloads"
VERSIONS = {"ocpp1.6": "1.6", "ocpp2.0.1": "2.0.1"}
DIRS = {"ocpp1.6": "v16", "ocpp2.0.1": "v201"}
BOOT = {"ocpp1.6": BOOT_16, "ocpp2.0.1": BOOT_201}
TOKEN_OK = "04A2B3C4D5E6F7"
TOKEN_BLOCKED = "BLOCKED01"


def sample(protocol: str, name: str) -> dict[str, Any]:
    """A hand-written sample frame from tests/payloads/{v16,v201}/NAME.json."""
    return json.loads((PAYLOADS / DIRS[protocol] / f"{name}.json").read_text())  # type: ignore[no-any-return]


def sample_payload(protocol: str, name: str) -> dict[str, Any]:
    return sample(protocol, name)["frame"][3]  # type: ignore[no-any-return]


def sample_names(protocol: str) -> list[str]:
    return sorted(p.stem for p in (PAYLOADS / DIRS[protocol]).glob("*.json"))


def assert_valid_result(protocol: str, action: str, payload: Any) -> None:
    """The reply validates against the official schema of the `ocpp` package."""
    get_validator(3, action, VERSIONS[protocol]).validate(payload)


async def register(api: httpx.AsyncClient, station_id: str, **fields: Any) -> None:
    r = await api.post("/stations", json={"id": station_id, **fields})
    assert r.status_code == 201, r.text


async def add_tokens(api: httpx.AsyncClient) -> None:
    for token, status in ((TOKEN_OK, "Accepted"), (TOKEN_BLOCKED, "Blocked")):
        r = await api.post("/id-tokens", json={"id_token": token, "status": status})
        assert r.status_code == 201, r.text


async def boot(st: RawStation, protocol: str) -> dict[str, Any]:
    return await st.ok("BootNotification", BOOT[protocol])


async def next_call(st: RawStation, timeout: float = 5.0) -> list[Any]:
    """The next CALL the server sends (replies to our own calls are skipped)."""
    while True:
        frame = await st.recv(timeout)
        if frame[0] == 2:
            return frame


async def silence(st: RawStation, seconds: float = 0.3) -> None:
    """Assert that the server sends nothing for a while."""
    try:
        frame = await asyncio.wait_for(st.ws.recv(), seconds)
    except TimeoutError:
        return
    raise AssertionError(f"unexpected frame {frame!r}")


async def tx_list(api: httpx.AsyncClient, station_id: str) -> list[dict[str, Any]]:
    r = await api.get("/transactions", params={"station_id": station_id})
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


async def reports(api: httpx.AsyncClient, station_id: str, kind: str) -> list[dict[str, Any]]:
    r = await api.get(f"/stations/{station_id}/reports", params={"kind": kind})
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]
