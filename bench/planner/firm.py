"""`python -m bench.planner.firm [--seed N] [--seeds K] [--prior P]`: how often the firm green bound
(`planning.forecast.firm`, the on-site green the planner may load above the grid limit) is
above what the source then produced, slot by slot, on every family and on stress variants
(a tight on-site grid under broken, overcast and wrongly forecast skies) and on the
forecast-error families (`errors.py`, held-out ones included). Pure arithmetic on the
scenarios: no planner runs, so the check covers every slot, not only those where the load
reached the bound. `--prior`: the one-slot drop to assume (default `forecast.DROP_PRIOR`, 0, under
which nothing is firm; 0.25 is the mildest no cloud broke).
"""

from __future__ import annotations

import argparse
import dataclasses

import numpy as np

from bench.planner.scenarios import ERROR_FAMILIES, FAMILIES, Family, generate
from csms.planning.forecast import DROP_PRIOR, firm


def families() -> list[Family]:
    base = next(f for f in FAMILIES if f.name == "tight grid on-site")
    stress = [dataclasses.replace(base, name=f"on-site {sky}", sky=sky, forecast_sky=fc)
              for sky, fc in (("broken", None), ("overcast", None), ("overcast", "clear"),
                              ("broken", "overcast"))]
    stress[2] = dataclasses.replace(stress[2], name="on-site overcast, clear fc")
    stress[3] = dataclasses.replace(stress[3], name="on-site broken, overcast fc")
    return [*FAMILIES, *stress, *ERROR_FAMILIES]


def check(f: Family, seeds: range, prior: float = DROP_PRIOR) -> tuple[int, int, float, float]:
    """Slots with a bound, slots where actual fell below it, the worst gap (kW), mean bound."""
    n = bad = 0
    worst = total = 0.0
    for seed in seeds:
        g = generate(f, seed)
        fc = np.asarray(g["green"]["forecast_kw"])
        act = np.asarray(g["green"]["actual_kw"])
        for i in range(1, len(act)):
            b = float(firm(fc, act[:i], i, 1, prior=prior)[0])
            if b > 0:
                n += 1
                total += b
                if act[i] < b:
                    bad += 1
                    worst = max(worst, b - float(act[i]))
    return n, bad, worst, total / max(n, 1)


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.planner.firm", description=__doc__)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--seeds", type=int, default=40)
    ap.add_argument("--prior", type=float, default=DROP_PRIOR,
                    help=f"one-slot drop to assume (default {DROP_PRIOR})")
    args = ap.parse_args()
    seeds = range(args.seed, args.seed + args.seeds)
    print(f"{'family':<28}{'slots':>8}{'below':>7}{'worst kW':>10}{'mean firm kW':>14}")
    for f in families():
        n, bad, worst, mean = check(f, seeds, args.prior)
        print(f"{f.name:<28}{n:>8}{bad:>7}{worst:>10.2f}{mean:>14.1f}")


if __name__ == "__main__":
    main()
