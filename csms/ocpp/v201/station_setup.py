"""Metering settings (csms.domain.station_setup) as OCPP 2.0.1 variables of SampledDataCtrlr
and AlignedDataCtrlr (Part 2 appendix, 2.0.1 §J), sent in one SetVariables."""

from __future__ import annotations

from typing import Any

from csms.domain.errors import StationCallError
from csms.domain.station_setup import APPLY_COMMAND, FAILED, MeterSetting
from csms.ocpp.v201.commands import Caller, Command

VARIABLES = {
    MeterSetting.SAMPLED_MEASURANDS: ("SampledDataCtrlr", "TxUpdatedMeasurands"),
    MeterSetting.SAMPLE_INTERVAL_S: ("SampledDataCtrlr", "TxUpdatedInterval"),
    MeterSetting.ALIGNED_MEASURANDS: ("AlignedDataCtrlr", "Measurands"),
    MeterSetting.ALIGNED_INTERVAL_S: ("AlignedDataCtrlr", "Interval"),
    MeterSetting.ENDED_MEASURANDS: ("SampledDataCtrlr", "TxEndedMeasurands"),
}


async def apply_meter_settings(s: Caller, a: dict[str, Any]) -> dict[str, Any]:
    """A CALLERROR (e.g. more items than ItemsPerMessageSetVariables) fails every item."""
    wanted: dict[tuple[str, str], MeterSetting] = {}
    data = []
    for item in a["settings"]:
        setting = MeterSetting(item["setting"])
        component, variable = VARIABLES[setting]
        wanted[(component, variable)] = setting
        data.append({"component": {"name": component}, "variable": {"name": variable},
                     "attributeValue": item["value"]})
    results: dict[MeterSetting, dict[str, Any]] = {
        setting: {"setting": setting.value, "key": f"{c}.{v}", "status": FAILED,
                  "note": "no result for this variable"}
        for (c, v), setting in wanted.items()}
    try:
        reply = await s.call("SetVariables", {"setVariableData": data})
    except StationCallError as e:
        for r in results.values():
            r["note"] = str(e)[:200]
        return {"status": "Accepted", "results": list(results.values())}
    for r in reply["setVariableResult"]:
        answered = wanted.get((r["component"]["name"], r["variable"]["name"]))
        if answered is not None:
            results[answered] = {"setting": answered.value, "key": results[answered]["key"],
                                 "status": r["attributeStatus"]}
    return {"status": "Accepted", "results": list(results.values())}


INTERNAL: dict[str, Command] = {APPLY_COMMAND: apply_meter_settings}
