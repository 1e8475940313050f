"""When to drop the current slot's hedge: only when cars still to come tip the balance.

The planner values the current slot's green in bands (`planner.green_bands`): only its surest
part is loaded when later green looks as good, so a cloud that comes costs little. That is right
while the green left for later stays for the cars that are there. It is wrong when cars the
site's history says will come take that later green first: the cars there then charge from the
grid later, and the uncertain green of the current slot was the better buy. The LP already sees
the cars that are there (when they alone need all the later green, it hedges less on its own);
what it cannot see is the cars to come. So the current slot is planned on its expected green
(spread 0) exactly when the cars there need no more than the later green they can reach, but
would with the energy the expected newcomers want within the plan's horizon.
"""

from __future__ import annotations

import numpy as np

from csms.planning.lp import FloatArray


def later_green_kwh(green: FloatArray, cap: FloatArray, reach_kw: FloatArray,
                    dt_h: float) -> float:
    """The green after the current slot the cars there can take: per slot the least of the
    expected green, the site's capacity and what the plugged-in cars can draw together."""
    later = np.minimum(np.minimum(green[1:], cap[1:]), reach_kw[1:])
    return float(later.sum()) * dt_h


def newcomers_tip(need_kwh: float, later_kwh: float, arriving_kwh: FloatArray) -> bool:
    """True when the cars there fit in the later green alone but not with the newcomers'
    expected energy (`arriving_kwh` per slot of the plan; slot 0, the current one, is not
    counted: its newcomers are planned as they plug in)."""
    coming = float(np.sum(arriving_kwh[1:]))
    return coming > 0.0 and need_kwh <= later_kwh < need_kwh + coming


def current_spread(spread: FloatArray, tip: bool) -> FloatArray:
    """The spread the bands use: the current slot's set to 0 when newcomers tip the balance."""
    if not tip or not len(spread):
        return spread
    out = spread.copy()
    out[0] = 0.0
    return out
