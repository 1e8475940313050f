"""Metering settings (csms.domain.station_setup) as OCPP 1.6 configuration keys (§9.1)."""

from __future__ import annotations

from datetime import datetime

from csms.domain.commands.metering import (
    ApplyMeterSettings,
    MeterSettingsApplied,
    SettingOutcome,
)
from csms.domain.device import VarKey
from csms.domain.errors import StationCallError, StationOffline, StationTimeout
from csms.domain.station_setup import FAILED, MeterSetting
from csms.ocpp.exchange import Ask, Call, Conversation, Table

KEYS = {
    MeterSetting.SAMPLED_MEASURANDS: "MeterValuesSampledData",
    MeterSetting.SAMPLE_INTERVAL_S: "MeterValueSampleInterval",
    MeterSetting.ALIGNED_MEASURANDS: "MeterValuesAlignedData",
    MeterSetting.ALIGNED_INTERVAL_S: "ClockAlignedDataInterval",
    MeterSetting.ENDED_MEASURANDS: "StopTxnSampledData",
}


async def _apply(c: ApplyMeterSettings, now: datetime, ask: Ask) -> MeterSettingsApplied:
    """One ChangeConfiguration per key (1.6 has no batch); a CALLERROR fails that key only.
    After a timeout or a dropped connection the rest is not sent (and fails): the answers
    already given are kept, the others wait for the next boot."""
    outcomes: list[SettingOutcome] = []
    gone: str | None = None
    for item in c.settings:
        key = KEYS[MeterSetting(item.setting)]
        if gone is not None:
            outcomes.append(SettingOutcome(item.setting, key, FAILED, gone))
            continue
        try:
            reply = await ask(Call("ChangeConfiguration", {"key": key, "value": item.value}))
        except StationCallError as e:
            outcomes.append(SettingOutcome(item.setting, key, FAILED, str(e)[:200]))
            continue
        except (StationTimeout, StationOffline) as e:
            gone = f"not sent: {e}"[:200]
            outcomes.append(SettingOutcome(item.setting, key, FAILED, str(e)[:200]))
            continue
        outcomes.append(SettingOutcome(item.setting, key, str(reply["status"]),
                                       var=VarKey("", key)))
    return MeterSettingsApplied("Accepted", tuple(outcomes))


EXCHANGES: Table = {ApplyMeterSettings: Conversation(_apply)}
