"""Simulated OCPP 1.6-J and 2.0.1 charging stations for load tests and server tests.

Programmatic use::

    cfg = StationConfig(station_id="CP1", protocol="2.0.1", speed=60)
    async with make_station("ws://127.0.0.1:9000/ocpp", cfg) as st:
        await st.boot()
        tx_id = await st.charge(evse_id=1, duration_s=600)

The package never imports the server (``csms``): it talks to it only over OCPP.
"""

from __future__ import annotations

from simulators.clock import SimClock
from simulators.config import StationConfig
from simulators.connection import StationConnectError
from simulators.ev import EV
from simulators.rpc import CallErrorReply, PeerClosed
from simulators.station import AuthorizationRejected, SimStation
from simulators.v16 import Station16
from simulators.v201 import Station201


def make_station(url: str, cfg: StationConfig, *, clock: SimClock | None = None) -> SimStation:
    """A Station16 or Station201 for ``cfg.protocol``, connecting to ``{url}/{station_id}``."""
    cls: type[SimStation] = Station16 if cfg.protocol == "1.6" else Station201
    return cls(url, cfg, clock=clock)


__all__ = [
    "EV",
    "AuthorizationRejected",
    "CallErrorReply",
    "PeerClosed",
    "SimClock",
    "SimStation",
    "Station16",
    "Station201",
    "StationConfig",
    "StationConnectError",
    "make_station",
]
