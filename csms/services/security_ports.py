"""The repository the certificate and security services need (persistence/security_repos)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from csms.domain.security import Delivery, IssuedCertificate, SecurityEvent


class SecurityRepo(Protocol):
    def authority(self, name: str) -> tuple[str, str] | None:
        """(certificate PEM, key PEM) of a stored CA."""
        ...
    def add_authority(self, name: str, cert_pem: str, key_pem: str, at: datetime) -> bool:
        """Store a CA unless one of that name exists; True if this one was stored."""
        ...
    def add_certificate(self, cert: IssuedCertificate) -> None: ...
    def certificate(self, serial: str) -> IssuedCertificate | None: ...
    def certificates(self, station_id: str, limit: int = 100) -> list[IssuedCertificate]: ...
    def set_delivery(self, serial: str, delivery: Delivery) -> None: ...
    def revoke(self, serial: str, at: datetime) -> bool: ...


class SecurityEventForm(Protocol):
    """Security events are kept as a station sends them (its SecurityEventNotification, listed
    raw among its reports), csms's own (refused handshakes, wrong passwords) in the same form.
    That form is OCPP's: the OCPP edge reads and writes it."""

    def read(self, at: datetime, data: Mapping[str, Any]) -> SecurityEvent:
        """The event of a kept notification; `at` is when it happened (as stored)."""
        ...

    def render(self, event: SecurityEvent) -> dict[str, Any]:
        """csms's own event, in the form a station's would be kept."""
        ...
