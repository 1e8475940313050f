"""OCPP 1.6 has no cost messages: the `cost-updated` command goes through
DataTransfer to the vendor named by CSMS_COST_DATATRANSFER_VENDOR.

messageId `RunningCost` while the transaction runs, `FinalCost` after it stopped (the names of
the Open Charge Alliance's 1.6 cost extension); data is the JSON text
`{"transactionId": <int>, "cost": <number>}`. Without a vendor the command is refused before
anything is sent."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from csms.domain.commands import StatusResult
from csms.domain.commands.charging import CostUpdated, GetChargingProfiles
from csms.domain.errors import InvalidInput
from csms.ocpp.exchange import Call, Exchange, Table
from csms.ocpp.v16.profiles import transaction_id


def _cost_updated(c: CostUpdated, now: datetime) -> Call:
    if not c.vendor_id:
        raise InvalidInput("OCPP 1.6 has no cost message: it needs a vendor_id for DataTransfer "
                           "(csms's own updates: CSMS_COST_DATATRANSFER_VENDOR)")
    data = {"transactionId": transaction_id(c.transaction_id), "cost": float(c.total)}
    return Call("DataTransfer", {
        "vendorId": c.vendor_id, "messageId": "FinalCost" if c.final else "RunningCost",
        "data": json.dumps(data, separators=(",", ":"))})


def _status(reply: dict[str, Any], call: Call, c: CostUpdated) -> StatusResult:
    return StatusResult(str(reply["status"]))


def _get_charging_profiles(c: GetChargingProfiles, now: datetime) -> Call:
    raise InvalidInput("OCPP 1.6 has no GetChargingProfiles: see get-composite-schedule, or "
                       "the profiles csms set in /stations/{id}/charging-profiles")


EXCHANGES: Table = {
    CostUpdated: Exchange(_cost_updated, _status),
    GetChargingProfiles: Exchange(_get_charging_profiles, _status),
}
