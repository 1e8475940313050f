"""Which sessions' schedules changed materially between two plans.

The server sends a charging profile only on a material change (profiles go to the charger's
flash): a start or a stop, or a power step larger than `tolerance_kw` or `tolerance_rel` of the
larger value, within the next `horizon_h` hours. Far-off changes wait: they enter the window as
time passes, because the server compares against the schedule it last *sent*.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from csms.planning.model import Plan, SessionPlan

_ZERO = 1e-6


@dataclass(frozen=True)
class PlanDiff:
    added: frozenset[str]
    removed: frozenset[str]
    changed: frozenset[str]

    @property
    def to_send(self) -> frozenset[str]:
        """Sessions whose station needs a new profile."""
        return self.added | self.changed


def _schedule(plan: Plan, sp: SessionPlan, at: datetime) -> float:
    k = int((at - plan.start).total_seconds() // (plan.slot_minutes * 60))
    return sp.power_at(k)


def session_changed(
    old: Plan, new: Plan, session_id: str, *, tolerance_kw: float = 1.0,
    tolerance_rel: float = 0.1, horizon_h: float = 2.0,
) -> bool:
    """True when the session's power differs materially in some slot of the next horizon."""
    a, b = old.sessions[session_id], new.sessions[session_id]
    step = timedelta(minutes=new.slot_minutes)
    n = max(1, int(horizon_h * 60 // new.slot_minutes))
    for k in range(n):
        at = new.start + k * step
        x, y = _schedule(old, a, at), _schedule(new, b, at)
        if (x > _ZERO) != (y > _ZERO):
            return True
        if abs(x - y) > max(tolerance_kw, tolerance_rel * max(x, y)):
            return True
    return False


def diff(
    old: Plan | None, new: Plan, *, tolerance_kw: float = 1.0, tolerance_rel: float = 0.1,
    horizon_h: float = 2.0,
) -> PlanDiff:
    """Compare the last sent plan with a new one (`old=None`: everything is new)."""
    if old is None:
        return PlanDiff(frozenset(new.sessions), frozenset(), frozenset())
    added = frozenset(new.sessions.keys() - old.sessions.keys())
    removed = frozenset(old.sessions.keys() - new.sessions.keys())
    common = new.sessions.keys() & old.sessions.keys()
    changed = frozenset(
        s for s in common
        if session_changed(old, new, s, tolerance_kw=tolerance_kw,
                           tolerance_rel=tolerance_rel, horizon_h=horizon_h)
    )
    return PlanDiff(added, removed, changed)
