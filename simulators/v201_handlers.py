"""OCPP 2.0.1 CSMS-initiated calls about transactions, availability, resets and triggers."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from simulators.clock import parse_iso
from simulators.rpc import Handler, Reply
from simulators.sessions import Reservation
from simulators.smart_charging import from_v201

if TYPE_CHECKING:
    from simulators.v201 import Station201

Payload = dict[str, Any]
Action = Callable[[], Awaitable[None]]


class V201Handlers:
    """Handlers bound to one Station201."""

    def __init__(self, station: Station201) -> None:
        self.st = station

    def table(self) -> dict[str, Handler]:
        """Action name -> handler."""
        names = ["RequestStartTransaction", "RequestStopTransaction", "Reset",
                 "UnlockConnector", "ChangeAvailability", "TriggerMessage",
                 "GetTransactionStatus", "CostUpdated", "ReserveNow", "CancelReservation"]
        return {name: getattr(self, "on_" + name) for name in names}

    def _valid_evse(self, evse: int) -> bool:
        return evse in self.st.meters

    def _stop(self, evse: int, reason: str) -> Action:
        async def stop() -> None:
            if evse in self.st.tx:
                await self.st.stop_transaction(evse, reason=reason)
        return stop

    # ------------------------------------------------------------ transactions
    async def on_RequestStartTransaction(self, p: Payload) -> Reply:
        st, token = self.st, p["idToken"]
        profile = p.get("chargingProfile")
        if profile is not None and profile.get("chargingProfilePurpose") != "TxProfile":
            return Reply({"status": "Rejected"})
        evse = p.get("evseId")
        if evse is not None:
            ok = self._valid_evse(evse) and st.can_start(evse, 1, token["idToken"])
            evse = evse if ok else None
        else:
            evse = st.free_evse(token["idToken"])
        if evse is None:
            return Reply({"status": "Rejected"})
        st.starting.add(evse)
        tx_id = str(uuid.uuid4())

        async def start() -> None:
            try:
                authorized = (not st.device.flag("AuthCtrlr", "AuthorizeRemoteStart")
                              or await st.authorize(token["idToken"], token["type"])
                              == "Accepted")
            finally:
                st.starting.discard(evse)
            if not authorized:
                await st.refresh_status(evse)
                return
            if profile is not None:
                st.profiles.install(from_v201({**profile, "transactionId": tx_id}, evse,
                                              st.clock.now()))
            await st.start_transaction(evse, token["idToken"], remote_start_id=p["remoteStartId"],
                                       tx_id=tx_id, token_type=token["type"])
        return Reply({"status": "Accepted", "transactionId": tx_id}, start)

    async def on_RequestStopTransaction(self, p: Payload) -> Reply:
        for evse, tx in self.st.tx.items():
            if tx.tx_id == p["transactionId"]:
                return Reply({"status": "Accepted"}, self._stop(evse, "Remote"))
        return Reply({"status": "Rejected"})

    async def on_GetTransactionStatus(self, p: Payload) -> Payload:
        out: Payload = {"messagesInQueue": False}
        if "transactionId" in p:
            out["ongoingIndicator"] = p["transactionId"] in self.st.transactions.values()
        return out

    async def on_CostUpdated(self, p: Payload) -> Payload:
        if p["transactionId"] not in self.st.final_cost:  # a late update keeps the final cost
            self.st.total_cost[p["transactionId"]] = float(p["totalCost"])
        return {}

    # ------------------------------------------------------------ reset, availability
    async def on_Reset(self, p: Payload) -> Reply:
        st, evse = self.st, p.get("evseId")
        if evse is not None:
            if not self._valid_evse(evse):
                return Reply({"status": "Rejected"})
            if p["type"] == "OnIdle" and evse in st.tx:
                return Reply({"status": "Scheduled"})
            return Reply({"status": "Accepted"}, self._stop(evse, "ImmediateReset"))

        async def reset() -> None:
            await st.reboot(tx_reason="ImmediateReset", boot_reason="RemoteReset")
        if p["type"] == "OnIdle" and st.tx:
            async def when_idle() -> None:
                for tx in list(st.tx.values()):
                    await tx.ended.wait()
                await reset()
            return Reply({"status": "Scheduled"}, when_idle)
        return Reply({"status": "Accepted"}, reset)

    async def on_UnlockConnector(self, p: Payload) -> Payload:
        key = (p["evseId"], p["connectorId"])
        if key not in self.st.operative or key == (0, 0):
            return {"status": "UnknownConnector"}
        tx = self.st.tx.get(key[0])
        if tx is not None and tx.connector_id == key[1]:
            return {"status": "OngoingAuthorizedTransaction"}
        return {"status": "Unlocked"}

    async def on_ChangeAvailability(self, p: Payload) -> Reply:
        st, operative = self.st, p["operationalStatus"] == "Operative"
        evse = p.get("evse") or {}
        if not evse.get("id"):
            keys, busy = [(0, 0)], bool(st.tx)
        elif "connectorId" in evse:
            keys, busy = [(evse["id"], evse["connectorId"])], evse["id"] in st.tx
        else:
            keys, busy = [k for k in st.connectors if k[0] == evse["id"]], evse["id"] in st.tx
        if not keys or any(k not in st.operative for k in keys):
            return Reply({"status": "Rejected"})
        if busy and any(st.operative[k] != operative for k in keys):
            st.pending_availability.update(dict.fromkeys(keys, operative))
            return Reply({"status": "Scheduled"})
        for key in keys:
            st.operative[key] = operative
            st.pending_availability.pop(key, None)

        async def apply() -> None:
            for e in sorted(st.meters):
                await st.refresh_status(e)
        return Reply({"status": "Accepted"}, apply)

    # ------------------------------------------------------------ trigger
    async def on_TriggerMessage(self, p: Payload) -> Reply:
        st, msg = self.st, p["requestedMessage"]
        evse = p.get("evse") or {}
        if evse.get("id") and not self._valid_evse(evse["id"]):
            return Reply({"status": "Rejected"})
        evses = [evse["id"]] if evse.get("id") else sorted(st.meters)
        with_tx = [e for e in evses if e in st.tx]
        actions: dict[str, Action] = {
            "Heartbeat": lambda: _ignore(st.heartbeat()),
            "StatusNotification": lambda: self._statuses(evse),
            "MeterValues": lambda: _each(evses, st.send_plain_meter_values),
            "FirmwareStatusNotification": lambda: st.notify_firmware(st.firmware_status, None),
            "LogStatusNotification": lambda: st.notify_log(st.log_status, None),
            # certificates and publishing (v201_device)
            "SignChargingStationCertificate": lambda: st.device_extras.sign_certificate(
                "ChargingStationCertificate"),
            "SignV2GCertificate": lambda: st.device_extras.sign_certificate("V2GCertificate"),
            "SignCombinedCertificate": lambda: _each([0, 1], lambda i: (
                st.device_extras.sign_certificate(
                    ("ChargingStationCertificate", "V2GCertificate")[i]))),
            "PublishFirmwareStatusNotification": lambda: (
                st.device_extras.publish_firmware_status()),
        }
        if st.boot_status != "Accepted":
            actions["BootNotification"] = lambda: _ignore(st.boot("Triggered"))
        if with_tx:
            actions["TransactionEvent"] = lambda: _each(with_tx, self._trigger_tx)
        if msg not in actions:
            known = {"BootNotification", "TransactionEvent"}
            return Reply({"status": "Rejected" if msg in known else "NotImplemented"})
        return Reply({"status": "Accepted"}, actions[msg])

    async def _trigger_tx(self, evse: int) -> None:
        await self.st.send_meter_values(evse, context="Trigger")

    async def _statuses(self, evse: Payload) -> None:
        st = self.st
        for e, c in st.connectors:
            if evse.get("id") in (None, e) and evse.get("connectorId") in (None, c):
                await st.send_status(e, c, st.STATUS[st.state_of(e, c)])

    # ------------------------------------------------------------ reservations
    async def on_ReserveNow(self, p: Payload) -> Reply:
        st = self.st
        if not st.device.flag("ReservationCtrlr", "Enabled"):
            return Reply({"status": "Rejected"})
        evse = p.get("evseId")
        if evse is not None and not self._valid_evse(evse):
            return Reply({"status": "Rejected"})
        same = st.reservations.get(p["id"])
        if evse is None:
            evse = same.evse_id if same else st.free_evse()
            if evse is None:
                return Reply({"status": "Occupied"})
        state = st.state_of(evse, 1)
        if state == "unavailable":
            return Reply({"status": "Unavailable"})
        if state != "available" and not (same and same.evse_id == evse):
            return Reply({"status": "Occupied"})
        res = Reservation(p["id"], evse, p["idToken"]["idToken"], parse_iso(p["expiryDateTime"]))
        st.reservations[res.id] = res
        return Reply({"status": "Accepted"}, lambda: st.hold_reservation(res))

    async def on_CancelReservation(self, p: Payload) -> Reply:
        res = self.st.reservations.pop(p["reservationId"], None)
        if res is None:
            return Reply({"status": "Rejected"})
        return Reply({"status": "Accepted"}, lambda: self.st.refresh_status(res.evse_id))


async def _ignore(coro: Awaitable[Any]) -> None:
    await coro


async def _each(evses: list[int], fn: Callable[[int], Awaitable[None]]) -> None:
    for evse in evses:
        await fn(evse)
