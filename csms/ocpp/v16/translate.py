"""OCPP 1.6 wire payloads <-> version-neutral domain values."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from csms.domain.model import AuthResult, AuthStatus, BootInfo, Sample
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
