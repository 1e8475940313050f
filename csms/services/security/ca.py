"""Certificate-authority mechanics on `cryptography`: pure, synchronous, no I/O.

Creates the built-in CA, checks station CSRs (OCPP A02/A03: the CN is the station id), signs
them, computes OCPP certificate hash data and builds OCSP responses for what the CA issued.
The services call these off the event loop (asyncio.to_thread): key generation and signing
are CPU work.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CaKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
CA_VALIDITY = timedelta(days=3650)
CLOCK_SKEW = timedelta(minutes=5)  # issued certificates are valid a little before "now"
_CURVES = (ec.SECP256R1, ec.SECP384R1, ec.SECP521R1)
_HASHES: dict[str, hashes.HashAlgorithm] = {
    "SHA256": hashes.SHA256(), "SHA384": hashes.SHA384(), "SHA512": hashes.SHA512()}
V2G = "V2GCertificate"


class CsrRefused(ValueError):
    """A CSR csms will not sign; the message says why (it is logged and stored)."""


class CaUnusable(ValueError):
    """The configured CA files cannot be used to sign."""


@dataclass(frozen=True)
class Authority:
    cert: x509.Certificate
    key: CaKey
    source: str  # "builtin" | "configured"

    @property
    def pem(self) -> str:
        return self.cert.public_bytes(serialization.Encoding.PEM).decode()

    @property
    def self_signed(self) -> bool:
        return self.cert.issuer == self.cert.subject


def serial_hex(n: int | str) -> str:
    """The one spelling of a serial number we store and compare: lower-case hex, no 0x/zeros."""
    if isinstance(n, int):
        return format(n, "x")
    return n.strip().lower().removeprefix("0x").lstrip("0") or "0"


def generate_ca(now: datetime) -> tuple[str, str]:
    """A new self-signed CA (EC P-256, as OCPP recommends): (certificate PEM, key PEM)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "csms"),
                      x509.NameAttribute(NameOID.COMMON_NAME, "csms built-in CA")])
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - CLOCK_SKEW).not_valid_after(now + CA_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(ski, critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return cert.public_bytes(serialization.Encoding.PEM).decode(), key_pem.decode()


def load_authority(cert_pem: bytes, key_pem: bytes, source: str) -> Authority:
    """Parse a CA; refuse one that is not a CA, or whose key does not match its certificate."""
    try:
        cert = x509.load_pem_x509_certificate(cert_pem)
        key = serialization.load_pem_private_key(key_pem, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as e:
        raise CaUnusable(f"cannot read the CA certificate or key: {e}") from e
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise CaUnusable("the CA key must be an EC or RSA key")
    spki = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    if key.public_key().public_bytes(*spki) != cert.public_key().public_bytes(*spki):
        raise CaUnusable("the CA key does not belong to the CA certificate")
    try:
        is_ca = cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        is_ca = False
    if not is_ca:
        raise CaUnusable("the CA certificate has no BasicConstraints CA:TRUE")
    return Authority(cert, key, source)


def check_csr(pem: str, station_id: str) -> x509.CertificateSigningRequest:
    """The parsed CSR, or CsrRefused: unreadable, bad signature, weak key, CN not the id."""
    try:
        csr = x509.load_pem_x509_csr(pem.encode())
    except ValueError as e:
        raise CsrRefused("not a PEM certificate signing request") from e
    try:
        valid = csr.is_signature_valid
        key = csr.public_key()
    except (ValueError, UnsupportedAlgorithm) as e:
        raise CsrRefused(f"unusable CSR: {e}") from e
    if not valid:
        raise CsrRefused("the CSR signature does not verify")
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size < 2048:
            raise CsrRefused(f"RSA key of {key.key_size} bits (2048 at least)")
    elif not (isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, _CURVES)):
        raise CsrRefused("the key must be RSA (2048+) or EC on P-256/P-384/P-521")
    names = [a.value for a in csr.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
    if names != [station_id]:
        raise CsrRefused(f"CSR common name {names!r} is not the station id {station_id!r}")
    return csr


def sign(ca: Authority, csr: x509.CertificateSigningRequest, cert_type: str,
         now: datetime, validity: timedelta) -> x509.Certificate:
    """Issue the certificate: subject from the CSR, TLS client use (V2G: server and client)."""
    pub = csr.public_key()
    assert isinstance(pub, ec.EllipticCurvePublicKey | rsa.RSAPublicKey)  # check_csr made sure
    is_rsa = isinstance(pub, rsa.RSAPublicKey)
    usages = [ExtendedKeyUsageOID.CLIENT_AUTH]
    if cert_type == V2G:
        usages.insert(0, ExtendedKeyUsageOID.SERVER_AUTH)  # the SECC is the TLS server to cars
    return (
        x509.CertificateBuilder().subject_name(csr.subject).issuer_name(ca.cert.subject)
        .public_key(pub).serial_number(x509.random_serial_number())
        .not_valid_before(now - CLOCK_SKEW)
        .not_valid_after(min(now + validity, ca.cert.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=is_rsa,
            data_encipherment=False, key_agreement=not is_rsa, key_cert_sign=False,
            crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage(usages), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(pub), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
            ca.key.public_key()), critical=False)
        .sign(ca.key, hashes.SHA256())
    )


def chain_pem(ca: Authority, cert: x509.Certificate) -> str:
    """What CertificateSigned carries: the leaf, plus the CA when it is not itself a root."""
    leaf = cert.public_bytes(serialization.Encoding.PEM).decode()
    return leaf if ca.self_signed else leaf + ca.pem


def common_name(cert: x509.Certificate) -> str:
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else ""


def issuer_matches(ca: Authority, algorithm: str, name_hash: str, key_hash: str) -> bool:
    """Does an OCPP CertificateHashData / OCSPRequestData name this CA as the issuer?"""
    algo = _HASHES.get(algorithm)
    if algo is None:
        return False
    probe = (ocsp.OCSPRequestBuilder()
             .add_certificate(ca.cert, ca.cert, algo).build())  # hashes of the CA as issuer
    return (probe.issuer_name_hash.hex() == name_hash.lower()
            and probe.issuer_key_hash.hex() == key_hash.lower())


def ocsp_response(ca: Authority, cert_pem: str, algorithm: str, revoked_at: datetime | None,
                  now: datetime) -> str:
    """A signed OCSP response (base64 DER, as GetCertificateStatus carries) for one of ours."""
    cert = x509.load_pem_x509_certificate(cert_pem.encode())
    status = ocsp.OCSPCertStatus.REVOKED if revoked_at else ocsp.OCSPCertStatus.GOOD
    builder = ocsp.OCSPResponseBuilder().add_response(
        cert=cert, issuer=ca.cert, algorithm=_HASHES[algorithm], cert_status=status,
        this_update=now, next_update=now + timedelta(days=1), revocation_time=revoked_at,
        revocation_reason=None,
    ).responder_id(ocsp.OCSPResponderEncoding.HASH, ca.cert)
    der = builder.sign(ca.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)
    return base64.b64encode(der).decode()
