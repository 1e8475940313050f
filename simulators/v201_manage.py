"""OCPP 2.0.1 management calls: device model, reports, smart charging, firmware, logs,
local list and display messages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from simulators import transfer  # firmware download, log upload
from simulators.clock import parse_iso
from simulators.device_model import RO, Variable
from simulators.ev import NOMINAL_VOLTAGE
from simulators.rpc import Handler, Reply
from simulators.smart_charging import from_v201

if TYPE_CHECKING:
    from simulators.v201 import Station201

Payload = dict[str, Any]
_STEP_S = 2.0  # simulated seconds between progress notifications
_REPORT_CHUNK = 20


class V201Manage:
    """Handlers bound to one Station201."""

    def __init__(self, station: Station201) -> None:
        self.st = station

    def table(self) -> dict[str, Handler]:
        """Action name -> handler."""
        names = ["GetVariables", "SetVariables", "GetBaseReport", "GetReport", "ClearCache",
                 "DataTransfer", "SetChargingProfile", "ClearChargingProfile",
                 "GetCompositeSchedule", "GetChargingProfiles", "SendLocalList",
                 "GetLocalListVersion", "UpdateFirmware", "GetLog", "SetDisplayMessage",
                 "GetDisplayMessages", "ClearDisplayMessage"]
        return {name: getattr(self, "on_" + name) for name in names}

    # ------------------------------------------------------------ device model
    async def on_GetVariables(self, p: Payload) -> Payload:
        return {"getVariableResult": [self.st.device.get(i) for i in p["getVariableData"]]}

    async def on_SetVariables(self, p: Payload) -> Payload:
        return {"setVariableResult": [self.st.device.set(i) for i in p["setVariableData"]]}

    async def on_GetBaseReport(self, p: Payload) -> Reply:
        variables = self.st.device.variables
        if p["reportBase"] == "ConfigurationInventory":
            variables = [v for v in variables if v.mutability != RO]
        elif p["reportBase"] == "SummaryInventory":
            variables = [v for v in variables if v.name == "AvailabilityState"]
        return Reply({"status": "Accepted"}, lambda: self._report(p["requestId"], variables))

    async def on_GetReport(self, p: Payload) -> Reply:
        wanted = p.get("componentVariable") or []
        criteria = set(p.get("componentCriteria") or [])
        variables = [v for v in self.st.device.variables
                     if (not wanted or any(_matches(v, w) for w in wanted))
                     and (not criteria or self._has_criteria(v.component, criteria))]
        if not variables:
            return Reply({"status": "EmptyResultSet"})
        return Reply({"status": "Accepted"}, lambda: self._report(p["requestId"], variables))

    def _has_criteria(self, component: str, criteria: set[str]) -> bool:
        return any(v.component == component and v.name in criteria
                   for v in self.st.device.variables)

    async def _report(self, request_id: int, variables: list[Variable]) -> None:
        chunks = [variables[i:i + _REPORT_CHUNK]
                  for i in range(0, len(variables), _REPORT_CHUNK)] or [[]]
        for seq, chunk in enumerate(chunks):
            payload: Payload = {"requestId": request_id, "generatedAt": self.st.clock.iso_now(),
                                "seqNo": seq, "tbc": seq < len(chunks) - 1}
            if chunk:
                payload["reportData"] = self.st.device.report(chunk)
            await self.st.call("NotifyReport", payload)

    async def on_ClearCache(self, p: Payload) -> Payload:
        return {"status": "Accepted"}

    async def on_DataTransfer(self, p: Payload) -> Payload:
        if p["vendorId"] != "csms-sim":
            return {"status": "UnknownVendorId"}
        return {"status": "Accepted", **({"data": p["data"]} if "data" in p else {})}

    # ------------------------------------------------------------ smart charging
    async def on_SetChargingProfile(self, p: Payload) -> Payload:
        st, evse, raw = self.st, p["evseId"], p["chargingProfile"]
        purpose = raw["chargingProfilePurpose"]
        if (not st.device.flag("SmartChargingCtrlr", "Enabled")
                or (evse and evse not in st.meters)
                or purpose == "ChargingStationExternalConstraints"
                or (purpose == "ChargingStationMaxProfile" and evse != 0)):
            return {"status": "Rejected"}
        if purpose == "TxProfile":
            tx = st.tx.get(evse)
            if tx is None or raw.get("transactionId", tx.tx_id) != tx.tx_id:
                return {"status": "Rejected"}
            raw = {**raw, "transactionId": tx.tx_id}
        st.profiles.install(from_v201(raw, evse, st.clock.now()))
        st.apply_limits()
        return {"status": "Accepted"}

    async def on_ClearChargingProfile(self, p: Payload) -> Payload:
        crit = p.get("chargingProfileCriteria") or {}
        removed = self.st.profiles.clear(
            profile_id=p.get("chargingProfileId"), evse_id=crit.get("evseId"),
            purpose=crit.get("chargingProfilePurpose"), stack_level=crit.get("stackLevel"))
        self.st.apply_limits()
        return {"status": "Accepted" if removed else "Unknown"}

    async def on_GetCompositeSchedule(self, p: Payload) -> Payload:
        st, evse = self.st, p["evseId"]
        if evse and evse not in st.meters:
            return {"status": "Rejected"}
        tx = st.tx.get(evse)
        max_w = st.cfg.max_power_w * (1 if evse else len(st.meters))
        periods = st.profiles.composite(evse, st.clock.now(), float(p["duration"]), max_w,
                                        tx.tx_id if tx else None, tx.started_at if tx else None)
        if periods is None:
            return {"status": "Rejected"}
        unit = p.get("chargingRateUnit", "W")
        scale = 1.0 if unit == "W" else 1.0 / (NOMINAL_VOLTAGE * st.profiles.phases)
        return {"status": "Accepted", "schedule": {
            "evseId": evse, "duration": int(p["duration"]), "scheduleStart": st.clock.iso_now(),
            "chargingRateUnit": unit,
            "chargingSchedulePeriod": [{"startPeriod": int(s), "limit": round(w * scale, 1)}
                                       for s, w in periods]}}

    async def on_GetChargingProfiles(self, p: Payload) -> Reply:
        st, crit = self.st, p["chargingProfile"]
        sources = crit.get("chargingLimitSource")
        found = [] if sources and "CSO" not in sources else st.profiles.matching(
            p.get("evseId"), crit.get("chargingProfilePurpose"), crit.get("stackLevel"),
            crit.get("chargingProfileId"))
        if not found:
            return Reply({"status": "NoProfiles"})

        async def report() -> None:
            evses = sorted({pr.evse_id for pr in found})
            for i, evse in enumerate(evses):
                await st.call("ReportChargingProfiles", {
                    "requestId": p["requestId"], "chargingLimitSource": "CSO", "evseId": evse,
                    "chargingProfile": [pr.raw for pr in found if pr.evse_id == evse],
                    "tbc": i < len(evses) - 1})
        return Reply({"status": "Accepted"}, report)

    # ------------------------------------------------------------ local list
    async def on_SendLocalList(self, p: Payload) -> Payload:
        st = self.st
        entries = {e["idToken"]["idToken"]: e.get("idTokenInfo", {})
                   for e in p.get("localAuthorizationList", [])}
        if p["updateType"] == "Full":
            st.local_list = entries
        else:
            st.local_list = {k: v for k, v in (st.local_list | entries).items() if v}
        st.local_list_version = p["versionNumber"]
        return {"status": "Accepted"}

    async def on_GetLocalListVersion(self, p: Payload) -> Payload:
        return {"versionNumber": self.st.local_list_version}

    # ------------------------------------------------------------ firmware, logs
    async def on_UpdateFirmware(self, p: Payload) -> Reply:
        st, request_id = self.st, p["requestId"]

        async def notify(status: str) -> None:
            await st.notify_firmware(status, request_id)

        async def update() -> None:  # really downloads from the location (transfer)
            retrieve = parse_iso(p["firmware"]["retrieveDateTime"])
            await st.clock.sleep(min((retrieve - st.clock.now()).total_seconds(), 3600.0))
            await transfer.update_firmware(st, p["firmware"]["location"], p.get("retries", 0),
                                           p.get("retryInterval", 30), notify,
                                           signed="signature" in p["firmware"])
            st.firmware_status = "Idle"
        return Reply({"status": "Accepted"}, update)

    async def on_GetLog(self, p: Payload) -> Reply:
        st, request_id = self.st, p["requestId"]
        name = f"{p['logType']}-{st.station_id}-{st.clock.now():%Y%m%dT%H%M%SZ}.log"[:255]

        async def notify(status: str) -> None:
            await st.notify_log(status, request_id)

        async def upload() -> None:  # really uploads, as a raw PUT (transfer)
            await transfer.upload_log(st, p["log"]["remoteLocation"], name, p["logType"],
                                      notify, multipart=False, failed="UploadFailure")
            st.log_status = "Idle"
        return Reply({"status": "Accepted", "filename": name}, upload)

    # ------------------------------------------------------------ display messages
    async def on_SetDisplayMessage(self, p: Payload) -> Payload:
        self.st.display_messages[p["message"]["id"]] = p["message"]
        return {"status": "Accepted"}

    async def on_GetDisplayMessages(self, p: Payload) -> Reply:
        ids = p.get("id")
        found = [m for m in self.st.display_messages.values()
                 if (not ids or m["id"] in ids)
                 and p.get("priority") in (None, m["priority"])
                 and p.get("state") in (None, m.get("state"))]
        if not found:
            return Reply({"status": "Unknown"})

        async def notify() -> None:
            await self.st.call("NotifyDisplayMessages", {
                "requestId": p["requestId"], "messageInfo": found, "tbc": False})
        return Reply({"status": "Accepted"}, notify)

    async def on_ClearDisplayMessage(self, p: Payload) -> Payload:
        found = self.st.display_messages.pop(p["id"], None)
        return {"status": "Accepted" if found is not None else "Unknown"}


def _matches(var: Variable, wanted: Payload) -> bool:
    comp, variable = wanted["component"], wanted.get("variable")
    evse = comp.get("evse") or {}
    if comp["name"] != var.component or evse.get("id") not in (None, var.evse):
        return False
    return variable is None or variable["name"] == var.name
