"""Row <-> domain object mapping, kept apart so repositories stay short."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row

from csms.domain.model import (
    AuthStatus,
    ConnectorState,
    ForecastFetch,
    GreenSource,
    GuardFailure,
    IdToken,
    RegistrationStatus,
    Site,
    SourceForecast,
    Station,
    Transaction,
)
from csms.domain.security import SecurityProfile


def station(r: Row[Any]) -> Station:
    m = r._mapping
    return Station(
        id=m["id"],
        password_hash=m["password_hash"],
        site_id=m["site_id"],
        description=m["description"],
        registration_status=RegistrationStatus(m["registration_status"]),
        protocol=m["protocol"],
        vendor=m["vendor"],
        model=m["model"],
        serial_number=m["serial_number"],
        firmware_version=m["firmware_version"],
        last_seen=m["last_seen"],
        last_boot_at=m["last_boot_at"],
        created_at=m["created_at"],
        charging_control=m["charging_control"],
        charging_control_reason=m["charging_control_reason"],
        security_profile=SecurityProfile(m["security_profile"]),
    )


def connector(r: Row[Any]) -> ConnectorState:
    m = r._mapping
    return ConnectorState(
        station_id=m["station_id"],
        evse_id=m["evse_id"],
        connector_id=m["connector_id"],
        status=m["status"],
        error_code=m["error_code"],
        updated_at=m["updated_at"],
    )


def id_token(r: Row[Any]) -> IdToken:
    m = r._mapping
    return IdToken(
        id_token=m["id_token"],
        status=AuthStatus(m["status"]),
        expires_at=m["expires_at"],
        group_id=m["group_id"],
        member=m["member"],
    )


TX_FIELDS = (
    "station_id", "transaction_id", "evse_id", "connector_id", "id_token", "started_at",
    "stopped_at", "meter_start_wh", "meter_stop_wh", "energy_wh", "green_energy_wh",
    "stop_reason", "first_register_wh", "first_register_at", "last_register_wh",
    "last_register_at", "interval_energy_wh", "seq_no", "seq_seen", "remote_start_id", "offline",
)


def transaction(r: Row[Any]) -> Transaction:
    m = r._mapping
    return Transaction(pk=m["pk"], **{f: m[f] for f in TX_FIELDS})


def transaction_values(tx: Transaction) -> dict[str, Any]:
    return {f: getattr(tx, f) for f in TX_FIELDS}


def site(r: Row[Any]) -> Site:
    m = r._mapping
    return Site(id=m["id"], name=m["name"], grid_limit_kw=m["grid_limit_kw"],
                latitude=m["latitude"], longitude=m["longitude"], timezone=m["timezone"],
                created_at=m["created_at"], default_dwell_h=m["default_dwell_h"],
                default_energy_kwh=m["default_energy_kwh"], default_mode=m["default_mode"],
                local_guard=bool(m["local_guard"]), guard_since=m["guard_since"],
                guard_failure=None if m["guard_failed_at"] is None else GuardFailure(
                    m["guard_failed_at"], float(m["guard_failed_kw"] or 0.0)))


def green_source(r: Row[Any]) -> GreenSource:
    m = r._mapping
    return GreenSource(site_id=m["site_id"], id=m["id"], kind=m["kind"], name=m["name"],
                       peak_kw=m["peak_kw"], tilt_deg=m["tilt_deg"],
                       azimuth_deg=m["azimuth_deg"], on_site=m["on_site"])


def source_forecast(r: Row[Any]) -> SourceForecast:
    m = r._mapping
    return SourceForecast(site_id=m["site_id"], source_id=m["source_id"], start=m["start"],
                          slot_minutes=m["slot_minutes"],
                          power_kw=tuple(float(v) for v in m["power_kw"]),
                          issued_at=m["issued_at"], received_at=m["received_at"],
                          origin=m["origin"])


def forecast_fetch(r: Row[Any]) -> ForecastFetch:
    m = r._mapping
    return ForecastFetch(site_id=m["site_id"], source_id=m["source_id"], provider=m["provider"],
                         checked_at=m["checked_at"], error=m["error"],
                         failing_since=m["failing_since"], ok_at=m["ok_at"])
