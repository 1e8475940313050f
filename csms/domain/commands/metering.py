"""Metering settings sent once a station is accepted (csms.domain.station_setup): csms sends
this on its own, so the API offers no route for it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from csms.domain.commands.base import Command, Result
from csms.domain.device import VarKey


@dataclass(frozen=True, slots=True)
class SettingValue:
    setting: str  # a MeterSetting's value
    value: str


@dataclass(frozen=True, slots=True)
class SettingOutcome:
    """What the station said to one setting; `key` names it in the station's version."""

    setting: str
    key: str
    status: str
    note: str | None = None
    var: VarKey | None = None  # the variable the station's device model holds it in


@dataclass(frozen=True, slots=True)
class MeterSettingsApplied(Result):
    outcomes: tuple[SettingOutcome, ...] = ()


@dataclass(frozen=True)  # no slots: a slotted class is made twice, and registered twice
class ApplyMeterSettings(Command[MeterSettingsApplied]):
    name: ClassVar[str] = "apply-meter-settings"
    result: ClassVar[type[Result]] = MeterSettingsApplied
    api: ClassVar[bool] = False
    settings: tuple[SettingValue, ...]
