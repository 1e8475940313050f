"""The built-in certificate authority as a use case (OCPP 1.6 security extension, 2.0.1 A/M).

Stations send a CSR (SignCertificate); csms checks it, answers at once, and delivers the signed
certificate later with CertificateSigned from a task it owns: a handler never waits for a call
to the same station (the station's replies come through the loop the handler blocks).
Issued certificates are stored, so that GetCertificateStatus can answer for them (when the CA
doubles as a private V2G root) and a revoked one is refused at the TLS handshake.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from cryptography import x509

from csms.clock import Clock
from csms.domain.commands.certificates import CertificateHash, CertificateSigned
from csms.domain.errors import DomainError, NotFound
from csms.domain.security import Delivery, IssuedCertificate
from csms.services.ports import Database, StationGateway, UnitOfWork
from csms.services.security import ca

log = logging.getLogger(__name__)

BUILTIN = "builtin"
STATION_CERT = "ChargingStationCertificate"


@dataclass(frozen=True)
class CaConfig:
    cert_path: str | None = None
    key_path: str | None = None
    validity_days: int = 365
    v2g_root: bool = False  # the CA also acts as a private V2G root


@dataclass(frozen=True)
class Decision:
    accepted: bool
    reason: str = ""


class CertificateService:
    def __init__(self, db: Database, clock: Clock, gateway: StationGateway,
                 config: CaConfig) -> None:
        self._db = db
        self._clock = clock
        self._gateway = gateway
        self._config = config
        self._authority: ca.Authority | None = None
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()

    # --- the authority --------------------------------------------------------------------

    async def authority(self) -> ca.Authority:
        """The configured CA, else the built-in one (created and stored on first use)."""
        async with self._lock:
            if self._authority is None:
                self._authority = await self._load()
            return self._authority

    async def _load(self) -> ca.Authority:
        c = self._config
        if c.cert_path or c.key_path:
            if not (c.cert_path and c.key_path):
                raise ca.CaUnusable("CSMS_CA_CERT and CSMS_CA_KEY go together")
            paths = (Path(c.cert_path), Path(c.key_path))
            return await asyncio.to_thread(
                lambda: ca.load_authority(paths[0].read_bytes(), paths[1].read_bytes(),
                                          "configured"))
        stored = await self._db.read(lambda uow: uow.security.authority(BUILTIN))
        if stored is None:
            cert_pem, key_pem = await asyncio.to_thread(ca.generate_ca, self._clock.now())
            now = self._clock.now()
            if await self._db.write(
                    lambda uow: uow.security.add_authority(BUILTIN, cert_pem, key_pem, now)):
                log.info("built-in certificate authority created")
            # Another process may have stored its own first: everyone uses the stored one.
            stored = await self._db.read(lambda uow: uow.security.authority(BUILTIN))
            assert stored is not None
        return await asyncio.to_thread(
            ca.load_authority, stored[0].encode(), stored[1].encode(), BUILTIN)

    async def root_pem(self) -> str:
        return (await self.authority()).pem

    @property
    def v2g_root(self) -> bool:
        return self._config.v2g_root

    # --- SignCertificate / CertificateSigned ----------------------------------------------

    async def sign_request(self, station_id: str, csr_pem: str, cert_type: str | None) -> Decision:
        """Check a CSR; when it is good, deliver the certificate in the background."""
        kind = cert_type or STATION_CERT
        decision = Decision(True)
        csr: x509.CertificateSigningRequest | None = None
        if kind == ca.V2G and not self._config.v2g_root:
            decision = Decision(False, "no V2G root configured (CSMS_V2G_ROOT=none)")
        else:
            try:
                csr = await asyncio.to_thread(ca.check_csr, csr_pem, station_id)
            except ca.CsrRefused as e:
                decision = Decision(False, str(e))
        extra = {"station_id": station_id}
        if decision.accepted:
            log.info("%s CSR accepted, signing", kind, extra=extra)
        else:
            log.warning("%s CSR rejected: %s", kind, decision.reason, extra=extra)
        report = {"accepted": decision.accepted, "certificate_type": kind,
                  **({"reason": decision.reason} if decision.reason else {})}
        await self._db.write(lambda uow: uow.station_events.add(
            station_id, "SignCertificate", self._clock.now(), report))
        if csr is not None:
            self._spawn(self._deliver(station_id, csr, kind))
        return decision

    def _spawn(self, coro: Any) -> None:
        task: asyncio.Task[None] = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, station_id: str, csr: x509.CertificateSigningRequest,
                       kind: str) -> None:
        extra = {"station_id": station_id}
        try:
            issued, chain = await self._issue(station_id, csr, kind)
        except Exception:
            log.exception("issuing a certificate failed", extra=extra)
            return
        try:
            reply = await self._gateway.send(station_id, CertificateSigned(chain, kind))
            status = reply.status
            delivery = Delivery.ACCEPTED if status == "Accepted" else Delivery.REJECTED
            log.log(logging.INFO if status == "Accepted" else logging.WARNING,
                    "CertificateSigned %s: serial %s", status, issued.serial, extra=extra)
        except DomainError as e:
            log.warning("certificate %s not delivered: %s", issued.serial, e, extra=extra)
            delivery = Delivery.UNDELIVERED
        except Exception:
            log.exception("delivering certificate %s failed", issued.serial, extra=extra)
            delivery = Delivery.UNDELIVERED
        await self._db.write(lambda uow: uow.security.set_delivery(issued.serial, delivery))

    async def _issue(self, station_id: str, csr: x509.CertificateSigningRequest,
                     kind: str) -> tuple[IssuedCertificate, str]:
        authority = await self.authority()
        now = self._clock.now()
        validity = timedelta(days=self._config.validity_days)
        cert = await asyncio.to_thread(ca.sign, authority, csr, kind, now, validity)
        chain = ca.chain_pem(authority, cert)
        issued = IssuedCertificate(
            serial=ca.serial_hex(cert.serial_number), station_id=station_id,
            certificate_type=kind, common_name=ca.common_name(cert),
            not_before=cert.not_valid_before_utc, not_after=cert.not_valid_after_utc,
            pem=chain.split("-----END CERTIFICATE-----")[0] + "-----END CERTIFICATE-----\n",
            issued_at=now)
        await self._db.write(lambda uow: uow.security.add_certificate(issued))
        return issued, chain

    # --- the issued certificates ----------------------------------------------------------

    async def issued(self, station_id: str, limit: int = 100) -> list[IssuedCertificate]:
        return await self._db.read(lambda uow: uow.security.certificates(station_id, limit))

    async def revoke(self, station_id: str, serial: str) -> IssuedCertificate:
        key, now = ca.serial_hex(serial), self._clock.now()

        def work(uow: UnitOfWork) -> IssuedCertificate:
            cert = uow.security.certificate(key)
            if cert is None or cert.station_id != station_id:
                raise NotFound(f"no certificate {serial!r} issued to station {station_id!r}")
            uow.security.revoke(key, now)
            revoked = uow.security.certificate(key)
            assert revoked is not None
            return revoked

        cert = await self._db.write(work)
        log.warning("certificate %s revoked", key, extra={"station_id": station_id})
        return cert

    async def admit_certificate(self, station_id: str, serial: str) -> bool:
        """A verified client certificate: refused only if we issued it and revoked it."""
        cert = await self._db.read(lambda uow: uow.security.certificate(ca.serial_hex(serial)))
        return cert is None or cert.revoked_at is None

    # --- ISO 15118 (2.0.1 block M) ---------------------------------------------------------

    async def ev_certificate(self, station_id: str, action: str) -> Decision:
        """Get15118EVCertificate: contract certificates come from a mobility operator's PKI
        (an external contract-certificate pool), which csms does not reach: a logged refusal."""
        reason = "NoContractPKI"
        log.warning("Get15118EVCertificate (%s) refused: no contract-certificate PKI is "
                    "configured", action, extra={"station_id": station_id})
        await self._db.write(lambda uow: uow.station_events.add(
            station_id, "Get15118EVCertificate", self._clock.now(),
            {"action": action, "accepted": False, "reason": reason}))
        return Decision(False, reason)

    async def certificate_status(self, station_id: str, request: CertificateHash) -> Decision:
        """GetCertificateStatus: an OCSP answer for what our CA issued, else a logged refusal.
        Accepted decisions carry the base64 OCSP response as their reason."""
        extra = {"station_id": station_id}
        if not self._config.v2g_root:
            log.warning("GetCertificateStatus refused: no V2G root configured", extra=extra)
            return Decision(False, "NoV2GRoot")
        algorithm, name_hash, key_hash = (
            request.hash_algorithm, request.issuer_name_hash, request.issuer_key_hash)
        serial = ca.serial_hex(request.serial_number)
        authority = await self.authority()
        if not ca.issuer_matches(authority, algorithm, name_hash, key_hash):
            log.warning("GetCertificateStatus refused: issuer is not our CA and csms does not "
                        "query other OCSP responders", extra=extra)
            return Decision(False, "UnknownIssuer")
        cert = await self._db.read(lambda uow: uow.security.certificate(serial))
        if cert is None:
            log.warning("GetCertificateStatus refused: serial %s unknown", serial, extra=extra)
            return Decision(False, "UnknownCertificate")
        result = await asyncio.to_thread(ca.ocsp_response, authority, cert.pem, algorithm,
                                         cert.revoked_at, self._clock.now())
        log.info("GetCertificateStatus %s: %s", serial,
                 "revoked" if cert.revoked_at else "good", extra=extra)
        return Decision(True, result)

    async def close(self) -> None:
        """Cancel deliveries still running (server shutdown)."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
