"""Inputs and outputs of the planner: frozen dataclasses, the interface the server calls.

Times are aware UTC datetimes; power in kW, energy in kWh. A plan covers whole slots from
`PlanInputs.start` (a slot boundary); a session's window may start or end inside a slot, and then
that slot delivers `power * plugged_fraction * slot_hours` (the contract's partial-slot rule).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

import numpy as np
from numpy.typing import NDArray

Mode = Literal["green", "fast"]
Series = Sequence[float] | NDArray[np.float64]  # one value per slot from the plan's start
MAX_HORIZON_H = 36.0
# Green h hours ahead is worth 1 - D * (1 - exp(-h / tau)) of green now: cars not yet plugged in
# may take it and the forecast may be wrong, while green now is in hand (README row 16).
LEAD_DISCOUNT = 0.2
LEAD_DISCOUNT_TAU_H = 1.0


class PlanningError(ValueError):
    """Inputs the planner cannot work with (negative limit, departure before arrival, ...)."""


@dataclass(frozen=True)
class SessionNeed:
    """One plugged-in car as the planner sees it.

    `arrival` is when it may start drawing (the caller passes max(plug-in time, now));
    `energy_kwh` is what is still missing; `defaulted` marks preferences guessed from defaults.
    """

    id: str
    arrival: datetime
    departure: datetime
    energy_kwh: float
    max_kw: float
    min_kw: float = 0.0
    mode: Mode = "green"
    defaulted: bool = False
    evse_max_kw: float | None = None

    @property
    def cap_kw(self) -> float:
        """The most this session can draw: the car's and the EVSE's maximum."""
        if self.evse_max_kw is None:
            return self.max_kw
        return min(self.max_kw, self.evse_max_kw)


@dataclass(frozen=True)
class PlanInputs:
    """Everything one planning cycle needs; the planner keeps no state between cycles.

    Per-slot arrays start at `start`; missing entries count as 0.
    - `green_kw`: expected green output (use `forecast.correct` first).
    - `green_spread`: its relative uncertainty (standard deviation / expected, 0 = certain);
      `forecast.spread` estimates it from recent errors. Uncertain green is valued lower.
    - `firm_green_kw`: green the caller can guarantee (a lower bound); only with on-site green does
      it raise the site's capacity. Default 0: plans hold the limit even if the sun vanishes.
    - `reserve_kw`: capacity held back for cars likely to arrive (`arrivals.ArrivalModel`).
    - `arriving_kwh`: energy the cars expected to arrive in each slot will want
      (`ArrivalModel.arriving_kwh`); they take capacity in the plan from the hour they are
      expected, never green (`planner.newcomers`, `lp.W_NEWCOMER`), and when they tip the
      balance for the later green, the current slot is not hedged (`hedge`). Slot 0 is not
      counted.
    - `base_load_kw`: load the planner does not control (unmanaged chargers at their maximum).
    - `lead_discount`: how much less green far ahead is worth than green now (0 = the same;
      the benchmark's perfect-foresight oracle uses 0).
    """

    start: datetime
    grid_limit_kw: float
    green_on_site: bool
    sessions: Sequence[SessionNeed]
    green_kw: Series = ()
    green_spread: Series = ()
    slot_minutes: int = 15
    firm_green_kw: Series = ()
    reserve_kw: Series = ()
    base_load_kw: Series = ()
    arriving_kwh: Series = ()
    max_horizon_h: float = MAX_HORIZON_H
    lead_discount: float = LEAD_DISCOUNT

    @property
    def slot(self) -> timedelta:
        return timedelta(minutes=self.slot_minutes)


@dataclass(frozen=True)
class SessionPlan:
    """One session's schedule: `power_kw[i]` is its power in slot i while plugged in."""

    id: str
    power_kw: tuple[float, ...]
    energy_kwh: float
    green_kwh: float
    shortfall_kwh: float
    defaulted: bool = False

    def power_at(self, slot_index: int) -> float:
        if 0 <= slot_index < len(self.power_kw):
            return self.power_kw[slot_index]
        return 0.0


@dataclass(frozen=True)
class Diagnostics:
    """How the plan came about: solver status, size, time, and human-readable notes."""

    status: str
    solve_ms: float
    total_ms: float
    variables: int
    rows: int
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Plan:
    """The planner's answer. `sessions` maps session id to its schedule."""

    start: datetime
    slot_minutes: int
    sessions: dict[str, SessionPlan]
    load_kw: tuple[float, ...]
    green_kw: tuple[float, ...]
    capacity_kw: tuple[float, ...]
    diagnostics: Diagnostics
    shortfall_kwh: float = 0.0
    expected_green_kwh: float = 0.0

    @property
    def slots(self) -> int:
        return len(self.load_kw)

    @property
    def slot_length(self) -> timedelta:
        return timedelta(minutes=self.slot_minutes)

    def slot_start(self, index: int) -> datetime:
        return self.start + timedelta(minutes=self.slot_minutes * index)
