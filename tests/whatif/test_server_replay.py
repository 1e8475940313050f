"""The benchmark's replay of csms serve on 5-minute readings keeps the information rule: at time
t it knows the readings whose interval ended by t, never a later one, and its scoring keeps the
grid limit and the power rule on every reading's interval."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import numpy as np
import pytest

from bench.planner import readings
from bench.planner.readings import fine_kw, fine_scenario
from bench.planner.scenarios import FAMILIES, generate
from bench.planner.server import Readings, held, server_day
from csms.whatif import parse
from csms.whatif.scenario import Scenario
from csms.whatif.simulate import green_day


def _day(seed: int = 2) -> Scenario:
    family = dataclasses.replace(
        next(f for f in FAMILIES if f.name == "pv-rich broken"), workplace=8, visitors=4)
    return fine_scenario(parse(generate(family, seed)), seed)


class _Spy(Readings):
    def __init__(self, fine: Scenario) -> None:
        super().__init__(fine)
        self.fine = fine
        self.late: list[tuple[datetime, int]] = []

    def known(self, now: datetime) -> np.ndarray:
        got = super().known(now)
        ended = int((now - self.fine.start).total_seconds() // (self.fine.slot_minutes * 60))
        if len(got) > ended:  # a reading whose interval had not ended at `now`
            self.late.append((now, len(got)))
        return got


def test_readings_are_fine_and_average_to_the_slot() -> None:
    fine = _day()
    sc_slots = fine.slots // 3
    means = np.asarray(fine.actual_kw).reshape(sc_slots, 3).mean(axis=1)
    day = parse(generate(dataclasses.replace(
        next(f for f in FAMILIES if f.name == "pv-rich broken"), workplace=8, visitors=4), 2))
    assert np.allclose(means, day.actual_kw, atol=2e-3)
    assert np.std(np.asarray(fine.actual_kw) - np.repeat(day.actual_kw, 3)) > 0.1  # it flickers


def test_a_step_is_not_seen_coming(monkeypatch: pytest.MonkeyPatch) -> None:
    """The sky changes in steps: the readings before an inverter trip (or the sun coming
    back) hold the level they had; a ramp through the slot means showed the change coming in
    the slot before it."""
    monkeypatch.setattr(readings, "FLICKER_BASE", 0.0)
    monkeypatch.setattr(readings, "FLICKER_CHANGE", 0.0)
    trip = fine_kw([50.0, 50.0, 50.0, 0.0, 0.0], 3, np.random.default_rng(0)).reshape(5, 3)
    assert np.allclose(trip[:3], 50.0) and np.allclose(trip[3:], 0.0)
    gap = fine_kw([10.0, 10.0, 35.0, 95.0], 3, np.random.default_rng(0)).reshape(4, 3)
    assert np.allclose(gap[1], 10.0)  # nothing before the slot the sun comes back in
    assert gap[2, 0] == 10.0 and gap[2, 2] > 80.0 and np.isclose(gap[2].mean(), 35.0, atol=2e-3)


def test_the_replay_never_reads_a_reading_from_the_future() -> None:
    fine = _day()
    spy = _Spy(fine)
    server_day(fine, spy)
    assert spy.late == []
    assert spy.read_upto == fine.slots - 1  # the last interval ends with the day


def test_what_was_done_by_t_does_not_depend_on_readings_after_t() -> None:
    fine = _day()
    cut = next(j for j, kw in enumerate(fine.actual_kw) if kw > 0.5 * max(fine.actual_kw))
    cut += 12  # an hour into the bright part of the day
    other = dataclasses.replace(fine, actual_kw=tuple(
        kw if j < cut else (0.1 if j % 2 else 3.0) * kw for j, kw in enumerate(fine.actual_kw)))
    a, b = server_day(fine), server_day(other)
    # at reading time `cut` the readings up to cut - 1 are known: up to it, the same powers
    assert np.array_equal(a.command[:, : cut + 1], b.command[:, : cut + 1])
    assert not np.array_equal(a.command, b.command)  # and the future readings do matter later


def test_the_replay_keeps_the_limit_and_the_power_rule_on_each_reading() -> None:
    fine = _day()
    book = server_day(fine)
    assert book.over_limit_kwh() == 0.0
    assert book.rule_breaks() == 0
    assert book.profile_sends > 0


def test_plan_day_held_on_the_readings_draws_what_it_drew_on_slots() -> None:
    # plan-day scored as the server is: the same powers and energy, green judged per reading
    family = dataclasses.replace(
        next(f for f in FAMILIES if f.name == "pv-rich broken"), workplace=8, visitors=4)
    day = parse(generate(family, 2))
    book = green_day(day)
    fine = held(book, fine_scenario(day, 2))
    assert np.allclose(fine.energy.reshape(len(day.sessions), day.slots, 3).sum(axis=2),
                       book.energy, atol=1e-9)
    kw = fine.session_kw().reshape(len(day.sessions), day.slots, 3).max(axis=2)
    assert np.array_equal(kw, book.session_kw())
    assert fine.summary()["green_kwh"] <= book.summary()["green_kwh"] + 1e-6
