"""Metering settings (csms.domain.station_setup) as OCPP 1.6 configuration keys (§9.1)."""

from __future__ import annotations

from typing import Any

from csms.domain.errors import StationCallError, StationOffline, StationTimeout
from csms.domain.station_setup import APPLY_COMMAND, FAILED, MeterSetting
from csms.ocpp.v16.commands import Caller, Command

KEYS = {
    MeterSetting.SAMPLED_MEASURANDS: "MeterValuesSampledData",
    MeterSetting.SAMPLE_INTERVAL_S: "MeterValueSampleInterval",
    MeterSetting.ALIGNED_MEASURANDS: "MeterValuesAlignedData",
    MeterSetting.ALIGNED_INTERVAL_S: "ClockAlignedDataInterval",
    MeterSetting.ENDED_MEASURANDS: "StopTxnSampledData",
}


async def apply_meter_settings(s: Caller, a: dict[str, Any]) -> dict[str, Any]:
    """One ChangeConfiguration per key (1.6 has no batch); a CALLERROR fails that key only.
    After a timeout or a dropped connection the rest is not sent (and fails): the answers
    already given are kept, the others wait for the next boot."""
    results = []
    gone: str | None = None
    for item in a["settings"]:
        setting = MeterSetting(item["setting"])
        key = KEYS[setting]
        if gone is not None:
            results.append({"setting": setting.value, "key": key, "status": FAILED,
                            "note": gone})
            continue
        try:
            reply = await s.call("ChangeConfiguration", {"key": key, "value": item["value"]})
        except StationCallError as e:
            results.append({"setting": setting.value, "key": key, "status": FAILED,
                            "note": str(e)[:200]})
            continue
        except (StationTimeout, StationOffline) as e:
            gone = f"not sent: {e}"[:200]
            results.append({"setting": setting.value, "key": key, "status": FAILED,
                            "note": str(e)[:200]})
            continue
        results.append({"setting": setting.value, "key": key, "status": reply["status"]})
    return {"status": "Accepted", "results": results}


INTERNAL: dict[str, Command] = {APPLY_COMMAND: apply_meter_settings}
