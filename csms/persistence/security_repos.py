"""Repository of the security area: the stored CA and the certificates it issued."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update

from csms.domain.security import Delivery, IssuedCertificate
from csms.persistence import tables_security as t


def _issued(r: Row[Any]) -> IssuedCertificate:
    m = r._mapping
    return IssuedCertificate(
        serial=m["serial"], station_id=m["station_id"], certificate_type=m["certificate_type"],
        common_name=m["common_name"], not_before=m["not_before"], not_after=m["not_after"],
        pem=m["pem"], issued_at=m["issued_at"], delivery=Delivery(m["delivery"]),
        revoked_at=m["revoked_at"])


class SecurityRepo:
    def __init__(self, conn: Connection) -> None:
        self._c = conn

    def authority(self, name: str) -> tuple[str, str] | None:
        c = t.certificate_authorities.c
        r = self._c.execute(select(c.cert_pem, c.key_pem).where(c.name == name)).first()
        return (r.cert_pem, r.key_pem) if r else None

    def add_authority(self, name: str, cert_pem: str, key_pem: str, at: datetime) -> bool:
        if self.authority(name) is not None:
            return False
        self._c.execute(insert(t.certificate_authorities).values(
            name=name, cert_pem=cert_pem, key_pem=key_pem, created_at=at))
        return True

    def add_certificate(self, cert: IssuedCertificate) -> None:
        self._c.execute(insert(t.issued_certificates).values(
            serial=cert.serial, station_id=cert.station_id,
            certificate_type=cert.certificate_type, common_name=cert.common_name,
            not_before=cert.not_before, not_after=cert.not_after, pem=cert.pem,
            issued_at=cert.issued_at, delivery=cert.delivery.value, revoked_at=cert.revoked_at))

    def certificate(self, serial: str) -> IssuedCertificate | None:
        q = select(t.issued_certificates).where(t.issued_certificates.c.serial == serial)
        r = self._c.execute(q).first()
        return _issued(r) if r else None

    def certificates(self, station_id: str, limit: int = 100) -> list[IssuedCertificate]:
        c = t.issued_certificates.c
        q = (select(t.issued_certificates).where(c.station_id == station_id)
             .order_by(c.id.desc()).limit(limit))
        return [_issued(r) for r in self._c.execute(q)]

    def set_delivery(self, serial: str, delivery: Delivery) -> None:
        c = t.issued_certificates.c
        self._c.execute(update(t.issued_certificates).where(c.serial == serial)
                        .values(delivery=delivery.value))

    def revoke(self, serial: str, at: datetime) -> bool:
        c = t.issued_certificates.c
        q = (update(t.issued_certificates)
             .where((c.serial == serial) & c.revoked_at.is_(None)).values(revoked_at=at))
        return bool(self._c.execute(q).rowcount)
