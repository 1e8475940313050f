"""A small fleet for the people tests: two sites, a station and a transaction on each, and an
API token per role (plus operator and admin tokens scoped to site A)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from tests.api.support import register
from tests.helpers import BOOT_16, raw_station


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


@dataclass
class Fleet:
    tx: dict[str, str] = field(default_factory=dict)  # station -> transaction id
    tokens: dict[str, str] = field(default_factory=dict)  # name -> bearer token


async def api_token(api: httpx.AsyncClient, name: str, role: str,
                    site_ids: list[str] | None = None) -> str:
    r = await api.post("/api-tokens", json={"name": name, "role": role, "site_ids": site_ids})
    assert r.status_code == 201, r.text
    token: str = r.json()["token"]
    return token


async def charge(server: Any, station_id: str, tag: str, wh: int) -> str:
    """One finished 1.6 session of `wh` Wh; its transaction id."""
    async with raw_station(server, station_id) as st:
        await st.ok("BootNotification", BOOT_16)
        reply = await st.ok("StartTransaction", {"connectorId": 1, "idTag": tag,
                                                 "meterStart": 0, "timestamp": now_iso()})
        await st.ok("StopTransaction", {"transactionId": reply["transactionId"],
                                        "meterStop": wh, "timestamp": now_iso()})
    return str(reply["transactionId"])


async def build(server: Any, api: httpx.AsyncClient) -> Fleet:
    fleet = Fleet()
    for site in ("A", "B"):
        r = await api.post("/sites", json={"id": site, "name": f"site {site}",
                                           "grid_limit_kw": 50})
        assert r.status_code == 201, r.text
        await register(api, f"S{site}", site_id=site)
    for tag, group in (("TA", "members"), ("TB", None)):
        r = await api.post("/id-tokens", json={"id_token": tag, "group_id": group})
        assert r.status_code == 201, r.text
    fleet.tx["SA"] = await charge(server, "SA", "TA", 4000)
    fleet.tx["SB"] = await charge(server, "SB", "TB", 6000)
    for role in ("viewer", "operator", "admin"):
        fleet.tokens[role] = await api_token(api, f"all-{role}", role)
        fleet.tokens[f"{role}@A"] = await api_token(api, f"a-{role}", role, ["A"])
    return fleet


def client(server: Any, token: str | None) -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.api_port}/api/v1",
                             headers=headers, timeout=15)
