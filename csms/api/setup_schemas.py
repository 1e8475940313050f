"""Bodies of the metering-set-on-boot routes: a site's policy, a station's answers."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from csms.domain.station_setup import MAX_INTERVAL_S, MeteringPolicy

_D = MeteringPolicy()
Measurands = list[str]


class MeteringPolicyIn(BaseModel):
    """A site's metering policy; a field left out takes the default."""

    model_config = ConfigDict(extra="forbid")
    enabled: bool = Field(True, description="false: csms leaves the stations' metering alone")
    sampled_measurands: Measurands = Field(
        list(_D.sampled_measurands), min_length=1, max_length=22,
        description="measurands of a transaction's periodic samples (1.6 MeterValuesSampledData, "
        "2.0.1 SampledDataCtrlr.TxUpdatedMeasurands); SoC is dropped for a station that "
        "refuses the list with it")
    sample_interval_s: int = Field(
        _D.sample_interval_s, ge=0, le=MAX_INTERVAL_S, description="seconds between samples "
        "(1.6 MeterValueSampleInterval, 2.0.1 SampledDataCtrlr.TxUpdatedInterval); 0: none")
    aligned_measurands: Measurands = Field(
        list(_D.aligned_measurands), max_length=22, description="measurands of clock-aligned "
        "readings (1.6 MeterValuesAlignedData, 2.0.1 AlignedDataCtrlr.Measurands)")
    aligned_interval_s: int = Field(
        _D.aligned_interval_s, ge=0, le=MAX_INTERVAL_S, description="seconds between "
        "clock-aligned readings (1.6 ClockAlignedDataInterval, 2.0.1 AlignedDataCtrlr."
        "Interval); 0: none")
    ended_measurands: Measurands = Field(
        list(_D.ended_measurands), max_length=22, description="measurands of the transaction's "
        "end (1.6 StopTxnSampledData, 2.0.1 SampledDataCtrlr.TxEndedMeasurands)")


class MeteringPolicyOut(BaseModel):
    site_id: str | None
    source: Literal["site", "default"]
    version: int = Field(description="bumped by every change of the site's policy; 0: defaults")
    updated_at: datetime | None
    enabled: bool
    sampled_measurands: Measurands
    sample_interval_s: int
    aligned_measurands: Measurands
    aligned_interval_s: int
    ended_measurands: Measurands


class AppliedSettingOut(BaseModel):
    setting: str
    key: str = Field(description="the 1.6 key or the 2.0.1 Component.Variable")
    requested: str = Field(description="what the policy asked")
    value: str = Field(description="what was sent (without SoC if the station refused it)")
    status: str = Field(description="the station's answer: Accepted, RebootRequired, Rejected, "
                        "NotSupported, UnknownComponent, UnknownVariable; Failed: no usable "
                        "answer (asked again at the next boot)")
    note: str | None
    asked_at: datetime
    policy_site_id: str | None
    policy_version: int
    firmware_version: str | None


class StationMeteringOut(BaseModel):
    station_id: str
    policy: MeteringPolicyOut
    settings: list[AppliedSettingOut]
    pending: list[str] = Field(description="settings csms will ask at the next boot (or soon, "
                               "for a connected station after a policy change)")
    up_to_date: bool
