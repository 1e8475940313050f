"""Units: normalise what meters report to Wh, W, A and V, and convert current to power."""

from __future__ import annotations

_SCALE: dict[str, tuple[float, str]] = {
    "wh": (1.0, "Wh"),
    "kwh": (1000.0, "Wh"),
    "mwh": (1_000_000.0, "Wh"),
    "varh": (1.0, "varh"),
    "kvarh": (1000.0, "varh"),
    "w": (1.0, "W"),
    "kw": (1000.0, "W"),
    "mw": (1_000_000.0, "W"),
    "var": (1.0, "var"),
    "kvar": (1000.0, "var"),
    "va": (1.0, "VA"),
    "kva": (1000.0, "VA"),
    "a": (1.0, "A"),
    "v": (1.0, "V"),
    "percent": (1.0, "Percent"),
    "celsius": (1.0, "Celsius"),
}

# Each unit as stations spell it ("kWh", "KWH ", ...), looked up once: every sampled value
# of every meter value has one.
_BY_SPELLING: dict[str, tuple[float, str] | None] = {}
_UNKNOWN = (0.0, "")

ENERGY_REGISTER = "Energy.Active.Import.Register"
ENERGY_INTERVAL = "Energy.Active.Import.Interval"
DEFAULT_VOLTAGE = 230.0


def normalise(value: float, unit: str | None, measurand: str) -> tuple[float, str | None]:
    """The value in the base unit of its quantity, and that unit.

    Energy measurands without a unit are Wh (OCPP 1.6 §7.31, 2.0.1 UnitOfMeasure default).
    Some chargers send "KWh" or "kwh": the lookup is case-insensitive.
    """
    if unit is None:
        if measurand.startswith("Energy."):
            return value, "Wh"
        if measurand.startswith("Power."):
            return value, "W"
        return value, None
    scale = _BY_SPELLING.get(unit, _UNKNOWN)
    if scale is _UNKNOWN:
        scale = _SCALE.get(unit.strip().lower())
        if len(_BY_SPELLING) < 256:  # a station's spellings repeat; a hostile one is bounded
            _BY_SPELLING[unit] = scale
    if scale is None:
        return value, unit
    factor, base = scale
    return value * factor, base


def amps_to_watts(amps: float, phases: int = 3, voltage: float = DEFAULT_VOLTAGE) -> float:
    return amps * voltage * phases


def watts_to_amps(watts: float, phases: int = 3, voltage: float = DEFAULT_VOLTAGE) -> float:
    return watts / (voltage * phases)
