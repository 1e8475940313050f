"""OCPP 1.6 security extension: ExtendedTriggerMessage.

Its core values behave as TriggerMessage; LogStatusNotification and
SignChargePointCertificate are the ones only it can ask for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from simulators.csr import make_csr
from simulators.rpc import Handler, Reply

if TYPE_CHECKING:
    from simulators.v16 import Station16
    from simulators.v16_handlers import V16Handlers

Payload = dict[str, Any]


class V16Extended:
    """Handlers bound to one Station16, next to its core ``V16Handlers``."""

    def __init__(self, station: Station16, core: V16Handlers) -> None:
        self.st = station
        self.core = core
        self.log_status = "Idle"

    def table(self) -> dict[str, Handler]:
        return {"ExtendedTriggerMessage": self.on_ExtendedTriggerMessage}

    async def on_ExtendedTriggerMessage(self, p: Payload) -> Payload | Reply:
        msg = p["requestedMessage"]
        if msg == "LogStatusNotification":
            return Reply({"status": "Accepted"}, self._log_status)
        if msg == "SignChargePointCertificate":
            return Reply({"status": "Accepted"}, self._sign)
        return await self.core.on_TriggerMessage(p)

    async def _log_status(self) -> None:
        await self.st.call("LogStatusNotification", {"status": self.log_status})

    async def _sign(self) -> None:
        await self.st.call("SignCertificate", {"csr": make_csr(self.st.station_id, "csms-sim")})
