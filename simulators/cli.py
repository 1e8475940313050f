"""``csms-sim``: run a fleet of simulated stations against a CSMS from the command line."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from simulators import SimStation, StationConfig, StationConnectError, make_station
from simulators.config import PROTOCOLS
from simulators.quirks import QUIRKS, parse_quirks
from simulators.scenarios import SCENARIOS, get_scenario

log = logging.getLogger("simulators.cli")


def _seconds_range(text: str) -> tuple[float, float]:
    low, _, high = text.partition("-")
    try:
        bounds = (float(low), float(high or low))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected MIN or MIN-MAX seconds, got {text!r}") from None
    if not 0 < bounds[0] <= bounds[1] or bounds[1] == float("inf"):
        raise argparse.ArgumentTypeError(f"expected 0 < MIN <= MAX, got {text!r}")
    return bounds


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="csms-sim", description="Simulated OCPP 1.6-J / 2.0.1 charging stations.")
    p.add_argument("--url", default="ws://127.0.0.1:9000/ocpp",
                   help="CSMS websocket base URL; the station id is appended")
    p.add_argument("--protocol", choices=PROTOCOLS, default="2.0.1")
    p.add_argument("--stations", type=_positive_int, default=1, help="number of stations")
    p.add_argument("--scenario", choices=sorted(SCENARIOS), default="charge")
    p.add_argument("--id-prefix", default="SIM", help="station ids PREFIX-001, PREFIX-002...")
    p.add_argument("--password", default=None, help="HTTP Basic password (security profile 1)")
    p.add_argument("--sessions", type=_non_negative_int, default=0,
                   help="charging sessions per station, then exit (0 = forever)")
    p.add_argument("--duration", type=_positive_float, default=None,
                   help="exit after this many wall-clock seconds")
    p.add_argument("--speed", type=_positive_float, default=1.0, help="simulated-time factor")
    p.add_argument("--meter-interval", type=_positive_float, default=10.0,
                   help="meter value period in simulated seconds")
    p.add_argument("--evses", type=_positive_int, default=1, help="EVSEs per station")
    p.add_argument("--max-power", type=_positive_float, default=11000.0, help="W per EVSE")
    p.add_argument("--charge-seconds", type=_seconds_range, default=(30.0, 120.0),
                   metavar="MIN[-MAX]",
                   help="how long each session charges, in simulated seconds (default 30-120)")
    p.add_argument("--id-token", default="SIMTOKEN1", help="token used to authorize sessions")
    p.add_argument("--stagger", type=float, default=0.05,
                   help="wall seconds between station connects")
    p.add_argument("--no-validate", action="store_true",
                   help="skip JSON-schema validation of payloads (faster for big fleets)")
    p.add_argument("--quirks", type=_quirks, default=frozenset(), metavar="QUIRK[,QUIRK...]",
                   help="misbehave like real chargers: " + ", ".join(QUIRKS))
    p.add_argument("--quirk-timezone", type=_zone, default="UTC", metavar="ZONE",
                   help="the station's local clock for the naive-time quirk (IANA name)")
    p.add_argument("--log-level", default="INFO",
                   choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    p.add_argument("--seed", type=int, default=None, help="random seed (reproducible runs)")
    return p


def _quirks(value: str) -> frozenset[str]:
    try:
        return parse_quirks(value)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise argparse.ArgumentTypeError(f"unknown time zone {value!r}") from None
    return value


def _positive_int(value: str) -> int:
    n = int(value)
    if n < 1:
        raise argparse.ArgumentTypeError("must be >= 1")
    return n


def _non_negative_int(value: str) -> int:
    n = int(value)
    if n < 0:
        raise argparse.ArgumentTypeError("must be >= 0")
    return n


def _positive_float(value: str) -> float:
    x = float(value)
    if x <= 0:
        raise argparse.ArgumentTypeError("must be > 0")
    return x


def station_ids(prefix: str, count: int) -> list[str]:
    """PREFIX-001 ... zero padded to at least 3 digits."""
    width = max(3, len(str(count)))
    return [f"{prefix}-{i:0{width}d}" for i in range(1, count + 1)]


def configs(args: argparse.Namespace) -> list[StationConfig]:
    """One StationConfig per station of the fleet."""
    return [
        StationConfig(
            station_id=sid, protocol=args.protocol, evses=args.evses, password=args.password,
            serial=f"{sid}"[:25], id_token=args.id_token, meter_interval_s=args.meter_interval,
            max_power_w=args.max_power, speed=args.speed, validate=not args.no_validate,
            charge_s=args.charge_seconds, quirks=args.quirks,
            quirk_timezone=args.quirk_timezone,
            seed=None if args.seed is None else args.seed + i,
        )
        for i, sid in enumerate(station_ids(args.id_prefix, args.stations))
    ]


@dataclass
class Outcome:
    station: SimStation
    error: BaseException | None = None


async def run_fleet(args: argparse.Namespace, stop: asyncio.Event | None = None) -> int:
    """Run every station concurrently; returns the process exit code."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, _on_signal, loop, stop)
    if args.duration:
        loop.call_later(args.duration, stop.set)
    stations = [make_station(args.url, cfg) for cfg in configs(args)]
    started = time.monotonic()

    async def one(i: int, st: SimStation) -> Outcome:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), i * args.stagger)
        if stop.is_set():
            return Outcome(st)
        try:
            await st.run(get_scenario(args.scenario), stop, sessions=args.sessions)
        except Exception as exc:  # reported in the summary, never a traceback
            return Outcome(st, exc)
        return Outcome(st)

    outcomes = await asyncio.gather(*(one(i, st) for i, st in enumerate(stations)))
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.remove_signal_handler(sig)
    return _summary(outcomes, time.monotonic() - started)


def _on_signal(loop: asyncio.AbstractEventLoop, stop: asyncio.Event) -> None:
    if stop.is_set():  # second Ctrl-C: give up on the polite shutdown
        for task in asyncio.all_tasks(loop):
            task.cancel()
        return
    log.info("stopping (Ctrl-C again to force)")
    stop.set()


def _summary(outcomes: list[Outcome], elapsed: float) -> int:
    failed = [o for o in outcomes if o.error is not None]
    sessions = sum(o.station.sessions_completed for o in outcomes)
    refused = sum(o.station.sessions_failed for o in outcomes)
    energy = sum(o.station.energy_delivered_wh for o in outcomes)
    plural = "" if len(outcomes) == 1 else "s"
    print(f"csms-sim: {len(outcomes)} station{plural} ({len(failed)} failed), "
          f"{sessions} sessions completed ({refused} failed), "
          f"{energy / 1000:.2f} kWh delivered, {elapsed:.1f}s")
    messages = sorted({_describe(o.error) for o in failed if o.error is not None})
    for message in messages[:10]:
        print(f"csms-sim: error: {message}", file=sys.stderr)
    if failed and all(isinstance(o.error, StationConnectError) for o in failed) \
            and len(failed) == len(outcomes):
        print("csms-sim: could not connect to the CSMS", file=sys.stderr)
    return 1 if failed else 0


def _describe(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, StationConnectError) else f"{type(exc).__name__}: {exc}"


def main(argv: Sequence[str] | None = None) -> int:
    """Console-script entry point."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=args.log_level,
                        format="%(asctime)s %(levelname)-7s %(message)s", datefmt="%H:%M:%S")
    try:
        return asyncio.run(run_fleet(args))
    except KeyboardInterrupt:
        return 0
    except asyncio.CancelledError:
        return 0
