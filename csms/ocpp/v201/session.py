"""OCPP 2.0.1 handlers: translate, call one service, translate back. Nothing else."""

from __future__ import annotations

from typing import Any

from csms.ocpp import cert_hash, kept_payloads
from csms.ocpp.errors import V201
from csms.ocpp.session import handles
from csms.ocpp.timestamps import format_utc
from csms.ocpp.v201 import station_setup
from csms.ocpp.v201 import translate as tr
from csms.ocpp.v201.charging_state import ChargingStateHandlers  # smart-charging reports
from csms.ocpp.v201.commands import EXCHANGES
from csms.ocpp.v201.device import DeviceHandlers

# Reports a station sends that the CSMS stores for support and answers with an empty reply.
_STORED = ("NotifyCustomerInformation", "PublishFirmwareStatusNotification")


# DeviceHandlers: NotifyReport, NotifyMonitoringReport, NotifyEvent, NotifyDisplayMessages.
# ChargingStateHandlers: ReportChargingProfiles, NotifyChargingLimit, ClearedChargingLimit.
class V201Session(DeviceHandlers, ChargingStateHandlers):
    version = V201
    exchanges = {**EXCHANGES, **station_setup.EXCHANGES}  # + metering set on boot
    stored = frozenset(_STORED)
    token_paths = {"Authorize": (("idToken", "idToken"),),
                   "TransactionEvent": (("idToken", "idToken"),)}

    @classmethod
    def boot_identity(cls, payload: dict[str, Any]) -> tuple[str, str] | None:
        station = payload.get("chargingStation")
        if not isinstance(station, dict):
            return None
        vendor, model = station.get("vendorName"), station.get("model")
        return (vendor, model) if isinstance(vendor, str) and isinstance(model, str) else None

    @handles("BootNotification")
    async def on_boot_notification(self, p: dict[str, Any]) -> dict[str, Any]:
        decision = await self.services.stations.boot(self.station_id, tr.boot_info(p))
        self.registration = decision.status
        return {"status": decision.status.value, "currentTime": format_utc(decision.current_time),
                "interval": decision.interval_s}

    @handles("Heartbeat")
    async def on_heartbeat(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"currentTime": format_utc(self.services.clock.now())}

    # --- firmware and log jobs ---
    @handles("FirmwareStatusNotification")
    async def on_firmware_status(self, p: dict[str, Any]) -> dict[str, Any]:
        await self.services.firmware.status(
            self.station_id, "FirmwareStatusNotification", p, p["status"], p.get("requestId"))
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
        auth = await self.services.tokens.authorize(p["idToken"]["idToken"], self.station_id)
        return {"idTokenInfo": tr.id_token_info(auth)}

    @handles("TransactionEvent")
    async def on_transaction_event(self, p: dict[str, Any]) -> dict[str, Any]:
        outcome = await self.services.transactions.apply(
            tr.transaction_event(self.station_id, p))
        reply: dict[str, Any] = {}
        if outcome.auth:
            reply["idTokenInfo"] = tr.id_token_info(outcome.auth)
        if outcome.cost is not None and p["eventType"] != "Started":  # running / final cost
            reply["totalCost"] = float(outcome.cost.total)
        return reply

    @handles("MeterValues")
    async def on_meter_values(self, p: dict[str, Any]) -> dict[str, Any]:
        await self.services.transactions.meter_values(
            tr.meter_report(self.station_id, p, self.services.clock.now()))
        return {}

    @handles("ReservationStatusUpdate")  # reservations
    async def on_reservation_status_update(self, p: dict[str, Any]) -> dict[str, Any]:
        update = p["reservationUpdateStatus"]
        await self.services.reservations.station_update(
            self.station_id, p["reservationId"], tr.reservation_status(update), update,
            {"reservationId": p["reservationId"], "reservationUpdateStatus": update})
        return {}

    @handles("DataTransfer")
    async def on_data_transfer(self, p: dict[str, Any]) -> dict[str, Any]:
        status, data = await self.services.data_transfer.handle(
            self.station_id, p["vendorId"], p.get("messageId"), p.get("data"),
            kept_payloads.data_transfer(p))
        return {"status": status} | ({} if data is None else {"data": data})

    # --- security, ISO 15118 certificates ------------------------------------------------

    @handles("SignCertificate")
    async def on_sign_certificate(self, p: dict[str, Any]) -> dict[str, Any]:
        """Accepted: CertificateSigned follows from a task of the certificate service."""
        decision = await self.services.certificates.sign_request(
            self.station_id, p["csr"], p.get("certificateType"))
        if decision.accepted:
            return {"status": "Accepted"}
        return {"status": "Rejected", "statusInfo": {
            "reasonCode": "InvalidCSR", "additionalInfo": decision.reason[:512]}}

    @handles("SecurityEventNotification")
    async def on_security_event_notification(self, p: dict[str, Any]) -> dict[str, Any]:
        await self.services.security.security_event(self.station_id, tr.security_event(p), p)
        return {}

    @handles("Get15118EVCertificate")
    async def on_get_15118_ev_certificate(self, p: dict[str, Any]) -> dict[str, Any]:
        decision = await self.services.certificates.ev_certificate(self.station_id, p["action"])
        return {"status": "Failed", "exiResponse": "",
                "statusInfo": {"reasonCode": decision.reason[:20]}}

    @handles("GetCertificateStatus")
    async def on_get_certificate_status(self, p: dict[str, Any]) -> dict[str, Any]:
        decision = await self.services.certificates.certificate_status(
            self.station_id, cert_hash.from_wire(p["ocspRequestData"]))
        if decision.accepted:
            return {"status": "Accepted", "ocspResult": decision.reason}
        return {"status": "Failed", "statusInfo": {"reasonCode": decision.reason[:20]}}

    @handles("NotifyEVChargingNeeds")
    async def on_notify_ev_charging_needs(self, p: dict[str, Any]) -> dict[str, Any]:
        """An ISO 15118 car's departure and energy feed the planner (K17); Accepted means a
        schedule follows, Rejected that no session runs on that EVSE."""
        await self.services.stations.report(self.station_id, "NotifyEVChargingNeeds", p)
        departure, energy_wh = tr.charging_needs(p["chargingNeeds"])
        planned = await self.services.preferences.from_station(
            self.station_id, p["evseId"], departure, energy_wh)
        return {"status": "Accepted" if planned else "Rejected"}

    @handles("NotifyEVChargingSchedule")
    async def on_notify_ev_charging_schedule(self, p: dict[str, Any]) -> dict[str, Any]:
        await self.services.stations.report(self.station_id, "NotifyEVChargingSchedule", p)
        return {"status": "Accepted"}
