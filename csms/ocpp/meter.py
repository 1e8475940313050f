"""Building normalised samples from either version's sampled values."""

from __future__ import annotations

from datetime import datetime

from csms.domain.model import Sample
from csms.domain.units import ENERGY_REGISTER, normalise


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
    measurand = measurand or ENERGY_REGISTER
    si_value, _ = normalise(value, unit, measurand)
    return Sample(
        timestamp=timestamp, measurand=measurand, value=value, unit=unit, si_value=si_value,
        phase=phase, location=location, context=context,
    )
