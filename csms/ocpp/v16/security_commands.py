"""OCPP 1.6 security-extension commands (1.6 security whitepaper): certificates, the
Basic-auth password (AuthorizationKey) and the security profile."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from csms.domain.commands import StatusResult
from csms.domain.commands.certificates import (
    CertificateSigned,
    DeleteCertificate,
    GetInstalledCertificateIds,
    InstallCertificate,
    InstalledCertificate,
    InstalledCertificates,
    SecurityProfileSet,
    SetBasicAuthPassword,
    SetSecurityProfile,
)
from csms.domain.errors import InvalidInput
from csms.ocpp.cert_hash import CENTRAL_SYSTEM_ROOT, CSMS_ROOT, from_wire, to_wire
from csms.ocpp.exchange import Ask, Call, Conversation, Exchange, Table

# version-agnostic (2.0.1) name -> 1.6 name; the 1.6 names are accepted as they are
_TYPES = {CSMS_ROOT: CENTRAL_SYSTEM_ROOT, CENTRAL_SYSTEM_ROOT: CENTRAL_SYSTEM_ROOT,
          "ManufacturerRootCertificate": "ManufacturerRootCertificate"}
_API_NAME = {CENTRAL_SYSTEM_ROOT: CSMS_ROOT}


def _type(name: str) -> str:
    if name not in _TYPES:
        raise InvalidInput(f"OCPP 1.6 stations hold no {name}; they hold "
                           "CSMSRootCertificate (CentralSystemRootCertificate) and "
                           "ManufacturerRootCertificate")
    return _TYPES[name]


def _install(c: InstallCertificate, now: datetime) -> Call:
    return Call("InstallCertificate", {"certificateType": _type(c.type), "certificate": c.pem})


def _status(reply: dict[str, Any], call: Call, c: Any) -> StatusResult:
    return StatusResult(str(reply["status"]))


async def _installed(c: GetInstalledCertificateIds, now: datetime,
                     ask: Ask) -> InstalledCertificates:
    """1.6 asks for one type at a time: one call per type, answers merged."""
    types = [_type(t) for t in c.types or [CENTRAL_SYSTEM_ROOT, "ManufacturerRootCertificate"]]
    found, certificates = False, []
    for kind in dict.fromkeys(types):
        reply = await ask(Call("GetInstalledCertificateIds", {"certificateType": kind}))
        found = found or reply["status"] == "Accepted"
        certificates += [InstalledCertificate(_API_NAME.get(kind, kind), from_wire(h))
                         for h in reply.get("certificateHashData") or []]
    return InstalledCertificates("Accepted" if found else "NotFound", certificates)


EXCHANGES: Table = {
    InstallCertificate: Exchange(_install, _status),
    GetInstalledCertificateIds: Conversation(_installed),
    DeleteCertificate: Exchange(lambda c, now: Call(
        "DeleteCertificate", {"certificateHashData": to_wire(c.hash_data)}), _status),
    CertificateSigned: Exchange(lambda c, now: Call(
        "CertificateSigned", {"certificateChain": c.chain}), _status),
}


def _password(c: SetBasicAuthPassword, now: datetime) -> Call:
    """AuthorizationKey is hexadecimal (security whitepaper): the station decodes it to the
    bytes of the password it then sends; `encoding: plain` for chargers that take it as is."""
    value = c.password if c.encoding == "plain" else c.password.encode().hex()
    return Call("ChangeConfiguration", {"key": "AuthorizationKey", "value": value})


def _profile(c: SetSecurityProfile, now: datetime) -> Call:
    """The station reconnects with the new profile (it may only go up, whitepaper §2)."""
    return Call("ChangeConfiguration", {"key": "SecurityProfile", "value": str(c.profile)})


def _profile_set(reply: dict[str, Any], call: Call, c: SetSecurityProfile) -> SecurityProfileSet:
    status = str(reply["status"])
    return SecurityProfileSet(status, reboot_required=status == "RebootRequired")


EXCHANGES[SetBasicAuthPassword] = Exchange(_password, _status)
EXCHANGES[SetSecurityProfile] = Exchange(_profile, _profile_set)
