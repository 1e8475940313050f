"""A simulated station's certificates: installed roots, its key pairs and signed certificates.

Enough for the security messages of both versions: a real CSR (the key is kept until the
certificate comes back), a loose check of CertificateSigned (the chain parses, the leaf names
this station and carries the key we asked for), and an in-memory root store with OCPP hash data.
"""

from __future__ import annotations

from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import ocsp
from cryptography.x509.oid import NameOID

STATION_CERT = "ChargingStationCertificate"
_SPKI = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def _serial(value: str | int) -> str:
    text = format(value, "x") if isinstance(value, int) else value.lower()
    return text.lstrip("0") or "0"


def hash_data(cert: x509.Certificate, issuer: x509.Certificate) -> dict[str, str]:
    """OCPP CertificateHashData (SHA256) of `cert` as issued by `issuer`."""
    req = ocsp.OCSPRequestBuilder().add_certificate(cert, issuer, hashes.SHA256()).build()
    return {"hashAlgorithm": "SHA256", "issuerNameHash": req.issuer_name_hash.hex(),
            "issuerKeyHash": req.issuer_key_hash.hex(), "serialNumber": _serial(cert.serial_number)}


def load_chain(pem: str) -> list[x509.Certificate]:
    """The certificates of a PEM chain; ValueError if there is none or one is broken."""
    certs = x509.load_pem_x509_certificates(pem.encode())
    if not certs:
        raise ValueError("no certificate")
    return certs


class CertStore:
    def __init__(self, station_id: str) -> None:
        self.station_id = station_id
        self.roots: list[tuple[str, x509.Certificate]] = []  # (certificateType, cert)
        self.pending: dict[str, ec.EllipticCurvePrivateKey] = {}  # type -> key awaiting a cert
        self.keys: dict[str, ec.EllipticCurvePrivateKey] = {}
        self.certificates: dict[str, list[x509.Certificate]] = {}  # type -> signed chain
        self.security_profile = 0

    # ------------------------------------------------------------ own certificates
    def csr(self, cert_type: str = STATION_CERT, organization: str = "csms-sim") -> str:
        """A new key pair and its PKCS#10 request (EC P-256): CN = station id, O = the CPO."""
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, self.station_id),
                          x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization)])
        csr = x509.CertificateSigningRequestBuilder().subject_name(name).sign(key, hashes.SHA256())
        self.pending[cert_type] = key
        return csr.public_bytes(serialization.Encoding.PEM).decode()

    def accept_chain(self, chain_pem: str, cert_type: str = STATION_CERT) -> bool:
        """CertificateSigned: keep the chain if the leaf names us, carries the key we made
        (when the CSR came from this store) and was signed by the root we hold for its issuer."""
        try:
            chain = load_chain(chain_pem)
        except ValueError:
            return False
        leaf = chain[0]
        names = [a.value for a in leaf.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
        if names != [self.station_id]:
            return False
        key = self.pending.get(cert_type)
        if key is not None and (leaf.public_key().public_bytes(*_SPKI)
                                != key.public_key().public_bytes(*_SPKI)):
            return False
        for root in (c for _, c in self.roots if c.subject == leaf.issuer):
            try:
                leaf.verify_directly_issued_by(root)
            except (ValueError, TypeError, InvalidSignature):
                return False
        if key is not None:
            self.keys[cert_type] = self.pending.pop(cert_type)
        self.certificates[cert_type] = chain
        return True

    # ------------------------------------------------------------ installed roots
    def install(self, cert_type: str, pem: str) -> str:
        try:
            cert = load_chain(pem)[0]
        except ValueError:
            return "Rejected"
        if any(c == cert for _, c in self.roots):
            return "Accepted"
        self.roots.append((cert_type, cert))
        return "Accepted"

    def _issuer(self, cert: x509.Certificate) -> x509.Certificate:
        return next((c for _, c in self.roots if c.subject == cert.issuer), cert)

    def installed(self, types: list[str] | None) -> list[tuple[str, dict[str, str]]]:
        return [(t, hash_data(c, self._issuer(c))) for t, c in self.roots
                if not types or t in types]

    def delete(self, wanted: dict[str, Any]) -> str:
        for i, (_, cert) in enumerate(self.roots):
            data = hash_data(cert, self._issuer(cert))
            if (_serial(str(wanted["serialNumber"])) == data["serialNumber"]
                    and str(wanted["issuerNameHash"]).lower() == data["issuerNameHash"]):
                del self.roots[i]
                return "Accepted"
        return "NotFound"
