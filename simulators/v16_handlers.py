"""OCPP 1.6 CSMS-initiated calls: answer with a schema-valid reply, then act like a charger."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from simulators import transfer  # firmware download, log upload
from simulators.clock import parse_iso
from simulators.ev import NOMINAL_VOLTAGE
from simulators.rpc import Handler, Reply
from simulators.security_handlers import SECURITY_KEYS_16
from simulators.sessions import Reservation
from simulators.smart_charging import from_v16

if TYPE_CHECKING:
    from simulators.v16 import Station16

Payload = dict[str, Any]


class V16Handlers:
    """Handlers bound to one Station16."""

    def __init__(self, station: Station16) -> None:
        self.st = station

    def table(self) -> dict[str, Handler]:
        """Action name -> handler."""
        names = ["RemoteStartTransaction", "RemoteStopTransaction", "Reset", "UnlockConnector",
                 "ChangeAvailability", "TriggerMessage", "GetConfiguration",
                 "ChangeConfiguration", "ClearCache", "DataTransfer", "SetChargingProfile",
                 "ClearChargingProfile", "GetCompositeSchedule", "ReserveNow",
                 "CancelReservation", "SendLocalList", "GetLocalListVersion", "UpdateFirmware",
                 "GetDiagnostics",
                 "SignedUpdateFirmware", "GetLog"]  # security extension: signed firmware, logs
        return {name: getattr(self, "on_" + name) for name in names}

    def _evse(self, cid: int) -> tuple[int, int] | None:
        return self.st.evse_of(cid)

    # ------------------------------------------------------------ transactions
    async def on_RemoteStartTransaction(self, p: Payload) -> Reply:
        st, tag = self.st, p["idTag"]
        profile = p.get("chargingProfile")
        if profile is not None and profile.get("chargingProfilePurpose") != "TxProfile":
            return Reply({"status": "Rejected"})
        if "connectorId" in p:
            key = self._evse(p["connectorId"])
            evse = key[0] if key and key[0] and st.can_start(key[0], key[1], tag) else None
        else:
            evse = st.free_evse(tag)
        if evse is None:
            return Reply({"status": "Rejected"})
        st.starting.add(evse)

        async def start() -> None:
            try:
                authorized = (not st.config.flag("AuthorizeRemoteTxRequests")
                              or await st.authorize(tag) == "Accepted")
            finally:
                st.starting.discard(evse)
            if not authorized:
                await st.refresh_status(evse)
                return
            tx_id = await st.start_transaction(evse, tag)
            if profile is not None:
                st.profiles.install(from_v16({**profile, "transactionId": int(tx_id)}, evse,
                                             st.clock.now()))
                st.apply_limits()
        return Reply({"status": "Accepted"}, start)

    async def on_RemoteStopTransaction(self, p: Payload) -> Reply:
        for evse, tx in self.st.tx.items():
            if tx.tx_id == str(p["transactionId"]):
                return Reply({"status": "Accepted"}, self._stop(evse, "Remote"))
        return Reply({"status": "Rejected"})

    def _stop(self, evse: int, reason: str) -> Callable[[], Awaitable[None]]:
        async def stop() -> None:
            if evse in self.st.tx:
                await self.st.stop_transaction(evse, reason=reason)
        return stop

    async def on_Reset(self, p: Payload) -> Reply:
        reason = "HardReset" if p["type"] == "Hard" else "SoftReset"

        async def reset() -> None:
            await self.st.reboot(tx_reason=reason)
        return Reply({"status": "Accepted"}, reset)

    async def on_UnlockConnector(self, p: Payload) -> Reply:
        key = self._evse(p["connectorId"])
        if key is None or key == (0, 0):
            return Reply({"status": "NotSupported"})
        tx = self.st.tx.get(key[0])
        then = self._stop(key[0], "UnlockCommand") if tx and tx.connector_id == key[1] else None
        return Reply({"status": "Unlocked"}, then)

    async def on_ChangeAvailability(self, p: Payload) -> Reply:
        st, key = self.st, self._evse(p["connectorId"])
        if key is None:
            return Reply({"status": "Rejected"})
        operative = p["type"] == "Operative"
        busy = bool(st.tx) if key == (0, 0) else key[0] in st.tx
        if busy and st.operative[key] != operative:
            st.pending_availability[key] = operative
            return Reply({"status": "Scheduled"})
        st.operative[key] = operative
        st.pending_availability.pop(key, None)

        async def apply() -> None:
            if key == (0, 0):
                await st.send_status(0, 0, "Available" if operative else "Unavailable")
            for evse in sorted({e for e, _ in st.connectors}):
                await st.refresh_status(evse)
        return Reply({"status": "Accepted"}, apply)

    async def on_TriggerMessage(self, p: Payload) -> Reply:
        st, msg, cid = self.st, p["requestedMessage"], p.get("connectorId")
        key = self._evse(cid) if cid is not None else None
        if cid is not None and key is None:
            return Reply({"status": "Rejected"})
        evses = [key[0]] if key and key[0] else sorted(st.meters)
        actions: dict[str, Callable[[], Awaitable[None]]] = {
            "BootNotification": lambda: _ignore(st.boot()),
            "Heartbeat": lambda: _ignore(st.heartbeat()),
            "StatusNotification": lambda: self._statuses(key),
            "MeterValues": lambda: _each(evses, lambda e: st.send_meter_values(
                e, context="Trigger")),
            "DiagnosticsStatusNotification": lambda: st.notify_diagnostics(
                st.diagnostics_status),
            "FirmwareStatusNotification": lambda: st.notify_firmware(st.firmware_status),
        }
        if msg not in actions:
            return Reply({"status": "NotImplemented"})
        return Reply({"status": "Accepted"}, actions[msg])

    async def _statuses(self, key: tuple[int, int] | None) -> None:
        st = self.st
        if key is None:
            await st.announce()
        elif key == (0, 0):
            await st.send_status(0, 0, "Available" if st.operative[key] else "Unavailable")
        else:
            await st.send_status(key[0], key[1], st.STATUS[st.state_of(*key)])

    # ------------------------------------------------------------ configuration
    async def on_GetConfiguration(self, p: Payload) -> Payload:
        return self.st.config.get(p.get("key"))

    async def on_ChangeConfiguration(self, p: Payload) -> Payload:
        if p["key"] in SECURITY_KEYS_16:  # security extension: write-only, not in config
            return {"status": self.st.security.change_key(p["key"], p["value"])}
        return {"status": self.st.config.change(p["key"], p["value"])}

    async def on_ClearCache(self, p: Payload) -> Payload:
        return {"status": "Accepted"}

    async def on_DataTransfer(self, p: Payload) -> Payload:
        if p["vendorId"] != "csms-sim":
            return {"status": "UnknownVendorId"}
        return {"status": "Accepted", **({"data": p["data"]} if "data" in p else {})}

    # ------------------------------------------------------------ smart charging
    async def on_SetChargingProfile(self, p: Payload) -> Payload:
        st, raw = self.st, p["csChargingProfiles"]
        key = self._evse(p["connectorId"])
        purpose = raw["chargingProfilePurpose"]
        if key is None or (purpose == "ChargePointMaxProfile" and key != (0, 0)):
            return {"status": "Rejected"}
        if purpose == "TxProfile":
            tx = st.tx.get(key[0])
            if tx is None or ("transactionId" in raw and str(raw["transactionId"]) != tx.tx_id):
                return {"status": "Rejected"}
            raw = {**raw, "transactionId": int(tx.tx_id)}
        st.profiles.install(from_v16(raw, key[0], st.clock.now()))
        st.apply_limits()
        return {"status": "Accepted"}

    async def on_ClearChargingProfile(self, p: Payload) -> Payload:
        key = self._evse(p["connectorId"]) if "connectorId" in p else None
        removed = self.st.profiles.clear(
            profile_id=p.get("id"), evse_id=key[0] if key else None,
            purpose=p.get("chargingProfilePurpose"), stack_level=p.get("stackLevel"))
        self.st.apply_limits()
        return {"status": "Accepted" if removed else "Unknown"}

    async def on_GetCompositeSchedule(self, p: Payload) -> Payload:
        st, key = self.st, self._evse(p["connectorId"])
        if key is None:
            return {"status": "Rejected"}
        evse, now = key[0], st.clock.now()
        tx = st.tx.get(evse)
        max_w = st.cfg.max_power_w * (1 if evse else len(st.meters))
        periods = st.profiles.composite(evse, now, float(p["duration"]), max_w,
                                        tx.tx_id if tx else None, tx.started_at if tx else None)
        if periods is None:
            return {"status": "Rejected"}
        unit = p.get("chargingRateUnit", "W")
        scale = 1.0 if unit == "W" else 1.0 / (NOMINAL_VOLTAGE * st.profiles.phases)
        return {"status": "Accepted", "connectorId": p["connectorId"],
                "scheduleStart": st.clock.iso_now(),
                "chargingSchedule": {
                    "duration": int(p["duration"]), "startSchedule": st.clock.iso_now(),
                    "chargingRateUnit": unit,
                    "chargingSchedulePeriod": [{"startPeriod": int(s), "limit": round(w * scale, 1)}
                                               for s, w in periods]}}

    # ------------------------------------------------------------ reservations
    async def on_ReserveNow(self, p: Payload) -> Reply:
        st, key = self.st, self._evse(p["connectorId"])
        if key is None or key == (0, 0):
            return Reply({"status": "Rejected"})
        state = st.state_of(*key)
        same = st.reservations.get(p["reservationId"])
        if state == "unavailable":
            return Reply({"status": "Unavailable"})
        if state != "available" and not (same and same.evse_id == key[0]):
            return Reply({"status": "Occupied"})
        res = Reservation(p["reservationId"], key[0], p["idTag"], parse_iso(p["expiryDate"]))
        st.reservations[res.id] = res
        return Reply({"status": "Accepted"}, lambda: st.hold_reservation(res))

    async def on_CancelReservation(self, p: Payload) -> Reply:
        res = self.st.reservations.pop(p["reservationId"], None)
        if res is None:
            return Reply({"status": "Rejected"})
        return Reply({"status": "Accepted"}, lambda: self.st.refresh_status(res.evse_id))

    # ------------------------------------------------------------ local list
    async def on_SendLocalList(self, p: Payload) -> Payload:
        st = self.st
        entries = {e["idTag"]: e.get("idTagInfo", {}) for e in p.get("localAuthorizationList", [])}
        if p["updateType"] == "Full":
            st.local_list = entries
        else:
            st.local_list.update(entries)
            st.local_list = {k: v for k, v in st.local_list.items() if v}
        st.local_list_version = p["listVersion"]
        return {"status": "Accepted"}

    async def on_GetLocalListVersion(self, p: Payload) -> Payload:
        return {"listVersion": self.st.local_list_version}

    # ------------------------------------------------------------ firmware, diagnostics
    # The firmware is really fetched from `location` and the log really uploaded (transfer).
    async def on_UpdateFirmware(self, p: Payload) -> Reply:
        st = self.st

        async def update() -> None:
            wait = (parse_iso(p["retrieveDate"]) - st.clock.now()).total_seconds()
            await st.clock.sleep(min(wait, 3600.0))
            await transfer.update_firmware(st, p["location"], p.get("retries", 0),
                                           p.get("retryInterval", 30), st.notify_firmware)
            st.firmware_status = "Idle"
        return Reply({}, update)

    async def on_SignedUpdateFirmware(self, p: Payload) -> Reply:
        st, fw, request_id = self.st, p["firmware"], p["requestId"]

        async def notify(status: str) -> None:
            st.firmware_status = status
            await st.call("SignedFirmwareStatusNotification",
                          {"status": status, "requestId": request_id})

        async def update() -> None:
            wait = (parse_iso(fw["retrieveDateTime"]) - st.clock.now()).total_seconds()
            await st.clock.sleep(min(wait, 3600.0))
            await transfer.update_firmware(st, fw["location"], p.get("retries", 0),
                                           p.get("retryInterval", 30), notify, signed=True)
            st.firmware_status = "Idle"
        return Reply({"status": "Accepted"}, update)

    async def on_GetDiagnostics(self, p: Payload) -> Reply:
        st = self.st
        name = f"diagnostics-{st.station_id}-{st.clock.now():%Y%m%dT%H%M%SZ}.log"[:255]

        async def upload() -> None:
            await transfer.upload_log(st, p["location"], name, "diagnostics",
                                      st.notify_diagnostics, multipart=True,
                                      failed="UploadFailed")
            st.diagnostics_status = "Idle"
        return Reply({"fileName": name}, upload)

    async def on_GetLog(self, p: Payload) -> Reply:
        st, request_id = self.st, p["requestId"]
        name = f"{p['logType']}-{st.station_id}-{st.clock.now():%Y%m%dT%H%M%SZ}.log"[:255]

        async def notify(status: str) -> None:
            await st.call("LogStatusNotification", {"status": status, "requestId": request_id})

        async def upload() -> None:
            await transfer.upload_log(st, p["log"]["remoteLocation"], name, p["logType"],
                                      notify, multipart=True, failed="UploadFailure")
        return Reply({"status": "Accepted", "filename": name}, upload)


async def _ignore(coro: Awaitable[Any]) -> None:
    await coro


async def _each(evses: list[int], fn: Callable[[int], Awaitable[None]]) -> None:
    for evse in evses:
        await fn(evse)
