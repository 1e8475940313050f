"""OCPP 2.0.1 monitoring (block N), network profiles (B09) and the certificate and publish
messages a TriggerMessage may ask for.

Monitors fire on writes: a SetVariables that changes a monitored variable sends NotifyEvent
(Delta always; thresholds when crossed), as a real station's monitor would on a change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from simulators.csr import make_csr
from simulators.device_model import Variable
from simulators.rpc import Handler, Reply

if TYPE_CHECKING:
    from simulators.v201 import Station201

Payload = dict[str, Any]
_REPORT_CHUNK = 2  # monitors per NotifyMonitoringReport: small, so reports come in parts
_CRITERIA = {"ThresholdMonitoring": ("UpperThreshold", "LowerThreshold"),
             "DeltaMonitoring": ("Delta",),
             "PeriodicMonitoring": ("Periodic", "PeriodicClockAligned")}


class V201Device:
    """Handlers bound to one Station201."""

    def __init__(self, station: Station201) -> None:
        self.st = station
        self._next_id = 1

    def table(self) -> dict[str, Handler]:
        names = ["SetVariableMonitoring", "ClearVariableMonitoring", "GetMonitoringReport",
                 "SetMonitoringBase", "SetMonitoringLevel", "SetNetworkProfile"]
        return {name: getattr(self, "on_" + name) for name in names}

    # ------------------------------------------------------------ monitoring
    async def on_SetVariableMonitoring(self, p: Payload) -> Payload:
        return {"setMonitoringResult": [self._set(m) for m in p["setMonitoringData"]]}

    def _set(self, m: Payload) -> Payload:
        out = {k: m[k] for k in ("type", "severity", "component", "variable")}
        found = self.st.device.find(m["component"], m["variable"])
        if isinstance(found, str):
            return out | {"status": found}
        numeric = found.data_type in ("integer", "decimal")
        if m["type"] != "Delta" and not numeric:
            return out | {"status": "Rejected", "statusInfo": {"reasonCode": "NotNumeric"}}
        monitor_id = m.get("id")
        if monitor_id is not None and monitor_id not in self.st.monitors:
            return out | {"status": "Rejected", "statusInfo": {"reasonCode": "UnknownId"}}
        if monitor_id is None:
            monitor_id = max([self._next_id - 1, *self.st.monitors]) + 1
            self._next_id = monitor_id + 1
        self.st.monitors[monitor_id] = {**m, "id": monitor_id,
                                        "transaction": m.get("transaction", False)}
        return out | {"id": monitor_id, "status": "Accepted"}

    async def on_ClearVariableMonitoring(self, p: Payload) -> Payload:
        results = []
        for monitor_id in p["id"]:
            found = self.st.monitors.pop(monitor_id, None)
            results.append({"id": monitor_id,
                            "status": "Accepted" if found is not None else "NotFound"})
        return {"clearMonitoringResult": results}

    async def on_GetMonitoringReport(self, p: Payload) -> Reply:
        types = {t for c in p.get("monitoringCriteria") or [] for t in _CRITERIA[c]}
        wanted = p.get("componentVariable") or []
        found = [m for m in self.st.monitors.values()
                 if (not types or m["type"] in types)
                 and (not wanted or any(_same(m, w) for w in wanted))]
        if not found:
            return Reply({"status": "EmptyResultSet"})
        return Reply({"status": "Accepted"}, lambda: self._report(p["requestId"], found))

    async def _report(self, request_id: int, monitors: list[Payload]) -> None:
        chunks = [monitors[i:i + _REPORT_CHUNK] for i in range(0, len(monitors), _REPORT_CHUNK)]
        for seq, chunk in enumerate(chunks):
            await self.st.call("NotifyMonitoringReport", {
                "requestId": request_id, "seqNo": seq, "generatedAt": self.st.clock.iso_now(),
                "tbc": seq < len(chunks) - 1,
                "monitor": [{"component": m["component"], "variable": m["variable"],
                             "variableMonitoring": [{k: m[k] for k in (
                                 "id", "transaction", "value", "type", "severity")}]}
                            for m in chunk]})

    async def on_SetMonitoringBase(self, p: Payload) -> Payload:
        if p["monitoringBase"] != "All":  # custom monitors are removed (N03)
            self.st.monitors.clear()
        return {"status": "Accepted"}

    async def on_SetMonitoringLevel(self, p: Payload) -> Payload:
        self.st.monitoring_level = p["severity"]
        return {"status": "Accepted"}

    async def changed(self, var: Variable) -> None:
        """NotifyEvent for the monitors a write of ``var`` trips."""
        events: list[Payload] = []
        for m in self.st.monitors.values():
            found = self.st.device.find(m["component"], m["variable"])
            if found is not var or m["severity"] > self.st.monitoring_level:
                continue
            trigger = _tripped(m, var.value)
            if trigger is not None:
                events.append({
                    "eventId": len(events) + 1, "timestamp": self.st.clock.iso_now(),
                    "trigger": trigger, "actualValue": var.value[:2500],
                    "eventNotificationType": "CustomMonitor", "variableMonitoringId": m["id"],
                    "component": m["component"], "variable": m["variable"]})
        if events:
            await self.st.call("NotifyEvent", {"generatedAt": self.st.clock.iso_now(),
                                               "seqNo": 0, "eventData": events})

    # ------------------------------------------------------------ network profile
    async def on_SetNetworkProfile(self, p: Payload) -> Payload:
        data = p["connectionData"]
        current = int(self.st.device.value("SecurityCtrlr", "SecurityProfile"))
        if data["securityProfile"] < current:  # B09.FR.04: no downgrade
            return {"status": "Rejected", "statusInfo": {"reasonCode": "NoSecurityDowngrade"}}
        self.st.network_profiles[p["configurationSlot"]] = data
        return {"status": "Accepted"}

    # ------------------------------------------------------------ triggered messages
    async def sign_certificate(self, certificate_type: str) -> None:
        csr = make_csr(self.st.station_id, self.st.device.value("SecurityCtrlr",
                                                                "OrganizationName"))
        await self.st.call("SignCertificate", {"csr": csr, "certificateType": certificate_type})

    async def publish_firmware_status(self) -> None:
        await self.st.call("PublishFirmwareStatusNotification", {"status": "Idle"})


def _tripped(m: Payload, value: str) -> str | None:
    if m["type"] == "Delta":
        return "Delta"
    try:
        number = float(value)
    except ValueError:
        return None
    if m["type"] == "UpperThreshold" and number > m["value"]:
        return "Alerting"
    if m["type"] == "LowerThreshold" and number < m["value"]:
        return "Alerting"
    return None


def _same(m: Payload, wanted: Payload) -> bool:
    variable = wanted.get("variable")
    return bool(m["component"]["name"] == wanted["component"]["name"]
                and (variable is None or variable["name"] == m["variable"]["name"]))
