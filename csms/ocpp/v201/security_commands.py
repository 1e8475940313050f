"""OCPP 2.0.1 security commands (blocks A and M): certificates, BasicAuthPassword and the
security profile, which 2.0.1 changes through a new network profile (B09, A05)."""

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

_INSTALLABLE = {"V2GRootCertificate", "MORootCertificate", CSMS_ROOT,
                "ManufacturerRootCertificate"}
_LISTABLE = _INSTALLABLE | {"V2GCertificateChain"}
_PRIORITY = ("OCPPCommCtrlr", "NetworkConfigurationPriority")


def _type(name: str, allowed: set[str]) -> str:
    name = CSMS_ROOT if name == CENTRAL_SYSTEM_ROOT else name
    if name not in allowed:
        raise InvalidInput(f"{name!r} is not one of {', '.join(sorted(allowed))}")
    return name


def _reason(reply: dict[str, Any]) -> str | None:
    info = reply.get("statusInfo")
    return None if not info else info.get("reasonCode")


def _status_result(reply: dict[str, Any], call: Call, c: Any) -> StatusResult:
    return StatusResult(str(reply["status"]), _reason(reply))


def _install(c: InstallCertificate, now: datetime) -> Call:
    return Call("InstallCertificate", {"certificateType": _type(c.type, _INSTALLABLE),
                                       "certificate": c.pem})


def _chain_entry(entry: dict[str, Any]) -> InstalledCertificate:
    children = entry.get("childCertificateHashData")
    return InstalledCertificate(entry["certificateType"],
                                from_wire(entry["certificateHashData"]),
                                [from_wire(c) for c in children] if children else None)


def _list(c: GetInstalledCertificateIds, now: datetime) -> Call:
    payload: dict[str, Any] = {}
    if c.types:
        payload["certificateType"] = list(dict.fromkeys(_type(t, _LISTABLE) for t in c.types))
    return Call("GetInstalledCertificateIds", payload)


def _installed(reply: dict[str, Any], call: Call,
               c: GetInstalledCertificateIds) -> InstalledCertificates:
    return InstalledCertificates(
        str(reply["status"]),
        [_chain_entry(e) for e in reply.get("certificateHashDataChain") or []], _reason(reply))


EXCHANGES: Table = {
    InstallCertificate: Exchange(_install, _status_result),
    GetInstalledCertificateIds: Exchange(_list, _installed),
    DeleteCertificate: Exchange(lambda c, now: Call(
        "DeleteCertificate", {"certificateHashData": to_wire(c.hash_data)}), _status_result),
    CertificateSigned: Exchange(lambda c, now: Call(
        "CertificateSigned", {"certificateChain": c.chain, "certificateType": c.type}),
        _status_result),
}


def _set_variable(component: str, variable: str, value: str) -> Call:
    return Call("SetVariables", {"setVariableData": [{
        "attributeValue": value, "component": {"name": component},
        "variable": {"name": variable}}]})


def _variable_set(reply: dict[str, Any]) -> StatusResult:
    result = reply["setVariableResult"][0]
    info = result.get("attributeStatusInfo")
    return StatusResult(str(result["attributeStatus"]), info.get("reasonCode") if info else None)


def _priority(reply: dict[str, Any]) -> list[str]:
    result = reply["getVariableResult"][0]
    if result.get("attributeStatus") != "Accepted":
        return []
    return [p.strip() for p in str(result.get("attributeValue", "")).split(",") if p.strip()]


def _check_url(profile: int, url: str | None) -> str:
    if not url:
        raise InvalidInput("OCPP 2.0.1 changes the security profile with a new network "
                           "profile: csms_url is required (wss:// for profiles 2 and 3)")
    if profile >= 2 and not url.startswith("wss://"):
        raise InvalidInput(f"security profile {profile} needs a wss:// csms_url")
    if not url.startswith(("ws://", "wss://")):
        raise InvalidInput("csms_url must be a ws:// or wss:// URL")
    return url


async def _security_profile(c: SetSecurityProfile, now: datetime,
                            ask: Ask) -> SecurityProfileSet:
    """SetNetworkProfile in a free slot, then that slot first in NetworkConfigurationPriority;
    the station moves to it when it reconnects (after the reboot the caller asks for)."""
    url = _check_url(c.profile, c.csms_url)
    current = _priority(await ask(Call("GetVariables", {"getVariableData": [
        {"component": {"name": _PRIORITY[0]}, "variable": {"name": _PRIORITY[1]}}]})))
    slot = c.configuration_slot
    if slot is None:
        slot = next(n for n in range(1, 10) if not current or str(n) != current[0])
    reply = await ask(Call("SetNetworkProfile", {"configurationSlot": slot, "connectionData": {
        "ocppVersion": "OCPP20", "ocppTransport": "JSON", "ocppCsmsUrl": url,
        "messageTimeout": c.message_timeout_s or 30, "securityProfile": c.profile,
        "ocppInterface": c.interface or "Wired0"}}))
    if reply["status"] != "Accepted":
        return SecurityProfileSet(str(reply["status"]), _reason(reply), configuration_slot=slot)
    order = ",".join([str(slot)] + [p for p in current if p != str(slot)])
    result = _variable_set(await ask(_set_variable(*_PRIORITY, order)))
    if result.status not in ("Accepted", "RebootRequired"):
        return SecurityProfileSet(result.status, result.reason, configuration_slot=slot)
    return SecurityProfileSet("RebootRequired", reboot_required=True, configuration_slot=slot,
                              network_configuration_priority=order)


EXCHANGES[SetBasicAuthPassword] = Exchange(
    lambda c, now: _set_variable("SecurityCtrlr", "BasicAuthPassword", c.password),
    lambda reply, call, c: _variable_set(reply))
EXCHANGES[SetSecurityProfile] = Conversation(_security_profile)
