"""Building normalised samples from either version's sampled values."""

from __future__ import annotations

import math
from datetime import datetime

from csms.domain.model import Sample
from csms.domain.units import ENERGY_REGISTER, normalise
from csms.ocpp.errors import OcppCallError


def make_sample(
    timestamp: datetime,
    value: float,
    measurand: str | None,
    unit: str | None,
    phase: str | None,
    location: str | None,
    context: str | None,
) -> Sample:
    """Measurand defaults to the energy register (1.6 §7.31; 2.0.1 SampledValueType)."""
    if not math.isfinite(value):
        # "NaN" or "1e999" as a 1.6 string, or a 2.0.1 multiplier that overflows.
        raise OcppCallError("PropertyConstraintViolation",
                            f"sampled value {value} is not a finite number")
    measurand = measurand or ENERGY_REGISTER
    si_value, _ = normalise(value, unit, measurand)
    return Sample(timestamp, measurand, value, unit, si_value, phase, location, context)
