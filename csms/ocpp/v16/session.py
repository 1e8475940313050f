"""OCPP 1.6 handlers: translate, call one service, translate back. Nothing else."""

from __future__ import annotations

import json
from typing import Any

from csms.domain.inbound import TxEvent
from csms.domain.model import AuthResult, AuthStatus
from csms.ocpp import kept_payloads
from csms.ocpp.errors import V16
from csms.ocpp.session import Session, handles
from csms.ocpp.timestamps import format_utc
from csms.ocpp.v16 import station_setup
from csms.ocpp.v16 import translate as tr
from csms.ocpp.v16.commands import EXCHANGES


class V16Session(Session):
    version = V16
    exchanges = {**EXCHANGES, **station_setup.EXCHANGES}  # + metering set on boot
    token_paths = {"Authorize": (("idTag",),), "StartTransaction": (("idTag",),),
                   "StopTransaction": (("idTag",),)}

    @classmethod
    def boot_identity(cls, payload: dict[str, Any]) -> tuple[str, str] | None:
        vendor, model = payload.get("chargePointVendor"), payload.get("chargePointModel")
        return (vendor, model) if isinstance(vendor, str) and isinstance(model, str) else None

    def _now(self) -> str:
        return format_utc(self.services.clock.now())

    @handles("BootNotification")
    async def on_boot_notification(self, p: dict[str, Any]) -> dict[str, Any]:
        decision = await self.services.stations.boot(self.station_id, tr.boot_info(p))
        self.registration = decision.status
        return {"status": decision.status.value, "currentTime": format_utc(decision.current_time),
                "interval": decision.interval_s}

    @handles("Heartbeat")
    async def on_heartbeat(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"currentTime": self._now()}

    # --- firmware and log jobs; the last two: security extension ---
    @handles("FirmwareStatusNotification")
    async def on_firmware_status(self, p: dict[str, Any]) -> dict[str, Any]:
        await self.services.firmware.status(
            self.station_id, "FirmwareStatusNotification", p, p["status"], None)
        return {}

    @handles("DiagnosticsStatusNotification")
    async def on_diagnostics_status(self, p: dict[str, Any]) -> dict[str, Any]:
        await self.services.diagnostics.status(
            self.station_id, "DiagnosticsStatusNotification", p, p["status"], None)
        return {}

    @handles("SignedFirmwareStatusNotification")
    async def on_signed_firmware_status(self, p: dict[str, Any]) -> dict[str, Any]:
        await self.services.firmware.status(
            self.station_id, "SignedFirmwareStatusNotification", p, p["status"],
            p.get("requestId"))
        return {}

    @handles("LogStatusNotification")
    async def on_log_status(self, p: dict[str, Any]) -> dict[str, Any]:
        await self.services.diagnostics.status(
            self.station_id, "LogStatusNotification", p, p["status"], p.get("requestId"))
        return {}

    @handles("StatusNotification")
    async def on_status_notification(self, p: dict[str, Any]) -> dict[str, Any]:
        await self.services.stations.status(tr.connector_state(self.station_id, p))
        return {}

    @handles("Authorize")
    async def on_authorize(self, p: dict[str, Any]) -> dict[str, Any]:
        auth = await self.services.tokens.authorize(p["idTag"], self.station_id)
        return {"idTagInfo": tr.id_tag_info(auth)}

    @handles("StartTransaction")
    async def on_start_transaction(self, p: dict[str, Any]) -> dict[str, Any]:
        outcome = await self.services.transactions.apply(
            tr.start_transaction(self.station_id, p))
        # An empty idTag passes the schema but names no token: the transaction is kept (the
        # station charges already) and answered Invalid, so that the station stops it.
        auth = outcome.auth or AuthResult(AuthStatus.INVALID)
        return {"transactionId": int(outcome.transaction.transaction_id),
                "idTagInfo": tr.id_tag_info(auth)}

    @handles("StopTransaction")
    async def on_stop_transaction(self, p: dict[str, Any]) -> dict[str, Any]:
        outcome = await self.services.transactions.apply(
            tr.stop_transaction(self.station_id, p))
        return {"idTagInfo": tr.id_tag_info(outcome.auth)} if outcome.auth else {}

    @handles("MeterValues")
    async def on_meter_values(self, p: dict[str, Any]) -> dict[str, Any]:
        report = tr.meter_values(self.station_id, p, self.services.clock.now())
        if isinstance(report, TxEvent):
            await self.services.transactions.apply(report)
        else:
            await self.services.transactions.meter_values(report)
        return {}

    @handles("DataTransfer")
    async def on_data_transfer(self, p: dict[str, Any]) -> dict[str, Any]:
        status, data = await self.services.data_transfer.handle(
            self.station_id, p["vendorId"], p.get("messageId"), p.get("data"),
            kept_payloads.data_transfer(p))
        if data is not None and not isinstance(data, str):  # 1.6 data is a string
            data = json.dumps(data, separators=(",", ":"))
        return {"status": status} | ({} if data is None else {"data": data})

    # --- security extension --------------------------------------------------------------

    @handles("SignCertificate")
    async def on_sign_certificate(self, p: dict[str, Any]) -> dict[str, Any]:
        """Accepted: CertificateSigned follows from a task of the certificate service."""
        decision = await self.services.certificates.sign_request(self.station_id, p["csr"], None)
        return {"status": "Accepted" if decision.accepted else "Rejected"}

    @handles("SecurityEventNotification")
    async def on_security_event_notification(self, p: dict[str, Any]) -> dict[str, Any]:
        await self.services.security.security_event(self.station_id, tr.security_event(p), p)
        return {}

