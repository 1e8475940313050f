"""Commands csms sends on its own (no API route): what a charger can do with profiles.

The edge asks in its version's words (1.6 configuration keys, 2.0.1 SmartChargingCtrlr and
EVSE.Power variables) and answers in the domain's: the smart-charging service never sees a key.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from csms.domain.commands.base import Command, Result


@dataclass(frozen=True, slots=True)
class ProfileCapabilities(Result):
    """None or empty: the charger did not say. `note` says why smart charging is off."""

    smart_charging: bool | None = None
    rate_units: tuple[str, ...] = ()
    max_periods: int | None = None
    max_stack_level: int | None = None
    max_profiles: int | None = None
    limit_change_significance: float | None = None
    note: str | None = None


@dataclass(frozen=True)
class GetProfileCapabilities(Command[ProfileCapabilities]):
    name = "probe-profile-capabilities"
    result = ProfileCapabilities
    api = False


@dataclass(frozen=True, slots=True)
class EvsePower(Result):
    max_kw: dict[int, float] = field(default_factory=dict)  # by EVSE id; absent: not said


@dataclass(frozen=True)
class GetEvsePower(Command[EvsePower]):
    """The most each EVSE can deliver (2.0.1 EVSE.Power MaxSet; 1.6 cannot say)."""

    name = "probe-evse-power"
    result = EvsePower
    api = False
    evse_ids: tuple[int, ...]
