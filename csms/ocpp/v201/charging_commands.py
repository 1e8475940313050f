"""OCPP 2.0.1 commands of tariffs and smart-charging state:
`get-charging-profiles` (GetChargingProfiles, K09) and `cost-updated` (CostUpdated, I02),
which the cost service sends for running transactions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from csms.domain.commands import StatusResult
from csms.domain.commands.charging import CostUpdated, GetChargingProfiles, ProfilesRequested
from csms.ocpp.exchange import Call, Exchange, Table
from csms.ocpp.request_ids import TimeIds
from csms.ocpp.v201.profiles import PURPOSE

_request_ids = TimeIds()


def _reason(reply: dict[str, Any]) -> str | None:
    info = reply.get("statusInfo")
    return None if info is None else info.get("reasonCode")


def _get_charging_profiles(c: GetChargingProfiles, now: datetime) -> Call:
    """The station answers Accepted or NoProfiles; the profiles follow in
    ReportChargingProfiles messages carrying `request_id` (stored, see profiles_state)."""
    request_id = c.request_id if c.request_id is not None else _request_ids.next(now)
    criterion: dict[str, Any] = {}
    if c.purpose is not None:
        criterion["chargingProfilePurpose"] = PURPOSE[c.purpose]
    if c.stack_level is not None:
        criterion["stackLevel"] = c.stack_level
    if c.ids:
        criterion["chargingProfileId"] = list(c.ids)
    if c.sources:
        criterion["chargingLimitSource"] = list(c.sources)
    payload: dict[str, Any] = {"requestId": request_id, "chargingProfile": criterion}
    if c.evse_id is not None:
        payload["evseId"] = c.evse_id
    return Call("GetChargingProfiles", payload)


def _profiles_requested(reply: dict[str, Any], call: Call,
                        c: GetChargingProfiles) -> ProfilesRequested:
    return ProfilesRequested(str(reply["status"]), call.payload["requestId"], _reason(reply))


def _cost_updated(c: CostUpdated, now: datetime) -> Call:
    return Call("CostUpdated", {"transactionId": c.transaction_id, "totalCost": float(c.total)})


def _delivered(reply: dict[str, Any], call: Call, c: CostUpdated) -> StatusResult:
    """The reply is empty, so delivered means Accepted."""
    return StatusResult("Accepted")


EXCHANGES: Table = {
    GetChargingProfiles: Exchange(_get_charging_profiles, _profiles_requested),
    CostUpdated: Exchange(_cost_updated, _delivered),
}
