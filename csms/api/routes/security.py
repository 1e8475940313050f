"""Security: station security events, the certificate authority and the certificates it
issued, certificate renewal, and credential / security-profile changes."""

# No `from __future__ import annotations`: FastAPI must see the body models.
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from csms.api.deps import Certificates, Security, Stations
from csms.api.security_schemas import (
    AuthorityOut,
    CertificateOut,
    PasswordIn,
    RenewIn,
    SecurityEventOut,
    SecurityProfileIn,
)
from csms.domain.security import IssuedCertificate

router = APIRouter(tags=["security"])

_STATION_CALL: dict[int | str, dict[str, Any]] = {
    404: {"description": "unknown station"},
    409: {"description": "station offline, or it did not accept the change (nothing changed)"},
    502: {"description": "the station answered with a CALLERROR"},
    504: {"description": "the station did not answer in time (nothing changed in csms)"},
}
Limit = Annotated[int, Query(ge=1, le=1000)]
Serial = Annotated[str, Path(min_length=1, max_length=48, pattern=r"^(0x)?[0-9A-Fa-f]+$")]


def _cert(c: IssuedCertificate) -> CertificateOut:
    return CertificateOut(
        serial=c.serial, certificate_type=c.certificate_type, common_name=c.common_name,
        not_before=c.not_before, not_after=c.not_after, issued_at=c.issued_at,
        delivery=c.delivery.value, revoked_at=c.revoked_at, pem=c.pem)


@router.get("/stations/{station_id}/security-events")
async def security_events(station_id: str, security: Security, limit: Limit = 100
                          ) -> list[SecurityEventOut]:
    """SecurityEventNotifications, newest first (also streamed as `station.security_event`)."""
    events = await security.security_events(station_id, limit)
    return [SecurityEventOut(type=e.type, timestamp=e.timestamp, tech_info=e.tech_info)
            for e in events]


@router.get("/certificate-authority")
async def certificate_authority(certificates: Certificates) -> AuthorityOut:
    """The CA that signs station certificates (created on first use unless configured)."""
    ca = await certificates.authority()
    return AuthorityOut(source=ca.source, subject=ca.cert.subject.rfc4514_string(),  # type: ignore[arg-type]
                        not_after=ca.cert.not_valid_after_utc, pem=ca.pem)


@router.get("/stations/{station_id}/certificates")
async def issued_certificates(station_id: str, stations: Stations, certificates: Certificates,
                              limit: Limit = 100) -> list[CertificateOut]:
    """Certificates csms issued to the station, and whether the station took them."""
    await stations.get(station_id)
    return [_cert(c) for c in await certificates.issued(station_id, limit)]


@router.post("/stations/{station_id}/certificates/renew", responses=_STATION_CALL)
async def renew_certificate(station_id: str, security: Security, body: RenewIn | None = None
                            ) -> dict[str, Any]:
    """Ask the station for a new CSR; the certificate follows (see GET .../certificates)."""
    return await security.renew_certificate(station_id, (body or RenewIn()).type)


@router.post("/stations/{station_id}/certificates/install-csms-root", responses=_STATION_CALL)
async def install_csms_root(station_id: str, security: Security) -> dict[str, Any]:
    """Install the CA's certificate on the station as its CSMS (Central System) root."""
    return await security.install_csms_root(station_id)


@router.post("/stations/{station_id}/certificates/{serial}/revoke")
async def revoke_certificate(station_id: str, serial: Serial, certificates: Certificates
                            ) -> CertificateOut:
    """Revoked: refused at the TLS handshake, reported revoked by GetCertificateStatus."""
    return _cert(await certificates.revoke(station_id, serial))


@router.post("/stations/{station_id}/password", responses=_STATION_CALL)
async def change_password(station_id: str, body: PasswordIn, security: Security) -> dict[str, Any]:
    """Set the Basic-auth password on the station first; stored only once it accepted."""
    return await security.change_password(station_id, body.password, body.encoding)


@router.post("/stations/{station_id}/security-profile", responses=_STATION_CALL)
async def change_security_profile(station_id: str, body: SecurityProfileIn, security: Security
                                  ) -> dict[str, Any]:
    """1.6: ChangeConfiguration SecurityProfile. 2.0.1: SetNetworkProfile + priority; the
    station moves to it after a reboot (`reset` command)."""
    return await security.change_security_profile(
        station_id, body.model_dump(exclude_none=True))
