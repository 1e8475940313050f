"""Certificates on the station (2.0.1 blocks A and M; 1.6 security extension).

Certificate types have the 2.0.1 names; the 1.6 edge speaks of the CSMS root as the
CentralSystemRootCertificate (both names are accepted).
"""

from __future__ import annotations

from dataclasses import dataclass

from csms.domain.commands.base import Command, Result, StatusResult, omitted_when_none


@dataclass(frozen=True, slots=True)
class CertificateHash:
    """OCPP CertificateHashData."""

    hash_algorithm: str
    issuer_name_hash: str
    issuer_key_hash: str
    serial_number: str


@dataclass(frozen=True)
class InstallCertificate(Command[StatusResult]):
    name = "install-certificate"
    result = StatusResult
    type: str
    pem: str


@dataclass(frozen=True, slots=True)
class InstalledCertificate:
    type: str
    hash_data: CertificateHash
    children: list[CertificateHash] | None = omitted_when_none()  # 2.0.1 V2G chains


@dataclass(frozen=True, slots=True)
class InstalledCertificates(Result):
    certificates: list[InstalledCertificate]
    reason: str | None = omitted_when_none()


@dataclass(frozen=True)
class GetInstalledCertificateIds(Command[InstalledCertificates]):
    name = "get-installed-certificate-ids"
    result = InstalledCertificates
    types: list[str] | None = None  # none: every type


@dataclass(frozen=True)
class DeleteCertificate(Command[StatusResult]):
    name = "delete-certificate"
    result = StatusResult
    hash_data: CertificateHash


@dataclass(frozen=True)
class CertificateSigned(Command[StatusResult]):
    """The chain csms's CA issued for the station's CSR (csms sends it on its own)."""

    name = "certificate-signed"
    result = StatusResult
    api = False
    chain: str
    type: str  # ChargingStationCertificate, V2GCertificate


@dataclass(frozen=True)
class SetBasicAuthPassword(Command[StatusResult]):
    """The password the station presents (HTTP Basic auth, security profiles 1 and 2)."""

    name = "set-basic-auth-password"
    result = StatusResult
    api = False
    password: str
    encoding: str = "hex"  # 1.6 AuthorizationKey: hex of the password, or plain


@dataclass(frozen=True, slots=True)
class SecurityProfileSet(Result):
    reason: str | None = omitted_when_none()
    reboot_required: bool | None = omitted_when_none()
    configuration_slot: int | None = omitted_when_none()  # 2.0.1: the new network profile's
    network_configuration_priority: str | None = omitted_when_none()


@dataclass(frozen=True)
class SetSecurityProfile(Command[SecurityProfileSet]):
    """Raise the security profile (it may only go up); 2.0.1 needs the new CSMS URL."""

    name = "set-security-profile"
    result = SecurityProfileSet
    api = False
    profile: int
    csms_url: str | None = None
    configuration_slot: int | None = None
    message_timeout_s: int | None = None
    interface: str | None = None
