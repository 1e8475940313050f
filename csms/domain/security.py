"""Security records (issue 4 item 8): certificates the CA issued, station security events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Delivery(StrEnum):
    """What became of an issued certificate on its way to the station (CertificateSigned)."""

    PENDING = "pending"  # signed and stored; CertificateSigned not answered yet
    ACCEPTED = "accepted"
    REJECTED = "rejected"  # the station answered Rejected
    UNDELIVERED = "undelivered"  # offline, timeout or CALLERROR


@dataclass(frozen=True, slots=True)
class IssuedCertificate:
    serial: str  # lower-case hex, no leading zeros (as `format(n, "x")`)
    station_id: str
    certificate_type: str  # ChargingStationCertificate | V2GCertificate
    common_name: str
    not_before: datetime
    not_after: datetime
    pem: str
    issued_at: datetime
    delivery: Delivery = Delivery.PENDING
    revoked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class SecurityEvent:
    """A SecurityEventNotification (same fields in 1.6 security extension and 2.0.1)."""

    type: str
    timestamp: datetime
    tech_info: str | None = None
