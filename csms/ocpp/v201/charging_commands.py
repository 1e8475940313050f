"""OCPP 2.0.1 commands of tariffs and smart-charging state (issue 4 items 10, 12):
`get-charging-profiles` (GetChargingProfiles, K09) and the internal `cost-updated`
(CostUpdated, I02) the cost service sends for running transactions."""

from __future__ import annotations

from typing import Any, Protocol

from csms.clock import Clock
from csms.domain.errors import InvalidInput
from csms.ocpp.request_ids import TimeIds
from csms.ocpp.v201.profiles import PURPOSE


class _HasClock(Protocol):
    @property
    def clock(self) -> Clock: ...


class Caller(Protocol):
    @property
    def services(self) -> _HasClock: ...

    async def call(
        self, action: str, payload: dict[str, Any], timeout: float | None = None
    ) -> dict[str, Any]: ...


_request_ids = TimeIds()


async def get_charging_profiles(s: Caller, a: dict[str, Any]) -> dict[str, Any]:
    """The station answers Accepted or NoProfiles; the profiles follow in
    ReportChargingProfiles messages carrying `request_id` (stored, see profiles_state)."""
    request_id = a.get("request_id")
    if request_id is None:
        request_id = _request_ids.next(s.services.clock.now())
    criterion: dict[str, Any] = {}
    if a.get("purpose") is not None:
        if a["purpose"] not in PURPOSE:
            raise InvalidInput(f"purpose must be one of {', '.join(PURPOSE)}")
        criterion["chargingProfilePurpose"] = PURPOSE[a["purpose"]]
    if a.get("stack_level") is not None:
        criterion["stackLevel"] = int(a["stack_level"])
    if a.get("ids"):
        criterion["chargingProfileId"] = [int(i) for i in a["ids"]]
    if a.get("sources"):
        criterion["chargingLimitSource"] = list(a["sources"])
    payload: dict[str, Any] = {"requestId": int(request_id), "chargingProfile": criterion}
    if a.get("evse_id") is not None:
        payload["evseId"] = int(a["evse_id"])
    reply = await s.call("GetChargingProfiles", payload)
    out: dict[str, Any] = {"status": reply["status"], "request_id": int(request_id)}
    if "statusInfo" in reply:
        out["reason"] = reply["statusInfo"].get("reasonCode")
    return out


async def cost_updated(s: Caller, a: dict[str, Any]) -> dict[str, Any]:
    """Running cost of a transaction; the reply is empty, so delivered means Accepted."""
    await s.call("CostUpdated", {"transactionId": str(a["transaction_id"]),
                                 "totalCost": float(a["total"])})
    return {"status": "Accepted"}


COMMANDS = {
    "get-charging-profiles": get_charging_profiles,
    "cost-updated": cost_updated,
}
