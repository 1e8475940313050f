"""OCPP 1.6 security-extension commands (1.6 security whitepaper): certificates, the
Basic-auth password (AuthorizationKey) and the security profile."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from csms.domain.errors import InvalidInput
from csms.ocpp.cert_hash import CENTRAL_SYSTEM_ROOT, CSMS_ROOT, from_wire, to_wire


class Caller(Protocol):
    async def call(
        self, action: str, payload: dict[str, Any], timeout: float | None = None
    ) -> dict[str, Any]: ...


Command = Callable[[Any, dict[str, Any]], Awaitable[dict[str, Any]]]

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


async def install_certificate(s: Caller, a: dict[str, Any]) -> dict[str, Any]:
    reply = await s.call("InstallCertificate",
                         {"certificateType": _type(a["type"]), "certificate": a["pem"]})
    return {"status": reply["status"]}


async def get_installed_certificate_ids(s: Caller, a: dict[str, Any]) -> dict[str, Any]:
    """1.6 asks for one type at a time: one call per type, answers merged."""
    types = [_type(t) for t in a.get("types") or [CENTRAL_SYSTEM_ROOT,
                                                    "ManufacturerRootCertificate"]]
    found, certificates = False, []
    for kind in dict.fromkeys(types):
        reply = await s.call("GetInstalledCertificateIds", {"certificateType": kind})
        found = found or reply["status"] == "Accepted"
        certificates += [{"type": _API_NAME.get(kind, kind), "hash_data": from_wire(h)}
                         for h in reply.get("certificateHashData") or []]
    return {"status": "Accepted" if found else "NotFound", "certificates": certificates}


async def delete_certificate(s: Caller, a: dict[str, Any]) -> dict[str, Any]:
    reply = await s.call("DeleteCertificate", {"certificateHashData": to_wire(a["hash_data"])})
    return {"status": reply["status"]}


async def certificate_signed(s: Caller, a: dict[str, Any]) -> dict[str, Any]:
    reply = await s.call("CertificateSigned", {"certificateChain": a["chain"]})
    return {"status": reply["status"]}


async def set_basic_auth_password(s: Caller, a: dict[str, Any]) -> dict[str, Any]:
    """AuthorizationKey is hexadecimal (security whitepaper): the station decodes it to the
    bytes of the password it then sends; `encoding: plain` for chargers that take it as is."""
    password = str(a["password"])
    value = password if a.get("encoding") == "plain" else password.encode().hex()
    reply = await s.call("ChangeConfiguration", {"key": "AuthorizationKey", "value": value})
    return {"status": reply["status"]}


async def set_security_profile(s: Caller, a: dict[str, Any]) -> dict[str, Any]:
    """The station reconnects with the new profile (it may only go up, whitepaper §2)."""
    reply = await s.call("ChangeConfiguration",
                         {"key": "SecurityProfile", "value": str(int(a["profile"]))})
    return {"status": reply["status"], "reboot_required": reply["status"] == "RebootRequired"}


COMMANDS: dict[str, Command] = {
    "install-certificate": install_certificate,
    "get-installed-certificate-ids": get_installed_certificate_ids,
    "delete-certificate": delete_certificate,
}
# Used by csms itself (services/certificates.py, services/security.py), not API commands:
# the session adds them to its command table.
INTERNAL: dict[str, Command] = {
    "certificate-signed": certificate_signed,
    "set-basic-auth-password": set_basic_auth_password,
    "set-security-profile": set_security_profile,
}
