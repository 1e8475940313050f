"""`csms plan-day` result files over random days (hypothesis), read as a third party reads them:

- every slot of every session is 0 or within [min_kw, max_kw];
- the grid limit holds in every sub-interval in which the set of plugged-in cars is constant:
  off site the load itself; on site the load above the actual green, where a site without a
  local guard may count on no more green than the firm bound (`forecast.firm`, the margin the
  contract lets a plan keep if it can justify it; with `DROP_PRIOR` 0 it is nothing); a site
  with one (`site.local_guard`) plans on the guarded prior, and its guard cuts the load to the
  limit plus the actual green, so its file holds against the actual green alone (these random
  skies, white noise, fall below any prior at will);
- no car is given power once the file's own powers have delivered its energy
  (a car draws `min(power x plugged time, what it still needs)`);
- the summary's energy agrees with the file.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csms.planning.forecast import DROP_PRIOR, firm
from csms.whatif import parse, run

T0 = datetime(2026, 6, 21, 6, tzinfo=UTC)
SLOTS = 32
SLOT_H = 0.25


def _iso(minutes: int) -> str:
    return (T0 + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _kw(top: float) -> st.SearchStrategy[float]:
    """Figures as a scenario file holds them: two decimals."""
    return st.integers(0, int(top * 100)).map(lambda x: x / 100)


@st.composite
def days(draw: st.DrawFn) -> dict[str, Any]:
    sessions = []
    for k in range(draw(st.integers(1, 7))):
        arrival = draw(st.integers(0, SLOTS * 15 - 2))
        departure = draw(st.integers(arrival + 1, SLOTS * 15))
        max_kw = draw(st.sampled_from([3.7, 7.4, 11.0, 22.0]))
        sessions.append({
            "id": f"c{k}", "arrival": _iso(arrival), "departure": _iso(departure),
            "energy_kwh": draw(_kw(40.0)), "max_kw": max_kw,
            "min_kw": min(max_kw, draw(st.sampled_from([0.0, 1.4, 4.1, 4.14, 6.9]))),
        })
    kw = st.lists(_kw(60.0), min_size=SLOTS, max_size=SLOTS)
    return {
        "site": {"grid_limit_kw": draw(_kw(45.0)), "green_on_site": draw(st.booleans()),
                 "local_guard": draw(st.booleans())},
        "start": _iso(0), "slot_minutes": 15, "slots": SLOTS,
        "green": {"forecast_kw": draw(kw), "actual_kw": draw(kw)},
        "sessions": sessions,
    }


def _span(s: dict[str, Any], t: int) -> tuple[float, float]:
    """Hours after the start of the part of slot t in which the car is plugged in."""
    a = (datetime.fromisoformat(s["arrival"]) - T0).total_seconds() / 3600
    d = (datetime.fromisoformat(s["departure"]) - T0).total_seconds() / 3600
    lo, hi = max(t * SLOT_H, a), min((t + 1) * SLOT_H, d)
    return (lo, hi) if hi > lo else (0.0, 0.0)


def check(day: dict[str, Any], result: dict[str, Any]) -> None:
    cars, powers = day["sessions"], result["sessions"]
    energy = 0.0
    for s in cars:
        left = s["energy_kwh"]
        for t, kw in enumerate(powers[s["id"]]):
            assert kw == 0 or s["min_kw"] <= kw <= s["max_kw"], (s["id"], t, kw)
            lo, hi = _span(s, t)
            if kw > 0:
                assert hi > lo, f"{s['id']} given power in slot {t} while not plugged in"
                assert left > 1e-9, f"{s['id']} given power in slot {t} after its need was met"
            drawn = min(kw * (hi - lo), left)
            left, energy = left - drawn, energy + drawn
    limit, on_site = day["site"]["grid_limit_kw"], day["site"]["green_on_site"]
    guarded = day["site"].get("local_guard", False)
    fc, act = day["green"]["forecast_kw"], day["green"]["actual_kw"]
    for t in range(SLOTS):
        sure = float(firm(fc, act, t, 1, prior=DROP_PRIOR)[0]) if on_site and not guarded else 0.0
        spans = {s["id"]: _span(s, t) for s in cars}
        cuts = sorted({x for v in spans.values() for x in v} | {t * SLOT_H, (t + 1) * SLOT_H})
        for lo, hi in zip(cuts, cuts[1:], strict=False):
            mid = (lo + hi) / 2
            load = sum(powers[c][t] for c, (a, b) in spans.items() if a < mid < b)
            grid = max(0.0, load - act[t]) if on_site else load
            assert grid <= limit + max(0.0, sure - act[t]) + 1e-9, (t, lo, hi, load, limit)
    assert abs(result["summary"]["energy_kwh"] - energy) < 1e-3 * max(1.0, energy)


@settings(max_examples=int(os.environ.get("CSMS_PROPERTY_EXAMPLES", "25")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(days(), st.sampled_from(["green", "immediate"]))
def test_plan_day_files_keep_the_power_rule_the_limit_and_the_needs(
    day: dict[str, Any], policy: str
) -> None:
    book = run(parse(day), policy)
    check(day, book.result())
    assert book.rule_breaks() == 0
    if not day["site"]["green_on_site"] or day["site"]["local_guard"] or DROP_PRIOR == 0:
        assert book.over_limit_kwh() == 0.0  # judged against the actual green
