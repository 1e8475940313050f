"""OCPP 1.6 wire payloads <-> version-neutral domain values."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from csms.domain.inbound import MeterReport, TxEvent, TxEventKind
from csms.domain.model import AuthResult, AuthStatus, BootInfo, ConnectorState, Sample
from csms.domain.security import SecurityEvent
from csms.ocpp.meter import make_sample
from csms.ocpp.timestamps import format_utc, parse

log = logging.getLogger(__name__)

_AUTH_16 = {
    AuthStatus.ACCEPTED: "Accepted",
    AuthStatus.BLOCKED: "Blocked",
    AuthStatus.EXPIRED: "Expired",
    AuthStatus.INVALID: "Invalid",
    AuthStatus.CONCURRENT_TX: "ConcurrentTx",
    AuthStatus.UNKNOWN: "Invalid",
}


def evse_connector(connector_id: int) -> tuple[int, int]:
    """1.6 connectorId -> (evse_id, connector_id)."""
    return (0, 0) if connector_id == 0 else (connector_id, 1)


def stop_transaction_id(transaction_id: int, stopped_at: datetime) -> str:
    """The CSMS hands out ids from 1; a stop with -1 or 0 is a session that started offline and
    never got one. Each such stop is its own transaction, named by its stop time, so sessions
    stay apart and a retried stop (same time) is still counted once."""
    if transaction_id > 0:
        return str(transaction_id)
    return f"{transaction_id}@{format_utc(stopped_at)}"


def start_transaction(station_id: str, p: dict[str, Any]) -> TxEvent:
    evse_id, connector_id = evse_connector(p["connectorId"])
    return TxEvent(
        TxEventKind.STARTED, station_id, parse(p["timestamp"]),
        evse_id=evse_id, connector_id=connector_id, id_token=p["idTag"] or None,
        meter_wh=float(p["meterStart"]), reservation_id=p.get("reservationId"),
    )


def stop_transaction(station_id: str, p: dict[str, Any]) -> TxEvent:
    stopped_at = parse(p["timestamp"])
    return TxEvent(
        TxEventKind.ENDED, station_id, stopped_at,
        transaction_id=stop_transaction_id(p["transactionId"], stopped_at),
        id_token=p.get("idTag"), meter_wh=float(p["meterStop"]),
        samples=samples(p.get("transactionData", [])), stop_reason=p.get("reason", "Local"),
    )


def meter_values(station_id: str, p: dict[str, Any], now: datetime) -> TxEvent | MeterReport:
    """An update of the transaction the station names, else samples for the connector."""
    evse_id, connector_id = evse_connector(p["connectorId"])
    values = samples(p["meterValue"])
    transaction_id = known_transaction_id(p)
    if transaction_id is not None:
        return TxEvent(TxEventKind.UPDATED, station_id, now, transaction_id=transaction_id,
                       evse_id=evse_id, connector_id=connector_id, samples=values)
    return MeterReport(station_id, evse_id, connector_id, values,
                       attach_to_active=evse_id > 0, received_at=now)


def connector_state(station_id: str, p: dict[str, Any]) -> ConnectorState:
    evse_id, connector_id = evse_connector(p["connectorId"])
    at = parse(p["timestamp"]) if "timestamp" in p else None
    error = None if p["errorCode"] == "NoError" else p["errorCode"]
    return ConnectorState(station_id, evse_id, connector_id, p["status"], error, at)


def security_event(p: dict[str, Any]) -> SecurityEvent:
    return SecurityEvent(p["type"], parse(p["timestamp"]), p.get("techInfo"))


def known_transaction_id(p: dict[str, Any]) -> str | None:
    """MeterValues' transactionId, unless it is one the CSMS never hands out (-1, 0)."""
    tx_id = p.get("transactionId")
    return str(tx_id) if isinstance(tx_id, int) and tx_id > 0 else None


def boot_info(p: dict[str, Any]) -> BootInfo:
    serial = p.get("chargePointSerialNumber") or p.get("chargeBoxSerialNumber")
    keys = ("iccid", "imsi", "meterType", "meterSerialNumber")
    extra: dict[str, str] = {k: str(p[k]) for k in keys if k in p}
    return BootInfo(
        vendor=p["chargePointVendor"], model=p["chargePointModel"],
        serial_number=serial, firmware_version=p.get("firmwareVersion"), extra=extra,
    )


def id_tag_info(auth: AuthResult) -> dict[str, Any]:
    info: dict[str, Any] = {"status": _AUTH_16[auth.status]}
    if auth.expires_at is not None:
        info["expiryDate"] = format_utc(auth.expires_at)
    if auth.group_id:
        info["parentIdTag"] = auth.group_id[:20]
    return info


def samples(meter_values: list[dict[str, Any]]) -> tuple[Sample, ...]:
    """Flatten meterValue[].sampledValue[]; signed or non-numeric values are skipped."""
    out: list[Sample] = []
    for mv in meter_values:
        ts = parse(mv["timestamp"])
        for sv in mv.get("sampledValue", []):
            if sv.get("format") == "SignedData":
                continue
            try:
                value = float(sv["value"])
            except (TypeError, ValueError):
                log.info("non-numeric sampled value %r skipped", sv.get("value"))
                continue
            out.append(make_sample(
                ts, value, sv.get("measurand"), sv.get("unit"), sv.get("phase"),
                sv.get("location"), sv.get("context"),
            ))
    return tuple(out)
