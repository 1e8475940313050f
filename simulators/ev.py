"""EV and energy-meter model: how much power flows, and how much energy was metered.

Kept free of OCPP so both protocol versions sample the same physics: the power
is the minimum of the EVSE rating, what the EV accepts at its state of charge
(linear taper above ``taper_soc``) and the limit imposed by the CSMS through a
charging profile.
"""

from __future__ import annotations

from dataclasses import dataclass

NOMINAL_VOLTAGE = 230.0
_STEP_S = 5.0  # integration step (simulated seconds), keeps the taper accurate


@dataclass
class EV:
    """A battery that accepts less power when it approaches full."""

    capacity_kwh: float = 60.0
    soc: float = 30.0  # percent
    max_power_w: float = 11000.0
    taper_soc: float = 80.0

    def accepted_power_w(self) -> float:
        """Power the EV would draw right now if the EVSE allowed it."""
        if self.soc >= 100.0:
            return 0.0
        if self.soc <= self.taper_soc:
            return self.max_power_w
        power = self.max_power_w * (100.0 - self.soc) / (100.0 - self.taper_soc)
        return power if power >= 0.01 * self.max_power_w else 0.0  # the EV ends the charge

    def absorb(self, energy_wh: float) -> None:
        """Store ``energy_wh`` in the battery (no losses)."""
        self.soc = min(100.0, self.soc + energy_wh / (self.capacity_kwh * 10.0))


class EvseMeter:
    """One EVSE: its energy register, the plugged EV and the CSMS power limit."""

    def __init__(self, max_power_w: float, *, energy_wh: float = 0.0, phases: int = 3) -> None:
        self.max_power_w = max_power_w
        self.energy_wh = energy_wh
        self.phases = phases
        self.ev: EV | None = None
        self.limit_w: float | None = None  # set by the station from charging profiles
        self._last_t: float | None = None

    def plug(self, ev: EV, now: float) -> None:
        """Connect an EV; integration starts at ``now`` (simulated seconds)."""
        self.advance(now)
        self.ev = ev
        self._last_t = now

    def unplug(self, now: float) -> None:
        """Disconnect the EV after integrating up to ``now``."""
        self.advance(now)
        self.ev = None

    def power_w(self) -> float:
        """Instantaneous active power delivered to the EV."""
        if self.ev is None:
            return 0.0
        power = min(self.max_power_w, self.ev.accepted_power_w())
        if self.limit_w is not None:
            power = min(power, max(0.0, self.limit_w))
        return power

    def current_a(self) -> float:
        """Per-phase current for the present power."""
        return self.power_w() / (NOMINAL_VOLTAGE * self.phases)

    def advance(self, now: float) -> float:
        """Integrate power up to ``now``; returns the energy register in Wh."""
        last, self._last_t = self._last_t, now
        if last is None or self.ev is None or now <= last:
            return self.energy_wh
        t = last
        while t < now:
            dt = min(_STEP_S, now - t)
            energy = self.power_w() * dt / 3600.0
            self.energy_wh += energy
            self.ev.absorb(energy)
            t += dt
        return self.energy_wh

    def charging_state(self) -> str:
        """OCPP-ish charging state: Charging, SuspendedEV, SuspendedEVSE or Idle."""
        if self.ev is None:
            return "Idle"
        if self.limit_w is not None and self.limit_w <= 0:
            return "SuspendedEVSE"
        if self.ev.accepted_power_w() <= 0:
            return "SuspendedEV"
        return "Charging"
