"""Green-first smart-charging planner: pure, stateless, no I/O.

`plan(PlanInputs) -> Plan` schedules every session of a site over 15-minute slots with a linear
program (HiGHS); `diff(old, new)` says which sessions changed materially; `forecast.correct`
adjusts a green forecast by measured output; `forecast.firm` and `forecast.bounds` say how much
on-site green the load may count on above the grid limit (`clip_to` keeps what is sent to the
sure part); `arrivals.ArrivalModel` estimates the capacity to reserve for cars likely to
arrive. README.md states the policy as a table of cases.
"""

from csms.planning.diff import PlanDiff, diff
from csms.planning.model import (
    Diagnostics,
    Mode,
    Plan,
    PlanInputs,
    PlanningError,
    SessionNeed,
    SessionPlan,
)
from csms.planning.planner import clip_to, plan, slot_floor, validate

__all__ = [
    "Diagnostics",
    "Mode",
    "Plan",
    "PlanDiff",
    "PlanInputs",
    "PlanningError",
    "SessionNeed",
    "SessionPlan",
    "clip_to",
    "diff",
    "plan",
    "slot_floor",
    "validate",
]
