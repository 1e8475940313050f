"""OCPP 2.0.1 station: the messages a 2.0.1 charging station sends.

Transactions are reported with TransactionEvent (Started / Updated / Ended,
seqNo per transaction, station-generated uuid ids).  CSMS-initiated calls live
in ``v201_handlers`` and ``v201_manage``.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from simulators.device_model import DeviceModel, Variable, default_variables
from simulators.ev import EV
from simulators.metering import DEFAULT_MEASURANDS, parse_measurands, sampled_values
from simulators.rpc import Handler
from simulators.sessions import Reservation, TxState
from simulators.station import SimStation

_REASON_ALIASES = {"HardReset": "ImmediateReset", "SoftReset": "ImmediateReset",
                   "UnlockCommand": "Other", "EVDeparted": "EVDisconnected"}
_REASONS = {"DeAuthorized", "EmergencyStop", "EnergyLimitReached", "EVDisconnected",
            "GroundFault", "ImmediateReset", "Local", "LocalOutOfCredit", "MasterPass", "Other",
            "OvercurrentFault", "PowerLoss", "PowerQuality", "Reboot", "Remote",
            "SOCLimitReached", "StoppedByEV", "TimeLimitReached", "Timeout"}
_TRIGGERS = {"Local": "StopAuthorized", "Remote": "RemoteStop", "EVDisconnected": "EVDeparted",
             "DeAuthorized": "Deauthorized", "ImmediateReset": "ResetCommand",
             "Reboot": "ResetCommand", "EnergyLimitReached": "EnergyLimitReached",
             "TimeLimitReached": "TimeLimitReached", "Other": "AbnormalCondition"}


class Station201(SimStation):
    """A simulated OCPP 2.0.1 charging station."""

    protocol = "2.0.1"
    subprotocol = "ocpp2.0.1"
    STATUS: ClassVar[dict[str, str]] = {
        "available": "Available", "preparing": "Occupied", "charging": "Occupied",
        "suspended_ev": "Occupied", "suspended_evse": "Occupied", "finishing": "Occupied",
        "reserved": "Reserved", "unavailable": "Unavailable",
    }

    def _handlers(self) -> dict[str, Handler]:
        from simulators.certificates import CertStore
        from simulators.security_handlers import SecurityHandlers
        from simulators.v201_device import V201Device
        from simulators.v201_handlers import V201Handlers
        from simulators.v201_manage import V201Manage

        c = self.cfg
        self.device = DeviceModel(default_variables(
            model=c.model, vendor=c.vendor, station_id=c.station_id,
            meter_interval_s=c.meter_interval_s, evses=c.evses,
            connectors=c.connectors_per_evse, max_power_w=c.max_power_w,
            secure=c.password is not None, now=self.clock.iso_now,
            availability=lambda e, k: self.STATUS[self.state_of(e, k)]), self._variable_changed)
        self.local_list_version = 0
        self.local_list: dict[str, dict[str, Any]] = {}
        self.display_messages: dict[int, dict[str, Any]] = {}
        self.firmware_status = "Idle"
        self.log_status = "Idle"
        self.total_cost: dict[str, float] = {}  # running cost (CostUpdated, TransactionEvent)
        self.final_cost: dict[str, float] = {}  # totalCost in the reply to Ended
        # device model extras: monitors, monitoring level, network profiles (v201_device)
        self.monitors: dict[int, dict[str, Any]] = {}
        self.monitoring_level = 9
        self.network_profiles: dict[int, dict[str, Any]] = {}
        self.device_extras = V201Device(self)
        # certificates (security_handlers); BasicAuthPassword is a device-model variable
        self.certs = CertStore(c.station_id)
        security = SecurityHandlers(self.certs, c, "2.0.1")
        return (V201Handlers(self).table() | V201Manage(self).table()
                | self.device_extras.table() | security.table())

    # ---------------------------------------------------------------- config
    def _variable_changed(self, var: Variable) -> None:
        if self.monitors:  # a monitored variable changed: NotifyEvent (v201_device)
            self.spawn(self.device_extras.changed(var))
        if (var.component, var.name) == ("OCPPCommCtrlr", "HeartbeatInterval"):
            self.set_heartbeat_interval(float(var.value))
        elif (var.component, var.name) == ("SampledDataCtrlr", "TxUpdatedInterval"):
            self.set_meter_interval(float(var.value))
        elif (var.component, var.name) == ("AlignedDataCtrlr", "Interval"):
            self.set_aligned_interval(float(var.value))
        elif (var.component, var.name) == ("SecurityCtrlr", "BasicAuthPassword"):
            self.cfg.password = var.value or None

    def _on_heartbeat_interval(self, interval: float) -> None:
        self.device.lookup("OCPPCommCtrlr", "HeartbeatInterval").value = str(int(interval))

    def measurands(self, name: str) -> list[str]:
        value = self.device.value("SampledDataCtrlr", name)
        return parse_measurands(value) or list(DEFAULT_MEASURANDS)

    def _local_auth_flags(self) -> tuple[bool, bool, bool]:
        flag = self.device.flag
        return (flag("LocalAuthListCtrlr", "Enabled"), flag("AuthCtrlr", "LocalAuthorizeOffline"),
                flag("AuthCtrlr", "LocalPreAuthorize"))

    # -------------------------------------------------------------- messages
    def _boot_payload(self, reason: str) -> dict[str, Any]:
        c = self.cfg
        return {"reason": reason, "chargingStation": {
            "model": c.model[:20], "vendorName": c.vendor[:50], "serialNumber": c.serial[:25],
            "firmwareVersion": c.firmware[:50]}}

    async def send_status(self, evse_id: int = 1, connector_id: int = 1,
                          status: str = "Available") -> None:
        """StatusNotification (connectorStatus, evseId, connectorId, timestamp)."""
        self.connector_status[(evse_id, connector_id)] = status
        if not self.online:  # announced on reconnect
            return
        await self.call("StatusNotification", {
            "timestamp": self.clock.iso_now(), "connectorStatus": status,
            "evseId": evse_id, "connectorId": connector_id})

    async def authorize(self, id_token: str, token_type: str = "ISO14443") -> str:
        resp = await self.call("Authorize", {"idToken": {"idToken": id_token[:36],
                                                         "type": token_type}})
        return str(resp["idTokenInfo"]["status"])

    def _meter_value(self, evse_id: int, context: str, measurands: list[str]) -> dict[str, Any]:
        meter = self.update_meter(evse_id)
        return {"timestamp": self.clock.iso_now(),
                "sampledValue": sampled_values(meter, measurands, context, v16=False)}

    def tx_event(self, tx: TxState, event: str, trigger: str, *, context: str,
                 measurands: str) -> dict[str, Any]:
        """A TransactionEvent payload with one meter value of ``context``."""
        return {
            "eventType": event, "timestamp": self.clock.iso_now(), "triggerReason": trigger,
            "seqNo": tx.next_seq(), "offline": not self._online.is_set(),
            "transactionInfo": {"transactionId": tx.tx_id, "chargingState": tx.charging_state},
            "evse": {"id": tx.evse_id, "connectorId": tx.connector_id},
            "meterValue": [self._meter_value(tx.evse_id, context, self.measurands(measurands))],
        }

    async def start_transaction(self, evse_id: int = 1, id_token: str | None = None, *,
                                connector_id: int = 1, remote_start_id: int | None = None,
                                ev: EV | None = None, tx_id: str | None = None,
                                token_type: str = "ISO14443") -> str:
        """Occupied -> TransactionEvent Started; returns the transaction id (a uuid)."""
        if evse_id in self.tx:
            raise RuntimeError(f"EVSE {evse_id} already has transaction {self.tx[evse_id].tx_id}")
        token = (id_token or self.cfg.id_token)[:36]
        await self.send_status(evse_id, connector_id, "Occupied")
        self.plug(evse_id, ev)
        lifetime = self.restart_register(evse_id) if "meter-reset" in self.quirks else None
        tx = TxState(tx_id or str(uuid.uuid4()), evse_id, connector_id, token, self.clock.now(),
                     self.meter_wh(evse_id), remote_start_id=remote_start_id,
                     reservation_id=self.take_reservation(evse_id, token), token_type=token_type)
        trigger = "RemoteStart" if remote_start_id is not None else "Authorized"
        payload = self.tx_event(tx, "Started", trigger, context="Transaction.Begin",
                                measurands="TxStartedMeasurands")
        payload["idToken"] = {"idToken": token, "type": token_type}
        if lifetime is not None:  # the start still reports the lifetime counter
            for mv in payload["meterValue"]:
                for sv in mv["sampledValue"]:
                    if sv.get("measurand") == "Energy.Active.Import.Register":
                        sv["value"] = round(lifetime, 1)
        if remote_start_id is not None:
            payload["transactionInfo"]["remoteStartId"] = remote_start_id
        if tx.reservation_id is not None:
            payload["reservationId"] = tx.reservation_id
        try:
            resp = await self.send_tx_message("TransactionEvent", payload, tx) or {}
        except BaseException:
            self.meters[evse_id].unplug(self.clock.monotonic())
            raise
        self.begin_tx(tx)
        status = resp.get("idTokenInfo", {}).get("status", "Accepted")
        if status != "Accepted" and self.device.flag("TxCtrlr", "StopTxOnInvalidId"):
            self.log.info("tx %s idToken %s, stopping", tx.tx_id, status)
            self.spawn(self.stop_transaction(evse_id, reason="DeAuthorized"))
        return tx.tx_id

    async def send_meter_values(self, evse_id: int = 1, *, context: str = "Sample.Periodic"
                                ) -> None:
        """TransactionEvent Updated during a transaction, plain MeterValues otherwise."""
        tx = self.tx.get(evse_id)
        if tx is None:
            await self.send_plain_meter_values(evse_id, context=context)
            return
        trigger = "Trigger" if context == "Trigger" else "MeterValuePeriodic"
        await self.send_tx_message("TransactionEvent", self.tx_event(
            tx, "Updated", trigger, context=context, measurands="TxUpdatedMeasurands"), tx)

    async def send_plain_meter_values(self, evse_id: int = 1, *, context: str = "Trigger"
                                      ) -> None:
        """MeterValues message (evseId, meterValue)."""
        await self.call("MeterValues", {"evseId": evse_id, "meterValue": [self._meter_value(
            evse_id, context, self.measurands("TxUpdatedMeasurands"))]})

    async def send_aligned_values(self, evse_id: int) -> None:
        """AlignedDataCtrlr.Measurands: TransactionEvent Updated (MeterValueClock) during a
        transaction, MeterValues otherwise."""
        if not self.device.flag("AlignedDataCtrlr", "Enabled"):
            return
        measurands = parse_measurands(self.device.value("AlignedDataCtrlr", "Measurands"))
        if not measurands:
            return
        value = self._meter_value(evse_id, "Sample.Clock", measurands)
        tx = self.tx.get(evse_id)
        if tx is None:
            await self.call("MeterValues", {"evseId": evse_id, "meterValue": [value]})
            return
        payload = self.tx_event(tx, "Updated", "MeterValueClock", context="Sample.Clock",
                                measurands="TxUpdatedMeasurands")
        payload["meterValue"] = [value]
        await self.send_tx_message("TransactionEvent", payload, tx)

    async def stop_transaction(self, evse_id: int = 1, reason: str = "Local") -> None:
        """TransactionEvent Ended with the final meter value, then Available."""
        tx = self.tx.get(evse_id)
        if tx is None:
            raise RuntimeError(f"no transaction on EVSE {evse_id}")
        if tx.stopping:
            await tx.ended.wait()
            return
        tx.stopping = True
        self.meters[evse_id].unplug(self.clock.monotonic())
        reason = _REASON_ALIASES.get(reason, reason)
        reason = reason if reason in _REASONS else "Other"
        trigger = _TRIGGERS.get(reason, "AbnormalCondition")
        tx.charging_state = "EVConnected" if reason in ("Local", "Remote") else "Idle"
        payload = self.tx_event(tx, "Ended", trigger, context="Transaction.End",
                                measurands="TxEndedMeasurands")
        payload["transactionInfo"]["stoppedReason"] = reason
        payload["transactionInfo"]["timeSpentCharging"] = int(
            (self.clock.now() - tx.started_at).total_seconds())
        if trigger == "StopAuthorized":
            payload["idToken"] = {"idToken": tx.id_token, "type": tx.token_type}
        try:
            await self.send_tx_message("TransactionEvent", payload, tx)
        finally:
            self.end_tx(tx)
        await self.refresh_status(evse_id)

    async def send_tx_message(self, action: str, payload: dict[str, Any],
                              tx: TxState | None) -> dict[str, Any] | None:
        """As the base, and keeps the cost the CSMS tells in TransactionEventResponse."""
        resp = await super().send_tx_message(action, payload, tx)
        if resp and "totalCost" in resp and action == "TransactionEvent":
            tx_id = payload["transactionInfo"]["transactionId"]
            self.total_cost[tx_id] = float(resp["totalCost"])
            if payload["eventType"] == "Ended":
                self.final_cost[tx_id] = float(resp["totalCost"])
        return resp

    async def _on_charging_state(self, tx: TxState, state: str) -> None:
        await self.send_tx_message("TransactionEvent", self.tx_event(
            tx, "Updated", "ChargingStateChanged", context="Sample.Periodic",
            measurands="TxUpdatedMeasurands"), tx)

    async def _on_reservation_expired(self, res: Reservation) -> None:
        await self.call("ReservationStatusUpdate", {"reservationId": res.id,
                                                    "reservationUpdateStatus": "Expired"})

    async def notify_firmware(self, status: str, request_id: int | None) -> None:
        self.firmware_status = status
        payload: dict[str, Any] = {"status": status}
        if request_id is not None and status != "Idle":
            payload["requestId"] = request_id
        await self.call("FirmwareStatusNotification", payload)

    async def notify_log(self, status: str, request_id: int | None) -> None:
        self.log_status = status
        payload: dict[str, Any] = {"status": status}
        if request_id is not None and status != "Idle":
            payload["requestId"] = request_id
        await self.call("LogStatusNotification", payload)
