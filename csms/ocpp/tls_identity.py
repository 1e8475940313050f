"""Security profile 3: the station's identity from its TLS client certificate.

The TLS layer has already verified the chain against CSMS_TLS_CLIENT_CA (and the CA csms
issues from); here the certificate must also name the station (CN = station id, OCPP 2.0.1
A00.FR.4xx / 1.6 security whitepaper) and must not be one csms issued and then revoked.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from csms.ocpp.link import StationLink

log = logging.getLogger(__name__)


class CertificateAdmission(Protocol):
    async def admit_certificate(self, station_id: str, serial: str) -> bool:
        """False for a certificate csms issued and then revoked."""
        ...


@dataclass(frozen=True)
class ClientCertificate:
    common_name: str | None
    serial: str


def client_certificate(conn: StationLink) -> ClientCertificate | None:
    """The verified client certificate of a TLS connection, if the station sent one."""
    ssl_object = conn.transport.get_extra_info("ssl_object")
    peer = ssl_object.getpeercert() if ssl_object is not None else None
    if not peer:
        return None
    names = [value for rdn in peer.get("subject", ()) for key, value in rdn
             if key == "commonName"]
    return ClientCertificate(names[0] if len(names) == 1 else None,
                             str(peer.get("serialNumber", "")))


async def refusal(certificates: CertificateAdmission, station_id: str, cert: ClientCertificate
                  ) -> str | None:
    """Why this certificate may not stand for the station; None when it may."""
    if cert.common_name != station_id:
        log.warning("client certificate CN %r is not the station id", cert.common_name,
                    extra={"station_id": station_id})
        return "client certificate does not name this station"
    if not await certificates.admit_certificate(station_id, cert.serial):
        log.warning("revoked client certificate %s refused", cert.serial,
                    extra={"station_id": station_id})
        return "client certificate revoked"
    return None
