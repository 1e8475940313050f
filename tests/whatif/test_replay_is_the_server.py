"""The benchmark's server column (`bench.planner --server`) corrects the scenario's forecast with
the readings known at each time; `csms serve` does the same with a forecast given for a source
(`PUT /sites/{id}/sources/{source_id}/forecast`). This checks it is the same arithmetic: the
service's expected green and spread at a reading time are the replay's, to the rounding of
the plan route, on days whose forecast is wrong (a bias, an hour off, a trip)."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import numpy as np
import pytest

from bench.planner import no_forecast
from bench.planner.readings import fine_scenario
from bench.planner.scenarios import ERROR_FAMILIES, generate
from bench.planner.server import in_progress
from csms.domain.model import GreenSource, Reading, Site, SourceForecast
from csms.planning.forecast import bounds, correct, drop_prior, spread
from csms.services.sites.forecast import compute
from csms.whatif import parse

SUB = 3  # 5-minute readings in a 15-minute slot


@pytest.mark.parametrize("guarded", [False, True])
@pytest.mark.parametrize("family", ["fc bias all day", "fc 1 h off", "fc inverter trip"])
def test_the_service_corrects_a_given_forecast_as_the_replay_does(family: str,
                                                                   guarded: bool) -> None:
    """With a local guard the firm and likely green above the limit too (`bounds`), which
    follow the forecast's course down to its sunset."""
    f = next(x for x in ERROR_FAMILIES if x.name == family)
    day = parse(generate(dataclasses.replace(f, workplace=2, visitors=0), 3))
    fine = fine_scenario(day, 3)
    fc15 = np.asarray(day.forecast_kw, dtype=float)
    site = Site(id="s", name="s", grid_limit_kw=day.grid_limit_kw, latitude=42.7,
                longitude=23.3, timezone=None,  # the day starts at the scenario's midnight
                local_guard=guarded)
    source = GreenSource(site_id="s", id="pv", kind="solar", peak_kw=f.pv_peak_kw)
    given = SourceForecast("s", "pv", day.start, 15, tuple(float(v) for v in fc15), day.start,
                           day.start)
    step = timedelta(minutes=5)
    compared = firm_seen = 0
    for j in range(5 * 12, 17 * 12, 7):  # readings ended by 05:00 to 17:00 UTC, every 35 min
        t = day.start + j * step
        seen = np.asarray(fine.actual_kw[:j], dtype=float)
        i = j // SUB
        measured = seen[: i * SUB].reshape(i, SUB).mean(axis=1)
        green = correct(fc15, measured, i, slot_minutes=15,
                        in_progress_kw=in_progress(seen, i * SUB))
        unsure = spread(fc15, measured, i, day.slots - i, slot_minutes=15)
        readings = [("pv", Reading(day.start + k * step, float(v))) for k, v in enumerate(seen)]
        now_slot = day.start + i * timedelta(minutes=15)
        out = compute(site, [source], readings, readings[-1][1].timestamp, now_slot,
                      day.slots - i, 15, t, [given])
        assert out.on_site_kw == pytest.approx(green, abs=1.5e-3), (family, t)
        assert out.spread == pytest.approx(unsure, abs=1.5e-3), (family, t)
        sure, likely = bounds(fc15, measured, i, green, prior=drop_prior(guarded))
        assert out.firm_kw == pytest.approx(np.minimum(sure, green), abs=1.5e-3), (family, t)
        assert out.room_kw == pytest.approx(np.minimum(likely, green), abs=1.5e-3), (family, t)
        firm_seen += bool(any(out.firm_kw))
        assert [g.source_id for g in out.given] == ["pv"] and not out.stale
        # a plan of the next two hours reads the same day (its peak, its sunrise and sunset)
        short = compute(site, [source], readings, readings[-1][1].timestamp, now_slot, 8, 15,
                        t, [given])
        assert short.on_site_kw == out.on_site_kw[:8], (family, t)
        compared += 1
    assert compared >= 20
    assert (firm_seen > 5) == guarded, firm_seen


def test_the_no_forecast_table_runs_the_service_in_place_of_the_forecast() -> None:
    """`python -m bench.planner.no_forecast`: with no forecast given the replay plans on what
    the service expects from the clear sky, so a day whose morning fog the forecast foresaw
    scores differently; the same day with the forecast is the server column's."""
    f = dataclasses.replace(next(x for x in ERROR_FAMILIES if x.name == "fc fog"),
                            workplace=3, visitors=0)
    scores = no_forecast.run_one(f, 1)
    given, none = scores["given"], scores["none"]
    assert (given.green, given.sends) != (none.green, none.sends)  # another plan was made
    assert none.over_kwh == 0 and none.rule_breaks == 0
    assert given.sessions == none.sessions == 3
