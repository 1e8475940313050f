"""What csms configures on a station once it is accepted: its metering, for planning and green
accounting (which measurands, how often, clock-aligned or not), and what the station said.

Pure: the policy (a site's, or the defaults), the record of each setting asked of a station,
and the rule deciding which settings are due. Versions are not known here: a setting is a
domain name; csms.ocpp.vXX maps it to a configuration key or a component's variable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from csms.domain.device import VarKey
from csms.domain.errors import InvalidInput


class MeterSetting(StrEnum):
    SAMPLED_MEASURANDS = "sampled_measurands"  # what a running transaction's samples carry
    SAMPLE_INTERVAL_S = "sample_interval_s"  # seconds between those samples (0: none)
    ALIGNED_MEASURANDS = "aligned_measurands"  # what clock-aligned readings carry
    ALIGNED_INTERVAL_S = "aligned_interval_s"  # seconds between clock-aligned readings (0: none)
    ENDED_MEASURANDS = "ended_measurands"  # what the transaction's end message carries


# Measurand names are the same in OCPP 1.6 (§7.31) and 2.0.1 (MeasurandEnumType).
MEASURANDS = frozenset({
    "Current.Export", "Current.Import", "Current.Offered", "Energy.Active.Export.Register",
    "Energy.Active.Import.Register", "Energy.Reactive.Export.Register",
    "Energy.Reactive.Import.Register", "Energy.Active.Export.Interval",
    "Energy.Active.Import.Interval", "Energy.Reactive.Export.Interval",
    "Energy.Reactive.Import.Interval", "Frequency", "Power.Active.Export",
    "Power.Active.Import", "Power.Factor", "Power.Offered", "Power.Reactive.Export",
    "Power.Reactive.Import", "RPM", "SoC", "Temperature", "Voltage",
})
# Asked for, but dropped if the station refuses the list with them (an AC charger rarely
# knows the car's state of charge).
OPTIONAL_MEASURANDS = frozenset({"SoC"})
MAX_INTERVAL_S = 86_400

# Answers that settle a value: it is not asked again until the policy or the firmware changes
# (a refused value is not retried in a loop). Anything else (no answer, a CALLERROR, an
# unusable reply) is asked again at the next boot.
SETTLED = frozenset({"Accepted", "RebootRequired", "Rejected", "NotSupported",
                     "UnknownComponent", "UnknownVariable", "NotSupportedAttributeType"})
HOLDS = frozenset({"Accepted", "RebootRequired"})  # the station holds the value (or will)
FAILED = "Failed"


@dataclass(frozen=True, slots=True)
class MeteringPolicy:
    """The metering a site wants of its stations; the defaults serve stations without one."""

    sampled_measurands: tuple[str, ...] = ("Energy.Active.Import.Register",
                                           "Power.Active.Import", "Current.Import", "SoC")
    sample_interval_s: int = 60
    aligned_measurands: tuple[str, ...] = ("Energy.Active.Import.Register",)
    aligned_interval_s: int = 900
    ended_measurands: tuple[str, ...] = ("Energy.Active.Import.Register",)
    enabled: bool = True  # false: csms leaves the stations' metering as it is
    site_id: str | None = None  # None: the defaults
    version: int = 0  # bumped by every change of the site's policy; 0: the defaults
    updated_at: datetime | None = None

    def __post_init__(self) -> None:
        for name in ("sampled_measurands", "aligned_measurands", "ended_measurands"):
            items: tuple[str, ...] = getattr(self, name)
            unknown = [m for m in items if m not in MEASURANDS]
            if unknown:
                raise InvalidInput(f"{name}: unknown measurand(s) {', '.join(unknown)}; "
                                   f"known: {', '.join(sorted(MEASURANDS))}")
            if len(set(items)) != len(items):
                raise InvalidInput(f"{name}: a measurand is named twice")
        for name in ("sample_interval_s", "aligned_interval_s"):
            value: int = getattr(self, name)
            if not 0 <= value <= MAX_INTERVAL_S:
                raise InvalidInput(f"{name} must be between 0 and {MAX_INTERVAL_S} seconds")

    @property
    def source(self) -> str:
        return "site" if self.site_id is not None else "default"

    def values(self) -> dict[MeterSetting, str]:
        """Each setting as the text a station is sent (measurands comma-separated)."""
        if not self.enabled:
            return {}
        return {
            MeterSetting.SAMPLED_MEASURANDS: ",".join(self.sampled_measurands),
            MeterSetting.SAMPLE_INTERVAL_S: str(self.sample_interval_s),
            MeterSetting.ALIGNED_MEASURANDS: ",".join(self.aligned_measurands),
            MeterSetting.ALIGNED_INTERVAL_S: str(self.aligned_interval_s),
            MeterSetting.ENDED_MEASURANDS: ",".join(self.ended_measurands),
        }


@dataclass(frozen=True, slots=True)
class SettingRequest:
    setting: MeterSetting
    value: str  # what is sent
    requested: str  # what the policy asked (differs once optional measurands were dropped)


@dataclass(frozen=True, slots=True)
class SettingAnswer:
    """What a station answered to one setting; `key` names it in the station's version."""

    setting: MeterSetting
    status: str
    key: str
    note: str | None = None
    var: VarKey | None = None  # where the station's device model holds it


@dataclass(frozen=True, slots=True)
class AppliedSetting:
    """The last time csms asked a station for one setting, and what it answered."""

    station_id: str
    setting: MeterSetting
    requested: str
    value: str
    status: str
    key: str
    policy_site_id: str | None
    policy_version: int
    firmware_version: str | None
    asked_at: datetime
    note: str | None = None

    @property
    def settled(self) -> bool:
        return self.status in SETTLED


def due(policy: MeteringPolicy, applied: dict[MeterSetting, AppliedSetting],
        firmware_version: str | None) -> list[SettingRequest]:
    """The settings to ask: never asked, asked a different value, not settled by the last
    answer, or asked under another firmware (an update may reset a station's configuration)."""
    out = []
    for setting, value in policy.values().items():
        last = applied.get(setting)
        if (last is None or last.requested != value or not last.settled
                or last.firmware_version != firmware_version):
            out.append(SettingRequest(setting, value, value))
    return out


def without_optional(request: SettingRequest) -> SettingRequest | None:
    """The request again without optional measurands, if it had any (and anything is left)."""
    if request.setting not in (MeterSetting.SAMPLED_MEASURANDS, MeterSetting.ALIGNED_MEASURANDS,
                               MeterSetting.ENDED_MEASURANDS):
        return None
    items = request.value.split(",")
    kept = [m for m in items if m not in OPTIONAL_MEASURANDS]
    if len(kept) == len(items) or not kept:
        return None
    return SettingRequest(request.setting, ",".join(kept), request.requested)
