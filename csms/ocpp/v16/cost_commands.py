"""OCPP 1.6 has no cost messages: the `cost-updated` command goes through
DataTransfer to the vendor named by CSMS_COST_DATATRANSFER_VENDOR (issue 4 item 10).

messageId `RunningCost` while the transaction runs, `FinalCost` after it stopped (the names of
the Open Charge Alliance's 1.6 cost extension); data is the JSON text
`{"transactionId": <int>, "cost": <number>}`. Without a vendor the command is refused before
anything is sent."""

from __future__ import annotations

import json
from typing import Any, Protocol

from csms.domain.errors import InvalidInput
from csms.ocpp.v16.profiles import transaction_id


class Caller(Protocol):
    async def call(
        self, action: str, payload: dict[str, Any], timeout: float | None = None
    ) -> dict[str, Any]: ...


async def cost_updated(s: Caller, a: dict[str, Any]) -> dict[str, Any]:
    vendor = a.get("vendor_id")
    if not vendor:
        raise InvalidInput("OCPP 1.6 has no cost message: it needs a vendor_id for DataTransfer "
                           "(csms's own updates: CSMS_COST_DATATRANSFER_VENDOR)")
    data = {"transactionId": transaction_id(a["transaction_id"]), "cost": float(a["total"])}
    reply = await s.call("DataTransfer", {
        "vendorId": str(vendor), "messageId": "FinalCost" if a.get("final") else "RunningCost",
        "data": json.dumps(data, separators=(",", ":"))})
    return {"status": reply["status"]}


async def get_charging_profiles(s: Caller, a: dict[str, Any]) -> dict[str, Any]:
    raise InvalidInput("OCPP 1.6 has no GetChargingProfiles: see get-composite-schedule, or "
                       "the profiles csms set in /stations/{id}/charging-profiles")


COMMANDS = {"cost-updated": cost_updated, "get-charging-profiles": get_charging_profiles}
