"""Bodies and listings of the security area: certificate commands,
password and security-profile changes, security events."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from csms.api.schemas import Strict

# Version-agnostic names are the 2.0.1 ones; 1.6 stations hold only the first two (the CSMS
# root is sent to them as CentralSystemRootCertificate, also accepted here).
RootType = Literal["CSMSRootCertificate", "ManufacturerRootCertificate", "V2GRootCertificate",
                   "MORootCertificate", "CentralSystemRootCertificate"]
ListedType = Literal["CSMSRootCertificate", "ManufacturerRootCertificate", "V2GRootCertificate",
                     "MORootCertificate", "V2GCertificateChain", "CentralSystemRootCertificate"]
Hex128 = Field(min_length=1, max_length=128, pattern=r"^[0-9A-Fa-f]+$")
PEM_PATTERN = r"^\s*-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----\s*$"


class InstallCertificate(Strict):
    type: RootType
    pem: str = Field(max_length=5500, pattern=PEM_PATTERN)


class GetInstalledCertificateIds(Strict):
    types: list[ListedType] | None = Field(None, max_length=6)


class HashData(Strict):
    """OCPP CertificateHashData, as get-installed-certificate-ids lists it."""

    hash_algorithm: Literal["SHA256", "SHA384", "SHA512"]
    issuer_name_hash: str = Hex128
    issuer_key_hash: str = Hex128
    serial_number: str = Field(min_length=1, max_length=40, pattern=r"^[0-9A-Fa-f]+$")


class DeleteCertificate(Strict):
    hash_data: HashData


class PasswordIn(Strict):
    password: str = Field(min_length=16, max_length=40, pattern=r"^[\x21-\x7e]+$",
                          description="16 to 40 printable ASCII characters (OCPP limits)")
    encoding: Literal["hex", "plain"] = Field(
        "hex", description="1.6 only: AuthorizationKey hex-encoded as the security "
        "whitepaper says, or plain for chargers that take the password as is")


class SecurityProfileIn(Strict):
    profile: Literal[1, 2, 3]
    csms_url: str | None = Field(
        None, max_length=512, description="2.0.1: the URL of the new network profile "
        "(wss:// for profiles 2 and 3); 1.6 keeps its URL")
    configuration_slot: int | None = Field(None, ge=0, le=9, description="2.0.1 only")
    force: bool = Field(False, description="profile 3 without a certificate issued by csms")


class RenewIn(Strict):
    type: Literal["ChargingStationCertificate", "V2GCertificate"] = "ChargingStationCertificate"


class SecurityEventOut(BaseModel):
    type: str
    timestamp: datetime
    tech_info: str | None


class CertificateOut(BaseModel):
    serial: str
    certificate_type: str
    common_name: str
    not_before: datetime
    not_after: datetime
    issued_at: datetime
    delivery: str
    revoked_at: datetime | None
    pem: str


class AuthorityOut(BaseModel):
    source: Literal["builtin", "configured"]
    subject: str
    not_after: datetime
    pem: str
