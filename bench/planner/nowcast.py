"""`python -m bench.planner.nowcast [--seed N] [--seeds K] [--family NAME]`: how far the
current slot's expected green (the first value of `planning.forecast.correct`, what plan-day
plans the slot being decided on) is from what the slot then produced, per family, for three
references of the nowcast's ratio: the forecast itself slot by slot, the forecast's course
(`forecast.shape`, what `correct` uses without a reference) and the true clear sky (what the
server holds its readings to). Mean absolute error in % of the clear sky's output, over the
slots where the clear sky gives at least a fifth of its peak. Pure arithmetic on the scenarios:
no planner runs.
"""

from __future__ import annotations

import argparse

import numpy as np

from bench.planner.scenarios import ERROR_FAMILIES, FAMILIES, Family, clear_sky_kw, generate
from csms.planning.forecast import correct

REFERENCES = ("forecast", "course", "clear sky")


def errors(f: Family, seeds: range) -> dict[str, float]:
    """Mean absolute error of the current slot's nowcast per reference, % of the clear sky."""
    clear = clear_sky_kw(f.day, f.slots, f.pv_peak_kw)
    lit = clear >= 0.2 * float(clear.max())
    out: dict[str, list[float]] = {r: [] for r in REFERENCES}
    for seed in seeds:
        g = generate(f, seed, with_history=False)
        fc = np.asarray(g["green"]["forecast_kw"], dtype=float)
        act = np.asarray(g["green"]["actual_kw"], dtype=float)
        for i in range(1, len(act)):
            if not lit[i]:
                continue
            past = act[:i]
            guesses = {
                "forecast": correct(fc, past, i, reference_kw=fc)[0],
                "course": correct(fc, past, i)[0],
                "clear sky": correct(fc, past, i, reference_kw=clear)[0],
            }
            for r, v in guesses.items():
                out[r].append(abs(float(v) - act[i]) / float(clear[i]))
    return {r: 100.0 * float(np.mean(v)) if v else float("nan") for r, v in out.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--family", default="", help="only families whose name contains this")
    args = ap.parse_args()
    seeds = range(args.seed, args.seed + args.seeds)
    print(f"{'family':30s} | " + " | ".join(f"{r:>9s}" for r in REFERENCES))
    for f in (*FAMILIES, *ERROR_FAMILIES):
        if args.family not in f.name or f.held_out:
            continue
        e = errors(f, seeds)
        print(f"{f.name:30s} | " + " | ".join(f"{e[r]:9.1f}" for r in REFERENCES))


if __name__ == "__main__":
    main()
