"""A site's local guard in simulated time: the controller at the connection point that curtails
the chargers within seconds when the import exceeds the grid limit (an inverter trip, a cloud
deeper than the firm green assumed).

A scenario that declares one (`site.local_guard`) lets the planner count on the firm share of
the green above the limit (`planning.forecast.drop_prior`); this module plays the guard's side,
so the day is scored as it would happen: in a slot whose load exceeds the limit plus the actual
green, the guard lowers the cars to an equal share and stops the last ones in the scenario's
order when a share would fall below a car's minimum (a share below it stops the car anyway),
as load managers do. The result keeps the power rule and is within the limit, and what was
curtailed is not delivered. The slot is one power per car, so the curtailment covers the whole
slot: the seconds before the guard acts are below what the slot's figures can show.
"""

from __future__ import annotations

import math

import numpy as np

from csms.whatif.ledger import Ledger


def _level(caps: list[int], allowed: int) -> int:
    """The highest whole-watt level L with sum(min(cap, L)) <= allowed (water-filling)."""
    lo, hi = 0, max(caps, default=0)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if sum(min(c, mid) for c in caps) <= allowed:
            lo = mid
        else:
            hi = mid - 1
    return lo


def shares_w(caps: list[int], mins: list[int], allowed: int) -> list[int]:
    """Whole-watt powers within `allowed` W: each car at most its cap, equal shares when the
    limit binds; while a share is below its car's minimum, the last car in the list stops."""
    out = [0] * len(caps)
    active = list(range(len(caps)))
    while active:
        c = [caps[k] for k in active]
        level = max(c) if sum(c) <= allowed else _level(c, allowed)
        alloc = [min(x, level) for x in c]
        if all(a >= mins[k] for a, k in zip(alloc, active, strict=True)):
            for a, k in zip(alloc, active, strict=True):
                out[k] = a
            return out
        active.pop()
    return out


def curtail(book: Ledger, i: int) -> float:
    """Apply the guard to slot i of `book` (after every plan of the slot was applied): kWh the
    cars did not draw because of it (0 when the slot was within the limit)."""
    sc = book.sc
    green_w = int(np.rint(sc.actual_kw[i] * 1000)) if sc.green_on_site else 0
    allowed = int(np.rint(sc.grid_limit_kw * 1000)) + green_w
    given = [int(x) for x in np.rint(np.round(book.command[:, i], 3) * 1000)]
    if sum(given) <= allowed:
        return 0.0
    on = [k for k, w in enumerate(given) if w > 0]  # the scenario's order
    mins = [math.ceil(sc.sessions[k].min_kw * 1000 - 1e-6) for k in on]
    powers = shares_w([given[k] for k in on], mins, allowed)
    before = float(book.energy[:, i].sum())
    for k, w in zip(on, powers, strict=True):
        book.remaining[k] += book.energy[k, i]
        book.energy[k, i] = 0.0
        book.command[k, i] = 0.0
        if w > 0:
            book.apply(i, {sc.sessions[k].id: w / 1000})
    lost = before - float(book.energy[:, i].sum())
    book.curtailed_kwh += lost
    return lost
