"""OCPP 1.6-J station: the messages a 1.6 charger sends.

Connector ids are flat in 1.6: EVSE ``e`` connector ``c`` is connectorId
``(e - 1) * connectors_per_evse + c`` and connectorId 0 is the whole station.
The CSMS-initiated calls live in ``v16_handlers``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from simulators.ev import EV
from simulators.metering import sampled_values
from simulators.rpc import Handler
from simulators.sessions import TxState
from simulators.station import SimStation
from simulators.v16_config import ConfigStore, default_keys

_REASONS = {"EmergencyStop", "EVDisconnected", "HardReset", "Local", "Other", "PowerLoss",
            "Reboot", "Remote", "SoftReset", "UnlockCommand", "DeAuthorized"}
_REASON_ALIASES = {"ImmediateReset": "HardReset", "EVDeparted": "EVDisconnected"}


class Station16(SimStation):
    """A simulated OCPP 1.6-J charge point."""

    protocol = "1.6"
    subprotocol = "ocpp1.6"
    STATUS: ClassVar[dict[str, str]] = {
        "available": "Available", "preparing": "Preparing", "charging": "Charging",
        "suspended_ev": "SuspendedEV", "suspended_evse": "SuspendedEVSE",
        "finishing": "Finishing", "reserved": "Reserved", "unavailable": "Unavailable",
    }

    def _handlers(self) -> dict[str, Handler]:
        from simulators.certificates import CertStore
        from simulators.security_handlers import SecurityHandlers
        from simulators.v16_extended import V16Extended
        from simulators.v16_handlers import V16Handlers

        self.config = ConfigStore(
            default_keys(len(self.connectors), self.cfg.meter_interval_s), self._config_changed
        )
        self.local_list_version = 0
        self.local_list: dict[str, dict[str, Any]] = {}
        self.firmware_status = "Idle"
        self.diagnostics_status = "Idle"
        core = V16Handlers(self)
        # certificates, AuthorizationKey, SecurityProfile (security_handlers)
        self.certs = CertStore(self.cfg.station_id)
        self.security = SecurityHandlers(self.certs, self.cfg, "1.6")
        return (core.table() | V16Extended(self, core).table()  # + ExtendedTriggerMessage
                | self.security.table())

    # ------------------------------------------------------------ id mapping
    def connector_id(self, evse_id: int, connector_id: int = 1) -> int:
        """Flat 1.6 connectorId of (evse, connector); 0 for the station."""
        if evse_id == 0:
            return 0
        return (evse_id - 1) * self.cfg.connectors_per_evse + connector_id

    def evse_of(self, cid: int) -> tuple[int, int] | None:
        """(evse, connector) of a 1.6 connectorId; (0, 0) for 0, None if out of range."""
        if cid == 0:
            return (0, 0)
        per = self.cfg.connectors_per_evse
        key = ((cid - 1) // per + 1, (cid - 1) % per + 1)
        return key if key in self.operative else None

    # ---------------------------------------------------------------- config
    def _config_changed(self, key: str, value: str) -> None:
        if key == "HeartbeatInterval":
            self.set_heartbeat_interval(float(value))
        elif key == "MeterValueSampleInterval":
            self.set_meter_interval(float(value))
        elif key == "ClockAlignedDataInterval":
            self.set_aligned_interval(float(value))

    def _on_heartbeat_interval(self, interval: float) -> None:
        self.config.keys["HeartbeatInterval"].value = str(int(interval))

    # ------------------------------------------- local list, offline transactions
    def _local_auth_flags(self) -> tuple[bool, bool, bool]:
        flag = self.config.flag
        return (flag("LocalAuthListEnabled"), flag("LocalAuthorizeOffline"),
                flag("LocalPreAuthorize"))

    def _before_replay(self, action: str, payload: dict[str, Any], tx: TxState | None) -> None:
        if tx is not None and action in ("MeterValues", "StopTransaction"):
            payload["transactionId"] = int(tx.tx_id)

    def _after_replay(self, action: str, resp: dict[str, Any], tx: TxState | None) -> None:
        if tx is not None and action == "StartTransaction":
            tx.tx_id = str(resp["transactionId"])
            if self.tx.get(tx.evse_id) is tx:
                self.transactions[tx.evse_id] = tx.tx_id

    # -------------------------------------------------------------- messages
    def _boot_payload(self, reason: str) -> dict[str, Any]:
        c = self.cfg
        return {"chargePointVendor": c.vendor[:20], "chargePointModel": c.model[:20],
                "chargePointSerialNumber": c.serial[:25], "firmwareVersion": c.firmware[:50]}

    async def send_status(self, evse_id: int = 1, connector_id: int = 1,
                          status: str = "Available") -> None:
        """StatusNotification for a connector (evse_id 0 = connectorId 0)."""
        key = (evse_id, connector_id) if evse_id else (0, 0)
        self.connector_status[key] = status
        if not self.online:  # announced on reconnect
            return
        await self.call("StatusNotification", {
            "connectorId": self.connector_id(evse_id, connector_id), "status": status,
            "errorCode": "NoError", "timestamp": self.clock.iso_now()})

    async def announce(self) -> None:
        """Connector 0 first, then every connector."""
        station = "Available" if self.operative[(0, 0)] else "Unavailable"
        await self.send_status(0, 0, station)
        await super().announce()

    async def authorize(self, id_token: str) -> str:
        resp = await self.call("Authorize", {"idTag": id_token[:20]})
        return str(resp["idTagInfo"]["status"])

    def _meter_value(self, evse_id: int, context: str, key: str = "MeterValuesSampledData"
                     ) -> dict[str, Any]:
        meter = self.update_meter(evse_id)
        return {"timestamp": self.clock.iso_now(),
                "sampledValue": sampled_values(meter, self.config.measurands(key), context,
                                               v16=True)}

    async def start_transaction(self, evse_id: int = 1, id_token: str | None = None, *,
                                connector_id: int = 1, remote_start_id: int | None = None,
                                ev: EV | None = None, tx_id: str | None = None) -> str:
        """Preparing -> StartTransaction -> Charging; returns str(transactionId)."""
        if evse_id in self.tx:
            raise RuntimeError(f"EVSE {evse_id} already has transaction {self.tx[evse_id].tx_id}")
        token = (id_token or self.cfg.id_token)[:20]
        await self.send_status(evse_id, connector_id, "Preparing")
        self.plug(evse_id, ev)
        start_wh = self.meter_wh(evse_id)
        declared_wh = start_wh
        if "meter-reset" in self.quirks:  # lifetime counter declared, register from 0
            declared_wh, start_wh = self.restart_register(evse_id), 0.0
        payload: dict[str, Any] = {
            "connectorId": self.connector_id(evse_id, connector_id), "idTag": token,
            "meterStart": int(declared_wh), "timestamp": self.clock.iso_now()}
        reservation = self.take_reservation(evse_id, token)
        if reservation is not None:
            payload["reservationId"] = reservation
        try:
            resp = await self.send_tx_message("StartTransaction", payload, None)
        except BaseException:
            self.meters[evse_id].unplug(self.clock.monotonic())
            raise
        queued = resp is None  # offline: a placeholder id until the CSMS gives one
        if resp is None:
            resp = {"transactionId": -len(self.offline_queue), "idTagInfo": {"status": "Accepted"}}
        tx = TxState(str(resp["transactionId"]), evse_id, connector_id, token,
                     self.clock.now(), float(int(start_wh)), reservation_id=reservation)
        if queued:
            self.offline_queue[-1] = ("StartTransaction", payload, tx)
        self.begin_tx(tx)
        await self.send_status(evse_id, connector_id, "Charging")
        status = resp["idTagInfo"]["status"]
        if status != "Accepted" and self.config.flag("StopTransactionOnInvalidId"):
            self.log.info("tx %s idTag %s, stopping", tx.tx_id, status)
            self.spawn(self.stop_transaction(evse_id, reason="DeAuthorized"))
        return tx.tx_id

    async def send_meter_values(self, evse_id: int = 1, *, context: str = "Sample.Periodic"
                                ) -> None:
        """One MeterValues sample now (with transactionId while a transaction runs)."""
        tx = self.tx.get(evse_id)
        payload: dict[str, Any] = {"connectorId": self.connector_id(evse_id),
                                   "meterValue": [self._meter_value(evse_id, context)]}
        if tx is not None:
            payload["transactionId"] = int(tx.tx_id)
            await self.send_tx_message("MeterValues", payload, tx)
            return
        await self.call("MeterValues", payload)

    async def send_aligned_values(self, evse_id: int) -> None:
        """MeterValues of MeterValuesAlignedData (with transactionId while one runs)."""
        if not self.config.keys["MeterValuesAlignedData"].value:
            return
        tx = self.tx.get(evse_id)
        payload: dict[str, Any] = {"connectorId": self.connector_id(evse_id), "meterValue": [
            self._meter_value(evse_id, "Sample.Clock", "MeterValuesAlignedData")]}
        if tx is not None:
            payload["transactionId"] = int(tx.tx_id)
            await self.send_tx_message("MeterValues", payload, tx)
            return
        await self.call("MeterValues", payload)

    async def stop_transaction(self, evse_id: int = 1, reason: str = "Local") -> None:
        """StopTransaction with the final sample, then Finishing -> Available."""
        tx = self.tx.get(evse_id)
        if tx is None:
            raise RuntimeError(f"no transaction on EVSE {evse_id}")
        if tx.stopping:
            await tx.ended.wait()
            return
        tx.stopping = True
        self.meters[evse_id].unplug(self.clock.monotonic())
        reason = _REASON_ALIASES.get(reason, reason)
        payload: dict[str, Any] = {
            "transactionId": int(tx.tx_id), "idTag": tx.id_token,
            "meterStop": int(self.meters[evse_id].energy_wh), "timestamp": self.clock.iso_now(),
            "reason": reason if reason in _REASONS else "Other",
            "transactionData": [self._meter_value(evse_id, "Transaction.End",
                                                  "StopTxnSampledData")]}
        try:
            await self.send_tx_message("StopTransaction", payload, tx)
        finally:
            self.end_tx(tx)
        await self.send_status(evse_id, tx.connector_id, "Finishing")
        await self.refresh_status(evse_id)

    async def _on_charging_state(self, tx: TxState, state: str) -> None:
        status = {"SuspendedEV": "SuspendedEV", "SuspendedEVSE": "SuspendedEVSE"}.get(
            state, "Charging")
        await self.send_status(tx.evse_id, tx.connector_id, status)

    async def notify_firmware(self, status: str) -> None:
        self.firmware_status = status
        await self.call("FirmwareStatusNotification", {"status": status})

    async def notify_diagnostics(self, status: str) -> None:
        self.diagnostics_status = status
        await self.call("DiagnosticsStatusNotification", {"status": status})
