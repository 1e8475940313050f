"""The plan-day scenario file (CONTRACT.md, "Offline what-if planning"): parse and validate.

Every problem becomes one ScenarioError whose message names the field, so `csms plan-day` can
print one clear line instead of a traceback.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from csms.planning import Mode


class ScenarioError(ValueError):
    """The scenario file is unreadable or breaks the contract."""


@dataclass(frozen=True)
class ScenarioSession:
    id: str
    arrival: datetime
    departure: datetime
    energy_kwh: float
    max_kw: float
    min_kw: float = 0.0
    mode: Mode = "green"


@dataclass(frozen=True)
class PastSession:
    """A session of the site before the simulated day (`history.sessions`)."""

    arrival: datetime
    departure: datetime
    energy_kwh: float
    max_kw: float


@dataclass(frozen=True)
class Scenario:
    grid_limit_kw: float
    green_on_site: bool
    start: datetime
    slot_minutes: int
    slots: int
    forecast_kw: tuple[float, ...]
    actual_kw: tuple[float, ...]
    sessions: tuple[ScenarioSession, ...]
    # a controller at the connection curtails the chargers within seconds when the import
    # exceeds the limit: only then does the planner count on firm green (`whatif.guard`)
    local_guard: bool = False
    # the site's past sessions (`history`, optional): what the server's arrival model learns
    # from (`ArrivalModel.from_history` over `history_days`); without it, today's arrivals so far
    history: tuple[PastSession, ...] = ()
    history_days: int = 0

    @property
    def end(self) -> datetime:
        return self.slot_start(self.slots)

    def slot_start(self, i: int) -> datetime:
        return self.start + timedelta(minutes=self.slot_minutes * i)


def _get(obj: Any, key: str, where: str) -> Any:
    if not isinstance(obj, dict):
        raise ScenarioError(f"{where} must be an object")
    if key not in obj:
        raise ScenarioError(f"missing field {where}.{key}" if where else f"missing field {key}")
    return obj[key]


def _number(v: Any, name: str, *, positive: bool = False) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        raise ScenarioError(f"{name} must be a number")
    if v < 0 or (positive and v == 0):
        raise ScenarioError(f"{name} must be {'positive' if positive else 'non-negative'}")
    return float(v)


def _integer(v: Any, name: str) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or v <= 0:
        raise ScenarioError(f"{name} must be a positive integer")
    return v


def _time(v: Any, name: str) -> datetime:
    if not isinstance(v, str):
        raise ScenarioError(f"{name} must be an ISO 8601 UTC time such as 2026-06-21T07:10:00Z")
    try:
        t = datetime.fromisoformat(v.replace("Z", "+00:00"))
    except ValueError:
        raise ScenarioError(f"{name} is not an ISO 8601 time: {v!r}") from None
    if t.tzinfo is None:
        raise ScenarioError(f"{name} must be UTC (end it with Z): {v!r}")
    return t.astimezone(UTC)


def _series(v: Any, name: str, n: int) -> tuple[float, ...]:
    if not isinstance(v, list):
        raise ScenarioError(f"{name} must be a list of {n} numbers")
    if len(v) != n:
        raise ScenarioError(f"{name} has {len(v)} values, expected slots = {n}")
    return tuple(_number(x, f"{name}[{i}]") for i, x in enumerate(v))


def _session(raw: Any, i: int, start: datetime, end: datetime) -> ScenarioSession:
    where = f"sessions[{i}]"
    sid = _get(raw, "id", where)
    if not isinstance(sid, str) or not sid:
        raise ScenarioError(f"{where}.id must be a non-empty string")
    arrival = _time(_get(raw, "arrival", where), f"{where}.arrival")
    departure = _time(_get(raw, "departure", where), f"{where}.departure")
    if departure <= arrival:
        raise ScenarioError(f"session {sid!r}: departure is not after arrival")
    if departure <= start or arrival >= end:
        raise ScenarioError(f"session {sid!r}: plugged in entirely outside the simulated day")
    max_kw = _number(_get(raw, "max_kw", where), f"{where}.max_kw", positive=True)
    min_kw = _number(raw.get("min_kw", 0.0), f"{where}.min_kw")
    if min_kw > max_kw:
        raise ScenarioError(f"session {sid!r}: min_kw is larger than max_kw")
    mode = raw.get("mode", "green")
    if mode not in ("green", "fast"):
        raise ScenarioError(f"session {sid!r}: mode must be 'green' or 'fast'")
    energy = _number(_get(raw, "energy_kwh", where), f"{where}.energy_kwh")
    return ScenarioSession(sid, arrival, departure, energy, max_kw, min_kw, mode)


def _history(raw: Any, start: datetime) -> tuple[int, tuple[PastSession, ...]]:
    """`history`: `{"days": N, "sessions": [{arrival, departure, energy_kwh, max_kw}]}`, the
    site's sessions of the N days before `start`."""
    if raw is None:
        return 0, ()
    days = _integer(_get(raw, "days", "history"), "history.days")
    items = _get(raw, "sessions", "history")
    if not isinstance(items, list):
        raise ScenarioError("history.sessions must be a list")
    out = []
    for i, r in enumerate(items):
        where = f"history.sessions[{i}]"
        arrival = _time(_get(r, "arrival", where), f"{where}.arrival")
        departure = _time(_get(r, "departure", where), f"{where}.departure")
        if departure <= arrival or arrival >= start:
            raise ScenarioError(f"{where}: must arrive before start and leave after arriving")
        out.append(PastSession(
            arrival, departure, _number(_get(r, "energy_kwh", where), f"{where}.energy_kwh"),
            _number(_get(r, "max_kw", where), f"{where}.max_kw", positive=True)))
    return days, tuple(out)


def parse(data: Any) -> Scenario:
    """Build a Scenario from decoded JSON, or raise ScenarioError naming what is wrong."""
    site = _get(data, "site", "")
    limit = _number(_get(site, "grid_limit_kw", "site"), "site.grid_limit_kw")
    on_site = _get(site, "green_on_site", "site")
    if not isinstance(on_site, bool):
        raise ScenarioError("site.green_on_site must be true or false")
    guard = site.get("local_guard", False)
    if not isinstance(guard, bool):
        raise ScenarioError("site.local_guard must be true or false")
    start = _time(_get(data, "start", ""), "start")
    slot_minutes = _integer(_get(data, "slot_minutes", ""), "slot_minutes")
    if 1440 % slot_minutes:
        raise ScenarioError("slot_minutes must divide a day (e.g. 5, 15, 30, 60)")
    slots = _integer(_get(data, "slots", ""), "slots")
    if slots * slot_minutes > 36 * 60:
        raise ScenarioError("a scenario covers at most 36 hours")
    green = _get(data, "green", "")
    forecast = _series(_get(green, "forecast_kw", "green"), "green.forecast_kw", slots)
    actual = _series(_get(green, "actual_kw", "green"), "green.actual_kw", slots)
    raw_sessions = _get(data, "sessions", "")
    if not isinstance(raw_sessions, list):
        raise ScenarioError("sessions must be a list")
    end = start + timedelta(minutes=slot_minutes * slots)
    sessions = tuple(_session(r, i, start, end) for i, r in enumerate(raw_sessions))
    ids = [s.id for s in sessions]
    if len(set(ids)) != len(ids):
        raise ScenarioError("session ids must be unique")
    days, past = _history(data.get("history"), start)
    return Scenario(limit, on_site, start, slot_minutes, slots, forecast, actual, sessions, guard,
                    past, days)


def load(path: str | Path) -> Scenario:
    """Read and validate a scenario file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as e:
        raise ScenarioError(f"cannot read {path}: {e.strerror or e}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise ScenarioError(f"{path} is not valid JSON: {e.msg} (line {e.lineno})") from None
    return parse(data)
