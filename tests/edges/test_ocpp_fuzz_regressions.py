"""Frames the OCPP fuzz (test_ocpp_fuzz.py) found crashing a handler, kept as plain tests."""

from __future__ import annotations

import pytest

from tests.api.support import register
from tests.conftest import ServerFactory, api_client
from tests.helpers import BOOT_16, raw_station


@pytest.mark.parametrize("accept_unknown", [False, True])
async def test_empty_id_tag_is_invalid_and_the_transaction_is_kept(
    server_factory: ServerFactory, accept_unknown: bool
) -> None:
    """An empty 1.6 idTag passes the schema but names no token: StartTransaction once got an
    InternalError (its transaction stored all the same, so every retry made a zombie); now it
    is answered Invalid with the transaction's id, so the station stops it, and Authorize of
    an empty idTag is Invalid too, even where unknown tokens are accepted."""
    server = await server_factory(
        unknown_id_tokens="accept" if accept_unknown else "reject")
    async with api_client(server) as api:
        await register(api, "EMPTY-TAG")
        async with raw_station(server, "EMPTY-TAG") as st:
            await st.ok("BootNotification", BOOT_16)
            reply = await st.ok("StartTransaction", {
                "connectorId": 1, "idTag": "", "meterStart": 1234567,
                "timestamp": "2025-03-14T09:30:05.123"})
            assert reply["idTagInfo"]["status"] == "Invalid"
            assert isinstance(reply["transactionId"], int)
            assert (await st.ok("Authorize", {"idTag": ""}))["idTagInfo"]["status"] == "Invalid"
            stop = await st.ok("StopTransaction", {
                "transactionId": reply["transactionId"], "idTag": "", "meterStop": 1234600,
                "timestamp": "2025-03-14T09:31:05Z", "reason": "DeAuthorized"})
            assert stop == {}
        [tx] = (await api.get("/transactions?station_id=EMPTY-TAG&active=false")).json()
    assert (tx["id"], tx["id_token"], tx["energy_wh"]) == (
        str(reply["transactionId"]), None, 33.0)
