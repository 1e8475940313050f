"""OCPP 2.0.1 wire payloads <-> version-neutral domain values."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from csms.domain.charging_state import LimitPeriod, LimitSchedule
from csms.domain.inbound import MeterReport, TxEvent, TxEventKind
from csms.domain.model import AuthResult, AuthStatus, BootInfo, ConnectorState, Sample
from csms.domain.reservations import ReservationStatus
from csms.domain.security import SecurityEvent
from csms.ocpp.meter import make_sample
from csms.ocpp.timestamps import format_utc, parse

_AUTH_201 = {
    AuthStatus.ACCEPTED: "Accepted",
    AuthStatus.BLOCKED: "Blocked",
    AuthStatus.EXPIRED: "Expired",
    AuthStatus.INVALID: "Invalid",
    AuthStatus.CONCURRENT_TX: "ConcurrentTx",
    AuthStatus.UNKNOWN: "Unknown",
}

_TX_KIND = {"Started": TxEventKind.STARTED, "Updated": TxEventKind.UPDATED,
            "Ended": TxEventKind.ENDED}

# TransactionEvent stoppedReason / triggerReason values pass through unchanged.


def transaction_event(station_id: str, p: dict[str, Any]) -> TxEvent:
    info = p["transactionInfo"]
    evse = p.get("evse") or {}
    ended = p["eventType"] == "Ended"
    return TxEvent(
        _TX_KIND[p["eventType"]], station_id, parse(p["timestamp"]),
        transaction_id=info["transactionId"], evse_id=evse.get("id"),
        connector_id=evse.get("connectorId"),
        id_token=(p.get("idToken") or {}).get("idToken") or None,
        samples=samples(p.get("meterValue", [])),
        stop_reason=info.get("stoppedReason", "Local") if ended else None,
        seq_no=p["seqNo"], remote_start_id=info.get("remoteStartId"),
        offline=bool(p.get("offline", False)), reservation_id=p.get("reservationId"),
    )


def meter_report(station_id: str, p: dict[str, Any], now: datetime) -> MeterReport:
    """2.0.1 MeterValues name no transaction (those travel in TransactionEvent)."""
    return MeterReport(station_id, p["evseId"], None, samples(p["meterValue"]),
                       attach_to_active=False, received_at=now)


def connector_state(station_id: str, p: dict[str, Any]) -> ConnectorState:
    return ConnectorState(station_id, p["evseId"], p["connectorId"], p["connectorStatus"],
                          None, parse(p["timestamp"]))


def security_event(p: dict[str, Any]) -> SecurityEvent:
    return SecurityEvent(p["type"], parse(p["timestamp"]), p.get("techInfo"))


# ReservationStatusUpdate -> what it makes of the reservation.
_RESERVATION_UPDATES = {"Expired": ReservationStatus.EXPIRED,
                        "Removed": ReservationStatus.CANCELLED}


def reservation_status(update: str) -> ReservationStatus:
    return _RESERVATION_UPDATES.get(update, ReservationStatus.CANCELLED)


def boot_info(p: dict[str, Any]) -> BootInfo:
    cs = p["chargingStation"]
    extra = {k: str(v) for k, v in (cs.get("modem") or {}).items()}
    return BootInfo(
        vendor=cs["vendorName"], model=cs["model"], serial_number=cs.get("serialNumber"),
        firmware_version=cs.get("firmwareVersion"), reason=p.get("reason"), extra=extra,
    )


def id_token_info(auth: AuthResult) -> dict[str, Any]:
    info: dict[str, Any] = {"status": _AUTH_201[auth.status]}
    if auth.expires_at is not None:
        info["cacheExpiryDateTime"] = format_utc(auth.expires_at)
    if auth.group_id:
        info["groupIdToken"] = {"idToken": auth.group_id[:36], "type": "Central"}
    return info


def samples(meter_values: list[dict[str, Any]]) -> tuple[Sample, ...]:
    """Flatten meterValue[].sampledValue[]; value scaled by unitOfMeasure.multiplier."""
    out: list[Sample] = []
    for mv in meter_values:
        ts = parse(mv["timestamp"])
        for sv in mv.get("sampledValue", []):
            uom = sv.get("unitOfMeasure") or {}
            try:
                value = float(sv["value"]) * (10.0 ** int(uom.get("multiplier", 0)))
            except OverflowError:
                value = math.inf  # refused as not finite by make_sample
            out.append(make_sample(
                ts, value, sv.get("measurand"), uom.get("unit"), sv.get("phase"),
                sv.get("location"), sv.get("context"),
            ))
    return tuple(out)


def charging_needs(needs: dict[str, Any]) -> tuple[datetime | None, float | None]:
    """(departure, energy Wh) from NotifyEVChargingNeeds' chargingNeeds (AC or DC)."""
    departure = parse(needs["departureTime"]) if "departureTime" in needs else None
    params = needs.get("acChargingParameters") or needs.get("dcChargingParameters") or {}
    energy = params.get("energyAmount")
    return departure, float(energy) if energy is not None else None


def limit_schedule(s: dict[str, Any]) -> LimitSchedule:
    """A NotifyChargingLimit ChargingScheduleType (schema-checked) as the domain's schedule."""
    start = s.get("startSchedule")
    return LimitSchedule(
        unit=s["chargingRateUnit"],
        periods=tuple(LimitPeriod(float(p["startPeriod"]), float(p["limit"]),
                                  p.get("numberPhases")) for p in s["chargingSchedulePeriod"]),
        start=None if start is None else parse(start),
        duration_s=s.get("duration"))
