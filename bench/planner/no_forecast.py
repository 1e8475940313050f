"""`python -m bench.planner.no_forecast [--seed N] [--seeds K] [--family NAME ...] [--jobs J]`:
what a forecast given is worth in `csms serve`. The server column (`bench.planner --server`)
corrects the scenario's forecast with the readings, as the forecast service does for a source
whose forecast was given (`PUT /sites/{id}/sources/{source_id}/forecast`; the two agree:
tests/whatif/test_replay_is_the_server.py). This runs the same replay with the forecast service
itself (`services.sites.forecast.compute`) and no forecast given: the clear sky times the
seasonal index, corrected by the same 5-minute readings (a source of the family's peak at the
scenarios' site, 30 degrees south). Gain % of `oracle-5`'s over `immediate-5`'s, per family.
About 40 s per scenario with no forecast (the service runs pvlib at every reading).
"""

from __future__ import annotations

import argparse
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timedelta

import numpy as np

from bench.planner.readings import fine_scenario
from bench.planner.references import oracle_day
from bench.planner.run import Score, gain, merge
from bench.planner.scenarios import (
    ERROR_FAMILIES,
    FAMILIES,
    LAT,
    LON,
    Family,
    clear_sky_kw,
    generate,
)
from bench.planner.server import SLOT_MINUTES, Outlook, server_day
from csms.domain.model import GreenSource, Reading, Site
from csms.services.sites.forecast import compute
from csms.whatif import parse
from csms.whatif.simulate import immediate_day


def service_outlook(start: datetime, reading_minutes: int, peak_kw: float) -> Outlook:
    """The forecast service with no forecast given, on the readings known at each time."""
    site = Site(id="s", name="s", grid_limit_kw=1.0, latitude=LAT, longitude=LON,
                timezone=None)  # the scenarios' days start at UTC midnight
    source = GreenSource(site_id="s", id="pv", kind="solar", peak_kw=peak_kw)
    step = timedelta(minutes=reading_minutes)

    def outlook(forecast: np.ndarray, seen: np.ndarray, i: int,
                t: datetime) -> tuple[np.ndarray, np.ndarray]:
        readings = [("pv", Reading(start + k * step, float(v))) for k, v in enumerate(seen)]
        out = compute(site, [source], readings, readings[-1][1].timestamp if readings else None,
                      start + i * timedelta(minutes=SLOT_MINUTES), len(forecast) - i,
                      SLOT_MINUTES, t)
        return np.asarray(out.expected_kw, dtype=float), np.asarray(out.spread, dtype=float)

    return outlook


def run_one(family: Family, seed: int) -> dict[str, Score]:
    """The replay with the forecast given and with none, and its two references."""
    sc = parse(generate(family, seed))
    clear_5 = clear_sky_kw(family.day, sc.slots * 3, family.pv_peak_kw, 5)
    fine = fine_scenario(sc, seed, clear_kw=clear_5)
    books = {
        "given": server_day(fine, clear_kw=clear_5),
        "none": server_day(fine, clear_kw=clear_5, outlook=service_outlook(
            fine.start, fine.slot_minutes, family.pv_peak_kw)),
        "immediate-5": immediate_day(fine),
        "oracle-5": oracle_day(fine),
    }
    out = {}
    for name, book in books.items():
        out[name] = Score()
        out[name].add(book)
    return out


def _one(args: tuple[str, int]) -> dict[str, Score]:
    name, seed = args
    return run_one(next(f for f in (*FAMILIES, *ERROR_FAMILIES) if f.name == name), seed)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--family", action="append", help="a family's name (repeatable)")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    names = args.family or [f.name for f in (*FAMILIES, *ERROR_FAMILIES)
                            if not f.held_out and not f.local_guard and f.name != "1000 cars"]
    print("| family | forecast given | no forecast |\n|---|---|---|")
    with ProcessPoolExecutor(args.jobs) as ex:
        for name in names:
            sc = merge(list(ex.map(_one, [(name, s) for s in
                                          range(args.seed, args.seed + args.seeds)])))
            print(f"| {name} | {100 * gain(sc, 'given', 'oracle-5', 'immediate-5'):.1f} | "
                  f"{100 * gain(sc, 'none', 'oracle-5', 'immediate-5'):.1f} |", flush=True)


if __name__ == "__main__":
    main()
