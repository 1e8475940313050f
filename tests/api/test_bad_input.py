"""Bad input on every route: a 4xx with a JSON `{"detail": ...}`, never a 500, nothing written."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from tests.api.support import assert_detail, register

pytestmark = pytest.mark.asyncio(loop_scope="module")

JSON = {"content-type": "application/json"}
MALFORMED = [b"{", b'{"id": "A",}', b"[1, 2", b"\xff\xfe", b"{'id': 'A'}", b"NaN-ish"]


@pytest.fixture
def api(shared_api: httpx.AsyncClient) -> httpx.AsyncClient:
    return shared_api


async def _ids(api: httpx.AsyncClient, path: str, key: str) -> list[str]:
    r = await api.get(path)
    assert r.status_code == 200
    return sorted(item[key] for item in r.json())


# --- stations ---------------------------------------------------------------------------

BAD_STATIONS: list[Any] = [
    {},
    {"id": ""},
    {"id": "x" * 49},
    {"id": "a/b"},
    {"id": "a b"},
    {"id": " lead"},
    {"id": "tab\there"},
    {"id": "nul\u0000"},
    {"id": "bell\u0007"},
    {"id": 5},
    {"id": None},
    {"id": ["BAD"]},
    {"id": "BAD", "extra": 1},
    {"id": "BAD", "password": "short"},
    {"id": "BAD", "password": "p" * 65},
    {"id": "BAD", "password": 12345678},
    {"id": "BAD", "site_id": "s" * 65},
    {"id": "BAD", "description": "d" * 1001},
    {"id": "BAD", "description": "nul\u0000"},
    {"id": "BAD", "registration_status": "Accepted"},
    ["BAD"],
    "BAD",
    None,
]


@pytest.mark.parametrize("body", BAD_STATIONS)
async def test_register_bad_bodies(api: httpx.AsyncClient, body: Any) -> None:
    before = await _ids(api, "/stations", "id")
    assert_detail(await api.post("/stations", json=body), 422)
    assert await _ids(api, "/stations", "id") == before


async def test_register_malformed_json(api: httpx.AsyncClient) -> None:
    before = await _ids(api, "/stations", "id")
    for raw in MALFORMED:
        assert_detail(await api.post("/stations", content=raw, headers=JSON), 422)
    assert_detail(await api.post("/stations", content=b"id=A",
                                 headers={"content-type": "application/x-www-form-urlencoded"}),
                  422)
    assert_detail(await api.post("/stations"), 422)
    assert await _ids(api, "/stations", "id") == before


@pytest.mark.parametrize(("path", "raw"), [
    ("/stations", b'{"id": NaN}'),
    ("/stations", b'{"id": "NANST", "description": Infinity}'),
    ("/id-tokens", b'{"id_token": "NANTOK", "member": NaN}'),
    ("/id-tokens", b'{"id_token": -Infinity}'),
])
async def test_nan_in_a_body_is_422_not_500(api: httpx.AsyncClient, path: str,
                                            raw: bytes) -> None:
    """The 422 echoes the input: a NaN in it must not make the error response itself fail."""
    assert_detail(await api.post(path, content=raw, headers=JSON), 422)
    assert_detail(await api.patch("/stations/ANY", content=raw, headers=JSON), 404, 422)
    assert_detail(await api.get("/stations/NANST"), 404)
    assert_detail(await api.get("/id-tokens/NANTOK"), 404)


async def test_register_limits_are_inclusive(api: httpx.AsyncClient) -> None:
    long_id = "L" * 48
    r = await api.post("/stations", json={"id": long_id, "password": "p" * 64,
                                          "site_id": "s" * 64, "description": "d" * 1000})
    assert r.status_code == 201, r.text
    got = (await api.get(f"/stations/{long_id}")).json()
    assert (got["id"], got["site_id"], len(got["description"])) == (long_id, "s" * 64, 1000)
    r = await api.post("/stations", json={"id": "Ünïcode-站", "password": "p" * 8})
    assert r.status_code == 201, r.text
    assert (await api.get("/stations/Ünïcode-站")).json()["id"] == "Ünïcode-站"


@pytest.mark.parametrize("body", [
    {"id": "NEW"},
    {"password": "short"},
    {"password": "p" * 65},
    {"password": 12345678},
    {"site_id": "s" * 65},
    {"site_id": 7},
    {"description": "d" * 1001},
    {"description": ["a"]},
    {"registration_status": "Maybe"},
    {"registration_status": None, "colour": "red"},
    {"description": "ok", "nope": True},
    ["description"],
    "x",
])
async def test_patch_station_bad_bodies_change_nothing(api: httpx.AsyncClient,
                                                       body: Any) -> None:
    if (await api.get("/stations/PATCHME")).status_code == 404:
        await register(api, "PATCHME", site_id="site", description="kept")
    before = (await api.get("/stations/PATCHME")).json()
    assert_detail(await api.patch("/stations/PATCHME", json=body), 422)
    assert (await api.get("/stations/PATCHME")).json() == before


async def test_patch_station_malformed_json(api: httpx.AsyncClient) -> None:
    await register(api, "PATCHRAW", description="kept")
    for raw in MALFORMED:
        assert_detail(await api.patch("/stations/PATCHRAW", content=raw, headers=JSON), 422)
    assert (await api.get("/stations/PATCHRAW")).json()["description"] == "kept"


@pytest.mark.parametrize("path", [
    "/stations/" + "x" * 49, "/stations/" + "x" * 2000, "/stations/a%2Fb", "/stations/a/b",
    "/stations/%20", "/stations/..", "/stations/ghost/reports", "/stations/ghost/messages",
])
async def test_odd_station_paths_are_json_4xx(api: httpx.AsyncClient, path: str) -> None:
    assert_detail(await api.get(path), 404)
    assert_detail(await api.request("DELETE", path), 404, 405)


async def test_nul_in_path_and_query_is_refused(api: httpx.AsyncClient) -> None:
    for path in ("/stations/a%00b", "/id-tokens/a%00b", "/transactions/a%00b",
                 "/transactions/a%00b/meter-values", "/stations/a%00b/reports"):
        assert_detail(await api.get(path), 422)
    assert_detail(await api.get("/transactions", params={"station_id": "a\u0000b"}), 422)
    assert_detail(await api.get("/stations/X/reports", params={"kind": "a\u0000"}), 404, 422)
    assert_detail(await api.post("/stations/a%00b/commands/reset"), 422)
    assert_detail(await api.post("/stations/a%00b/ocpp/Reset", json={"type": "Soft"}), 422)


@pytest.mark.parametrize(("path", "params"), [
    ("/stations/QP/reports", {"limit": "0"}),
    ("/stations/QP/reports", {"limit": "-5"}),
    ("/stations/QP/reports", {"limit": "1001"}),
    ("/stations/QP/reports", {"limit": "ten"}),
    ("/stations/QP/messages", {"limit": "0"}),
    ("/stations/QP/messages", {"limit": "1e3"}),
    ("/transactions", {"limit": "0"}),
    ("/transactions", {"limit": "-1"}),
    ("/transactions", {"limit": "1001"}),
    ("/transactions", {"offset": "-1"}),
    ("/transactions", {"offset": "x"}),
    ("/transactions", {"active": "maybe"}),
    ("/transactions", {"limit": "99999999999999999999999"}),
])
async def test_bad_query_parameters(api: httpx.AsyncClient, path: str,
                                    params: dict[str, str]) -> None:
    if (await api.get("/stations/QP")).status_code == 404:
        await register(api, "QP")
    assert_detail(await api.get(path, params=params), 422)


# --- id tokens --------------------------------------------------------------------------

BAD_TOKENS: list[Any] = [
    {},
    {"id_token": ""},
    {"id_token": "t" * 37},
    {"id_token": " "},
    {"id_token": " padded"},
    {"id_token": "nul\u0000"},
    {"id_token": "line\nbreak"},
    {"id_token": 42},
    {"id_token": None},
    {"id_token": "BADTOK", "status": "Nope"},
    {"id_token": "BADTOK", "status": "accepted "},
    {"id_token": "BADTOK", "status": "ConcurrentTx"},
    {"id_token": "BADTOK", "status": "Unknown"},
    {"id_token": "BADTOK", "status": None},
    {"id_token": "BADTOK", "expires_at": "garbage"},
    {"id_token": "BADTOK", "expires_at": "2030-13-01T00:00:00Z"},
    {"id_token": "BADTOK", "expires_at": "0001-01-01T00:00:00Z"},
    {"id_token": "BADTOK", "expires_at": [2030]},
    {"id_token": "BADTOK", "group_id": "g" * 37},
    {"id_token": "BADTOK", "member": "m" * 256},
    {"id_token": "BADTOK", "member": {"name": "x"}},
    {"id_token": "BADTOK", "extra": True},
    ["BADTOK"],
    "BADTOK",
]


@pytest.mark.parametrize("body", BAD_TOKENS)
async def test_add_token_bad_bodies(api: httpx.AsyncClient, body: Any) -> None:
    before = await _ids(api, "/id-tokens", "id_token")
    assert_detail(await api.post("/id-tokens", json=body), 422)
    assert await _ids(api, "/id-tokens", "id_token") == before


async def test_add_token_malformed_json(api: httpx.AsyncClient) -> None:
    before = await _ids(api, "/id-tokens", "id_token")
    for raw in MALFORMED:
        assert_detail(await api.post("/id-tokens", content=raw, headers=JSON), 422)
    assert await _ids(api, "/id-tokens", "id_token") == before


@pytest.mark.parametrize("body", [
    {"id_token": "OTHER"},
    {"status": "Nope"},
    {"status": "Unknown"},
    {"expires_at": "soon"},
    {"expires_at": "1900-01-01T00:00:00Z"},
    {"group_id": "g" * 37},
    {"member": "m" * 256},
    {"member": 5},
    {"member": "ok", "x": 1},
    ["status"],
])
async def test_patch_token_bad_bodies_change_nothing(api: httpx.AsyncClient, body: Any) -> None:
    if (await api.get("/id-tokens/KEEP")).status_code == 404:
        await api.post("/id-tokens", json={"id_token": "KEEP", "group_id": "g", "member": "m"})
    before = (await api.get("/id-tokens/KEEP")).json()
    assert_detail(await api.patch("/id-tokens/KEEP", json=body), 422)
    for raw in MALFORMED[:2]:
        assert_detail(await api.patch("/id-tokens/KEEP", content=raw, headers=JSON), 422)
    assert (await api.get("/id-tokens/KEEP")).json() == before


async def test_naive_expiry_is_utc(api: httpx.AsyncClient) -> None:
    r = await api.post("/id-tokens", json={"id_token": "NAIVE",
                                           "expires_at": "2030-01-02T03:04:05"})
    assert r.status_code == 201, r.text
    assert r.json()["expires_at"] == "2030-01-02T03:04:05Z"
    assert (await api.get("/id-tokens/NAIVE")).json()["expires_at"] == "2030-01-02T03:04:05Z"
    r = await api.patch("/id-tokens/NAIVE", json={"expires_at": "2031-01-01T01:00:00+01:00"})
    assert r.json()["expires_at"] == "2031-01-01T00:00:00Z"


async def test_tokens_with_a_slash_stay_addressable(api: httpx.AsyncClient) -> None:
    """OCPP id tokens are free text: one with '/' must be readable, changeable, deletable."""
    r = await api.post("/id-tokens", json={"id_token": "a/b c"})
    assert r.status_code == 201, r.text
    assert (await api.get("/id-tokens/a%2Fb%20c")).json()["id_token"] == "a/b c"
    assert (await api.get("/id-tokens/a/b c")).json()["id_token"] == "a/b c"
    r = await api.patch("/id-tokens/a%2Fb%20c", json={"status": "Blocked"})
    assert r.json()["status"] == "Blocked"
    assert (await api.delete("/id-tokens/a%2Fb%20c")).status_code == 204
    assert_detail(await api.get("/id-tokens/a%2Fb%20c"), 404)


async def test_unknown_ids_are_404(api: httpx.AsyncClient) -> None:
    for method, path in (("GET", "/id-tokens/" + "t" * 500), ("DELETE", "/id-tokens/none"),
                         ("GET", "/transactions/" + "9" * 400),
                         ("GET", "/transactions/-1"), ("GET", "/transactions/a/b"),
                         ("GET", "/transactions/a/b/meter-values")):
        assert_detail(await api.request(method, path), 404)
    assert_detail(await api.patch("/id-tokens/none", json={}), 404)


async def test_concurrent_duplicates_give_one_201_and_409s(api: httpx.AsyncClient) -> None:
    for path, body in (("/stations", {"id": "RACE"}), ("/id-tokens", {"id_token": "RACE"})):
        replies = await asyncio.gather(*(api.post(path, json=body) for _ in range(10)))
        codes = sorted(r.status_code for r in replies)
        assert codes == [201] + [409] * 9, [r.text for r in replies]
