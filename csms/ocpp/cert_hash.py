"""OCPP CertificateHashData on the wire <-> the API's snake_case, shared by both versions."""

from __future__ import annotations

from typing import Any

from csms.domain.commands.certificates import CertificateHash

_FIELDS = (("hash_algorithm", "hashAlgorithm"), ("issuer_name_hash", "issuerNameHash"),
           ("issuer_key_hash", "issuerKeyHash"), ("serial_number", "serialNumber"))

# Version-agnostic certificate types are the 2.0.1 names; 1.6 calls the CSMS root differently.
CSMS_ROOT = "CSMSRootCertificate"
CENTRAL_SYSTEM_ROOT = "CentralSystemRootCertificate"


def to_wire(data: CertificateHash) -> dict[str, Any]:
    return {wire: str(getattr(data, api)) for api, wire in _FIELDS}


def from_wire(data: dict[str, Any]) -> CertificateHash:
    return CertificateHash(**{api: data[wire] for api, wire in _FIELDS})
