"""What a charger can do with charging profiles, and the defaults assumed for silent sessions.

`ChargingCapabilities` is read once per connection from the charger's configuration (the OCPP
edge reads its version's keys: csms.ocpp.vXX.capabilities). `ChargingDefaults` is one layer of
defaults (a token group's or a site's); a missing field falls through to the next layer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class ChargingCapabilities:
    """None or empty means "the charger did not say": csms then uses its settings."""

    station_id: str
    smart_charging: bool | None = None
    rate_units: tuple[str, ...] = ()
    max_periods: int | None = None
    max_stack_level: int | None = None
    max_profiles: int | None = None
    limit_change_significance: float | None = None
    evse_max_kw: Mapping[int, float] = field(default_factory=dict)
    probed_at: datetime | None = None
    note: str | None = None

    def unit(self, fallback: str) -> str:
        """W when the charger takes it (no rounding to 0.1 A), else A, else the setting."""
        if "W" in self.rate_units:
            return "W"
        return "A" if "A" in self.rate_units else fallback

    def evse_kw(self, evse_id: int, fallback: float) -> float:
        return self.evse_max_kw.get(evse_id, fallback)


@dataclass(frozen=True)
class ChargingDefaults:
    """One layer of defaults for sessions without preferences (None: the next layer decides)."""

    dwell_h: float | None = None
    energy_kwh: float | None = None
    mode: str | None = None

    @property
    def empty(self) -> bool:
        return self.dwell_h is None and self.energy_kwh is None and self.mode is None
