"""Requests that once got a 500, found by the schemathesis run."""

from __future__ import annotations

import httpx
import pytest

from tests.api.support import assert_detail

MODULE_LOOP = pytest.mark.asyncio(loop_scope="module")


@MODULE_LOOP
async def test_empty_id_token_patch_changes_nothing(shared_api: httpx.AsyncClient) -> None:
    r = await shared_api.post("/id-tokens", json={"id_token": "PATCH-0", "status": "Blocked"})
    assert r.status_code == 201, r.text
    for body in ({}, {"status": None}):
        r = await shared_api.patch("/id-tokens/PATCH-0", json=body)
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "Blocked"
    assert_detail(await shared_api.patch("/id-tokens/NOPE-0", json={}), 404)
