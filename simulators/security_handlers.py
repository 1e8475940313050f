"""Certificate management calls of both versions (1.6 security extension, 2.0.1 A/M) and the
1.6 security configuration keys (AuthorizationKey, SecurityProfile).

A new Basic-auth password is kept in the station's config: it is the one the next
(re)connection presents, as a real charger's would be.
"""

from __future__ import annotations

import binascii
from typing import Any

from simulators.certificates import STATION_CERT, CertStore
from simulators.config import StationConfig
from simulators.rpc import Handler

Payload = dict[str, Any]
SECURITY_KEYS_16 = ("AuthorizationKey", "SecurityProfile")
_ROOTS_16 = ("CentralSystemRootCertificate", "ManufacturerRootCertificate")


class SecurityHandlers:
    """Handlers bound to one station's CertStore; `version` picks the wire shapes."""

    def __init__(self, certs: CertStore, cfg: StationConfig, version: str) -> None:
        self.certs = certs
        self.cfg = cfg
        self.v16 = version == "1.6"

    def table(self) -> dict[str, Handler]:
        names = ["InstallCertificate", "GetInstalledCertificateIds", "DeleteCertificate",
                 "CertificateSigned"]
        return {name: getattr(self, "on_" + name) for name in names}

    async def on_InstallCertificate(self, p: Payload) -> Payload:
        return {"status": self.certs.install(p["certificateType"], p["certificate"])}

    async def on_GetInstalledCertificateIds(self, p: Payload) -> Payload:
        kind = p.get("certificateType")
        types = [kind] if isinstance(kind, str) else kind
        found = self.certs.installed(types)
        if self.v16:
            return ({"status": "Accepted", "certificateHashData": [h for _, h in found]}
                    if found else {"status": "NotFound"})
        if not found:
            return {"status": "NotFound"}
        return {"status": "Accepted", "certificateHashDataChain": [
            {"certificateType": t, "certificateHashData": h} for t, h in found]}

    async def on_DeleteCertificate(self, p: Payload) -> Payload:
        return {"status": self.certs.delete(p["certificateHashData"])}

    async def on_CertificateSigned(self, p: Payload) -> Payload:
        kind = p.get("certificateType", STATION_CERT)
        accepted = self.certs.accept_chain(p["certificateChain"], kind)
        return {"status": "Accepted" if accepted else "Rejected"}

    # ------------------------------------------------------------ 1.6 configuration keys
    def change_key(self, key: str, value: str) -> str:
        """ChangeConfiguration of AuthorizationKey (hex, 16 bytes at least, write-only) or
        SecurityProfile (0-3, never lowered)."""
        if key == "AuthorizationKey":
            try:
                password = binascii.unhexlify(value.strip()).decode()
            except (binascii.Error, ValueError):
                return "Rejected"
            if len(password) < 16:
                return "Rejected"
            self.cfg.password = password
            return "Accepted"
        if not value.strip().isdigit() or not 0 <= int(value) <= 3:
            return "Rejected"
        if int(value) < self.certs.security_profile:
            return "Rejected"
        self.certs.security_profile = int(value)
        return "Accepted"
