"""Station configuration and the per-station logger."""

from __future__ import annotations

import logging
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any, Literal

Protocol = Literal["1.6", "2.0.1"]
PROTOCOLS: tuple[Protocol, ...] = ("1.6", "2.0.1")


@dataclass
class StationConfig:
    """Everything that identifies and tunes one simulated station."""

    station_id: str
    protocol: Protocol = "2.0.1"
    evses: int = 1
    connectors_per_evse: int = 1
    password: str | None = None  # HTTP Basic (security profile 1), user = station_id
    vendor: str = "csms-sim"
    model: str = "SimCharger"
    serial: str = "SIM-0001"
    firmware: str = "1.0.0"
    id_token: str = "SIMTOKEN1"
    meter_interval_s: float = 10.0  # simulated seconds
    max_power_w: float = 11000.0  # per EVSE
    speed: float = 1.0
    auto_heartbeat: bool = True
    auto_reconnect: bool = False  # run() turns it on
    call_timeout_s: float = 30.0  # wall seconds
    validate: bool = True  # schema-check outgoing and incoming payloads
    seed: int | None = None
    meter_start_wh: float = 0.0
    charge_s: tuple[float, float] = (30.0, 120.0)  # a session's length, simulated seconds
    quirks: frozenset[str] = frozenset()  # charger quirks to play (simulators.quirks)
    quirk_timezone: str = "UTC"  # the local clock of the `naive-time` quirk

    def __post_init__(self) -> None:
        if self.protocol not in PROTOCOLS:
            raise ValueError(f"unsupported protocol {self.protocol!r}")
        if self.evses < 1 or self.connectors_per_evse < 1:
            raise ValueError("evses and connectors_per_evse must be >= 1")
        if self.speed <= 0:
            raise ValueError("speed must be > 0")
        from simulators.quirks import QUIRKS

        unknown = set(self.quirks) - set(QUIRKS)
        if unknown:
            raise ValueError(f"unknown quirks {sorted(unknown)}")


class StationLog(logging.LoggerAdapter[logging.Logger]):
    """Prefixes every record with the station id and exposes it as ``station_id``."""

    def process(self, msg: Any, kwargs: MutableMapping[str, Any]) -> tuple[Any, Any]:
        station = (self.extra or {}).get("station_id", "?")
        extra = dict(kwargs.get("extra") or {})
        extra.setdefault("station_id", station)
        kwargs["extra"] = extra
        return f"{station} {msg}", kwargs


def station_log(name: str, station_id: str) -> StationLog:
    """Logger for module ``name`` tagged with ``station_id``."""
    return StationLog(logging.getLogger(name), {"station_id": station_id})
