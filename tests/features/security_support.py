"""Helpers of the security, certificate and TLS tests: a tiny test PKI and station helpers."""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from simulators import StationConfig

PROTOCOLS = ["1.6", "2.0.1"]
RAW = {"1.6": "ocpp1.6", "2.0.1": "ocpp2.0.1"}
Key = ec.EllipticCurvePrivateKey


def sim_config(station_id: str, protocol: str, **kw: Any) -> StationConfig:
    return StationConfig(station_id=station_id, protocol=protocol, meter_interval_s=0,
                         auto_heartbeat=False, **kw)


def ws_base(server: Any) -> str:
    return f"ws://127.0.0.1:{server.ocpp_port}/ocpp"


async def wait_for(predicate: Callable[[], Awaitable[bool]], timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


async def issued(api: httpx.AsyncClient, station_id: str) -> list[dict[str, Any]]:
    r = await api.get(f"/stations/{station_id}/certificates")
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


async def wait_delivery(api: httpx.AsyncClient, station_id: str, delivery: str,
                        count: int = 1) -> list[dict[str, Any]]:
    """Wait until `count` issued certificates have reached `delivery`; return them all."""
    async def done() -> bool:
        return sum(c["delivery"] == delivery for c in await issued(api, station_id)) >= count

    await wait_for(done)
    return await issued(api, station_id)


# --- a test PKI -------------------------------------------------------------------------

def name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def make_ca(cn: str = "test CA") -> tuple[x509.Certificate, Key]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name(cn)).issuer_name(name(cn))
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(hours=1)).not_valid_after(now + timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                encipher_only=False, decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))
    return cert, key


def make_leaf(ca: tuple[x509.Certificate, Key], cn: str, server: bool = False
              ) -> tuple[x509.Certificate, Key]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    usage = ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH
    builder = (x509.CertificateBuilder().subject_name(name(cn)).issuer_name(ca[0].subject)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - timedelta(hours=1))
               .not_valid_after(now + timedelta(days=10))
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(x509.ExtendedKeyUsage([usage]), critical=False))
    if server:
        builder = builder.add_extension(x509.SubjectAlternativeName(
            [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
    return builder.sign(ca[1], hashes.SHA256()), key


def pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def key_pem(key: Key) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def write_pair(folder: Path, stem: str, cert: x509.Certificate, key: Key) -> tuple[str, str]:
    cert_path, key_path = folder / f"{stem}.pem", folder / f"{stem}.key"
    cert_path.write_text(pem(cert))
    key_path.write_text(key_pem(key))
    return str(cert_path), str(key_path)


def csr_pem(cn: str, key: Key | None = None) -> str:
    key = key or ec.generate_private_key(ec.SECP256R1())
    csr = x509.CertificateSigningRequestBuilder().subject_name(name(cn)).sign(
        key, hashes.SHA256())
    return csr.public_bytes(serialization.Encoding.PEM).decode()


def tampered_csr(cn: str) -> str:
    """A well-formed CSR whose signature does not match its content (one byte flipped)."""
    csr = x509.load_pem_x509_csr(csr_pem(cn).encode())
    der = bytearray(csr.public_bytes(serialization.Encoding.DER))
    der[-3] ^= 0x01  # inside the signature value
    import base64
    body = base64.encodebytes(bytes(der)).decode()
    return f"-----BEGIN CERTIFICATE REQUEST-----\n{body}-----END CERTIFICATE REQUEST-----\n"
