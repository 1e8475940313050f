"""The benchmark's "server" policy: csms serve's planning loop replayed on sub-slot readings.

`csms serve` re-plans a site on every new reading (every few minutes) and on every plug-in; its
forecast counts the slot in progress as the latest measurement
(`services.sites.forecast.compute`) and plans 15-minute slots from the start of the current one,
each car from now. This replay does the same, with the scenario's forecast in place of the
clear-sky guess and the planning functions the server and plan-day share
(`planning.forecast.correct / spread / bounds`, `planning.plan`, `planning.clip_to`,
`services.smart.charging_profiles.should_send`):

- at each reading time t (every `fine.slot_minutes`), the planner knows the readings whose
  interval ended by t, never a later one (`known`); the complete slots' means and the slot in
  progress's mean so far come from those readings only;
- the plan's power at t is what each car draws until the next reading, unless the send rules
  keep the profile last sent (a rise within 5 minutes of the last send waits);
- a car plugged in before the next reading triggers a second plan at once, the cars already
  charging kept at their power (as in plan-day).

The ledger is the fine scenario's, so green, the grid limit and the power rule are judged on
each reading's interval against that interval's actual green.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import numpy as np

from csms.planning import Plan, PlanInputs, SessionNeed, clip_to, plan
from csms.planning.forecast import bounds, correct, drop_prior, spread, still_to_come
from csms.services.smart.charging_profiles import Sent, should_send
from csms.whatif.guard import curtail
from csms.whatif.ledger import Ledger
from csms.whatif.scenario import Scenario, ScenarioSession
from csms.whatif.simulate import arrival_model

SLOT_MINUTES = 15  # the server's plan slots (services.smart.smart_charging.SLOT_MINUTES)
MIN_INTERVAL = timedelta(minutes=5)  # services.smart.smart_charging.ChargingConfig.min_interval
_EPS_KWH = 1e-6
# Hold the latest reading to the clear sky at its own time (`in_progress`): measured, mixed,
# off (docs/planner.md, "The reading's reference on a rising sun")
CLEAR_REFERENCE = False


class Readings:
    """The readings of the day, handed out only up to a time: the information rule."""

    def __init__(self, fine: Scenario) -> None:
        self._kw = np.asarray(fine.actual_kw, dtype=float)
        self._start = fine.start
        self._step = timedelta(minutes=fine.slot_minutes)
        self.read_upto = 0  # highest count ever handed out (the tests check it)

    def known(self, now: datetime) -> np.ndarray:
        """The readings whose interval has ended by `now`."""
        n = max(0, min(len(self._kw), int((now - self._start) / self._step)))
        self.read_upto = max(self.read_upto, n)
        return self._kw[:n].copy()


def in_progress(seen: np.ndarray, slot_first: int, clear_kw: np.ndarray | None = None,
                sub: int = 3) -> float | None:
    """What the server counts for the slot in progress (`services.sites.forecast.compute`): the
    latest reading, of this slot or the last one (within a slot's age: the readings here come
    every 5 minutes, so the last one always is). With `CLEAR_REFERENCE` and `clear_kw`
    (clear-sky output per reading interval) the reading is held to the clear sky at its own
    time: scaled to the slot in progress by the clear-sky output of the two, so a rising sun
    is not read as a cloud."""
    if not len(seen):
        return None
    last = float(seen[-1])
    if clear_kw is None or not CLEAR_REFERENCE:
        return last
    at = float(clear_kw[len(seen) - 1])
    slot = float(np.mean(clear_kw[slot_first: slot_first + sub]))
    return last * slot / at if at > 0.02 * float(np.max(clear_kw)) else last


def _need(s: ScenarioSession, left: float, not_before: datetime) -> SessionNeed:
    return SessionNeed(id=s.id, arrival=max(s.arrival, not_before), departure=s.departure,
                       energy_kwh=left, max_kw=s.max_kw, min_kw=s.min_kw, mode=s.mode)


# The green a server expects at reading time t: (forecast per 15-minute slot, the readings
# known at t, the current slot's index, t) -> (expected green, spread) from that slot on
Outlook = Callable[[np.ndarray, np.ndarray, int, datetime], tuple[np.ndarray, np.ndarray]]


def server_day(fine: Scenario, readings: Readings | None = None,
               clear_kw: np.ndarray | None = None, outlook: Outlook | None = None) -> Ledger:
    """Replay the server's loop over the fine scenario (readings every `fine.slot_minutes`;
    `clear_kw`: the clear-sky output per reading interval, for `in_progress`). `outlook`: the
    expected green in place of the scenario's forecast corrected by the readings
    (bench.planner.no_forecast: the forecast service itself, with no forecast given)."""
    if SLOT_MINUTES % fine.slot_minutes:
        raise ValueError("readings must divide the 15-minute slot")
    sub = SLOT_MINUTES // fine.slot_minutes
    slots = fine.slots // sub
    forecast = np.asarray(fine.forecast_kw, dtype=float)[::sub][:slots]
    readings = readings or Readings(fine)
    book = Ledger(fine)
    sent: dict[str, Sent] = {}
    step = timedelta(minutes=fine.slot_minutes)
    for j in range(fine.slots):
        t = fine.slot_start(j)
        i, m = divmod(j, sub)
        seen = readings.known(t)
        measured = seen[: i * sub].reshape(i, sub).mean(axis=1) if i else np.zeros(0)
        partial = in_progress(seen, i * sub, clear_kw, sub)
        if outlook is None:
            green = correct(forecast, measured, i, slot_minutes=SLOT_MINUTES,
                            in_progress_kw=partial)
            unsure = spread(forecast, measured, i, slots - i, slot_minutes=SLOT_MINUTES)
        else:
            green, unsure = outlook(forecast, seen, i, t)
        sure, likely = bounds(forecast, measured, i, green, prior=drop_prior(fine.local_guard))
        # the server asks its history from the current slot's start (`ArrivalHistory`)
        model = arrival_model(fine, fine.slot_start(i * sub) if fine.history_days else t,
                              SLOT_MINUTES)
        reserve = model.reserve_kw(slots - i, SLOT_MINUTES)
        present = [s for s in fine.sessions
                   if s.arrival <= t < s.departure and book.left(s) > _EPS_KWH]
        arriving = [s for s in fine.sessions
                    if t < s.arrival < t + step and book.left(s) > _EPS_KWH]
        inputs = _Inputs(fine, i, still_to_come(green, m / sub), unsure, reserve, likely, sure,
                         model.arriving_kwh(slots - i))
        first = inputs.run(book, [_need(s, book.left(s), t) for s in present], t, sent)
        book.apply(j, first)
        if arriving:
            needs = [_need(s, book.left(s), t + step) for s in present
                     if book.left(s) > _EPS_KWH and s.departure > t + step]
            needs += [_need(s, book.left(s), t) for s in arriving]
            second = inputs.run(book, needs, t, sent, base_kw=sum(first.values()),
                                only={s.id for s in arriving})
            book.apply(j, second)
        if fine.local_guard:  # within seconds: per reading interval
            curtail(book, j)
    return book


class _Inputs:
    """What one reading time's plans share: the forecast as corrected at t, and the bounds."""

    def __init__(self, fine: Scenario, i: int, green: np.ndarray, unsure: np.ndarray,
                 reserve: np.ndarray, likely: np.ndarray, sure: np.ndarray,
                 arriving: np.ndarray) -> None:
        self.fine, self.i = fine, i
        self.green, self.unsure, self.reserve = green, unsure, reserve
        self.arriving = arriving
        self.likely, self.sure = likely, sure

    def run(self, book: Ledger, needs: list[SessionNeed], now: datetime,
            sent: dict[str, Sent], *, base_kw: float = 0.0,
            only: set[str] | None = None) -> dict[str, float]:
        """Plan from the current slot's start; what each car draws from `now` (after the send
        rules), for the cars in `only` (default: all planned)."""
        if not needs:
            return {}
        sc = self.fine
        start = sc.start + timedelta(minutes=SLOT_MINUTES * self.i)
        base = np.zeros(len(self.green))
        base[0] = base_kw
        p = plan(PlanInputs(
            start=start, grid_limit_kw=sc.grid_limit_kw, green_on_site=sc.green_on_site,
            sessions=needs, green_kw=self.green, green_spread=self.unsure,
            slot_minutes=SLOT_MINUTES, reserve_kw=self.reserve, arriving_kwh=self.arriving,
            firm_green_kw=self.likely if sc.green_on_site else (), base_load_kw=base))
        book.planner_ms.append(p.diagnostics.total_ms)
        if sc.green_on_site:  # as the server sends it: within the sure green
            cap = np.clip(sc.grid_limit_kw + self.sure - base, 0.0, None)
            p = clip_to(p, cap, {n.id: n.min_kw for n in needs})
        out: dict[str, float] = {}
        for sid in p.sessions:
            if only is not None and sid not in only:
                continue
            last = sent.get(sid)
            if should_send(last, p, sid, now, MIN_INTERVAL):
                last = sent[sid] = Sent(p, now, True, "Accepted")
                book.profile_sends += 1
            assert last is not None
            out[sid] = _power_at(last.plan, sid, now)
        return out


def held(book: Ledger, fine: Scenario) -> Ledger:
    """plan-day's powers (`book`, 15-minute slots) held through each slot and drawn on the
    fine scenario's ledger: plan-day scored as the server is, so the two compare on the same
    5-minute green (which a 15-minute ledger averages, flicker and all)."""
    sub = book.sc.slot_minutes // fine.slot_minutes
    out = Ledger(fine)
    ids = [s.id for s in book.sc.sessions]
    for j in range(fine.slots):
        out.apply(j, {sid: float(book.command[k, j // sub]) for k, sid in enumerate(ids)})
        if fine.local_guard:
            curtail(out, j)
    out.planner_ms, out.profile_sends = list(book.planner_ms), book.profile_sends
    return out


def _power_at(p: Plan, sid: str, at: datetime) -> float:
    return p.sessions[sid].power_at(int((at - p.start) / timedelta(minutes=p.slot_minutes)))
