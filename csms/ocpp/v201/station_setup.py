"""Metering settings (csms.domain.station_setup) as OCPP 2.0.1 variables of SampledDataCtrlr
and AlignedDataCtrlr (Part 2 appendix, 2.0.1 §J), sent in one SetVariables."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from csms.domain.commands.metering import (
    ApplyMeterSettings,
    MeterSettingsApplied,
    SettingOutcome,
)
from csms.domain.device import VarKey
from csms.domain.errors import StationCallError
from csms.domain.station_setup import FAILED, MeterSetting
from csms.ocpp.exchange import Ask, Call, Conversation, Table

VARIABLES = {
    MeterSetting.SAMPLED_MEASURANDS: ("SampledDataCtrlr", "TxUpdatedMeasurands"),
    MeterSetting.SAMPLE_INTERVAL_S: ("SampledDataCtrlr", "TxUpdatedInterval"),
    MeterSetting.ALIGNED_MEASURANDS: ("AlignedDataCtrlr", "Measurands"),
    MeterSetting.ALIGNED_INTERVAL_S: ("AlignedDataCtrlr", "Interval"),
    MeterSetting.ENDED_MEASURANDS: ("SampledDataCtrlr", "TxEndedMeasurands"),
}


async def _apply(c: ApplyMeterSettings, now: datetime, ask: Ask) -> MeterSettingsApplied:
    """A CALLERROR (e.g. more items than ItemsPerMessageSetVariables) fails every item."""
    wanted: dict[tuple[str, str], str] = {}
    data: list[dict[str, Any]] = []
    for item in c.settings:
        component, variable = VARIABLES[MeterSetting(item.setting)]
        wanted[(component, variable)] = item.setting
        data.append({"component": {"name": component}, "variable": {"name": variable},
                     "attributeValue": item.value})
    keys = {setting: f"{c}.{v}" for (c, v), setting in wanted.items()}
    outcomes = {setting: SettingOutcome(setting, keys[setting], FAILED,
                                        "no result for this variable") for setting in keys}
    try:
        reply = await ask(Call("SetVariables", {"setVariableData": data}))
    except StationCallError as e:
        return MeterSettingsApplied("Accepted", tuple(
            SettingOutcome(o.setting, o.key, FAILED, str(e)[:200]) for o in outcomes.values()))
    for r in reply["setVariableResult"]:
        answered = wanted.get((r["component"]["name"], r["variable"]["name"]))
        if answered is not None:
            outcomes[answered] = SettingOutcome(
                answered, keys[answered], str(r["attributeStatus"]),
                var=VarKey(r["component"]["name"], r["variable"]["name"]))
    return MeterSettingsApplied("Accepted", tuple(outcomes.values()))


EXCHANGES: Table = {ApplyMeterSettings: Conversation(_apply)}
