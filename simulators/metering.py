"""Sampled values of an EVSE meter, in the shape each OCPP version expects.

1.6 sends values as strings with a flat ``unit``; 2.0.1 sends numbers with
``unitOfMeasure``.  The measurand list is configurable (MeterValuesSampledData
in 1.6, SampledDataCtrlr.TxUpdatedMeasurands in 2.0.1).
"""

from __future__ import annotations

from typing import Any

from simulators.ev import NOMINAL_VOLTAGE, EvseMeter

DEFAULT_MEASURANDS = ("Energy.Active.Import.Register", "Power.Active.Import", "Current.Import")
SUPPORTED_MEASURANDS = frozenset(
    {*DEFAULT_MEASURANDS, "Voltage", "SoC", "Current.Offered", "Power.Offered"}
)
_PHASES = ("L1", "L2", "L3")


def parse_measurands(value: str) -> list[str] | None:
    """Comma-separated measurand list; None if it names an unsupported measurand."""
    items = [m.strip() for m in value.split(",") if m.strip()]
    return items if all(m in SUPPORTED_MEASURANDS for m in items) else None


def _readings(meter: EvseMeter, measurand: str) -> list[tuple[float, str, str | None, str]]:
    """(value, unit, phase, location) tuples for one measurand."""
    offered_w = meter.max_power_w if meter.limit_w is None else min(meter.max_power_w,
                                                                    meter.limit_w)
    per_phase = meter.current_a()
    if measurand == "Energy.Active.Import.Register":
        return [(meter.energy_wh, "Wh", None, "Outlet")]
    if measurand == "Power.Active.Import":
        return [(meter.power_w(), "W", None, "Outlet")]
    if measurand == "Current.Import":
        return [(per_phase, "A", ph, "Outlet") for ph in _PHASES[: meter.phases]]
    if measurand == "Voltage":
        return [(NOMINAL_VOLTAGE, "V", f"{ph}-N", "Outlet") for ph in _PHASES[: meter.phases]]
    if measurand == "SoC":
        return [(meter.ev.soc, "Percent", None, "EV")] if meter.ev is not None else []
    if measurand == "Current.Offered":
        return [(offered_w / (NOMINAL_VOLTAGE * meter.phases), "A", None, "Outlet")]
    if measurand == "Power.Offered":
        return [(offered_w, "W", None, "Outlet")]
    return []


def sampled_values(
    meter: EvseMeter, measurands: list[str] | tuple[str, ...], context: str, *, v16: bool
) -> list[dict[str, Any]]:
    """The sampledValue list of one meterValue element."""
    out: list[dict[str, Any]] = []
    for measurand in measurands:
        for value, unit, phase, location in _readings(meter, measurand):
            item: dict[str, Any] = {"context": context, "measurand": measurand,
                                    "location": location}
            if v16:
                item.update(value=f"{value:.1f}", format="Raw", unit=unit)
            else:
                item.update(value=round(value, 1), unitOfMeasure={"unit": unit})
            if phase is not None:
                item["phase"] = phase
            out.append(item)
    return out
