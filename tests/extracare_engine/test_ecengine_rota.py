"""CP-SAT weekly rota for the seed's schedule of cover, and naming the rule when there is none."""

import csv
import io
from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest

from selfdirect.extracare.engine import (
    SEED_SCHEDULE,
    SEED_SHIFTS,
    SEED_STAFFING,
    SchemeInputError,
    ShiftRules,
)
from selfdirect.extracare.engine.rota import SLOT, Worker, solve_rota, weekly_requirement

REQ = weekly_requirement(SEED_SCHEDULE, SEED_STAFFING, SEED_SHIFTS)
WEEK = 7 * 24 * 60


def test_requirement_is_the_schedule_of_cover_for_a_week():
    assert len(REQ) == 336
    # 48.5 session hours + 1 h (2 staff 07:00-07:30) + 9 night hours = 58.5 staff-hours a day
    assert sum(REQ) / 2 == 58.5 * 7


def test_feasible_rota_for_the_seed_scheme_respects_every_rule():
    result = solve_rota(REQ, 12, SEED_SHIFTS, time_limit_seconds=10, week_start=date(2025, 4, 7))
    assert result.feasible
    assert result.solve_seconds < 12
    assert result.gap is not None and 0 <= result.gap <= 0.05
    cover = [0] * len(REQ)
    by_worker = defaultdict(list)
    for a in result.assignments:
        start = a.day * 1440 + a.shift.start
        for m in range(start, start + a.shift.end - a.shift.start, SLOT):
            cover[(m % WEEK) // SLOT] += 1
        by_worker[a.worker].append((start, start + a.shift.end - a.shift.start, a.shift.night, a.paid_hours))
        assert SEED_SHIFTS.min_shift_hours <= a.shift.hours <= SEED_SHIFTS.max_shift_hours
        if a.shift.hours >= 6:
            assert a.paid_hours == a.shift.hours - Decimal("0.5")
    assert all(c >= need for c, need in zip(cover, REQ))
    for shifts in by_worker.values():
        assert sum(p for *_, p in shifts) <= Decimal(48)
        assert sum(1 for s in shifts if s[2]) <= 4
        shifts.sort()
        for (s1, e1, *_), (s2, e2, *_) in zip(shifts, shifts[1:] + [(shifts[0][0] + WEEK, 0)]):
            assert s2 - e1 >= 11 * 60
    rows = list(csv.reader(io.StringIO(result.to_csv())))
    assert rows[0][:3] == ["worker", "day", "date"]
    assert len(rows) == len(result.assignments) + 1
    assert rows[1][2] == "2025-04-07"


def test_infeasible_rota_names_the_night_rule():
    # Only three staff do nights, at most two each: six nights for seven.
    team = [Worker(f"D{i}", nights=False) for i in range(9)] + [Worker(f"N{i}") for i in range(3)]
    result = solve_rota(REQ, team, ShiftRules(max_nights_per_week=2), time_limit_seconds=5)
    assert result.status == "INFEASIBLE"
    assert result.blocking_rules == ("max_nights_per_week",)


def test_infeasible_rota_names_the_shift_length_rule():
    # Nights are 9 hours; an 8-hour maximum shift rules every night shift out.
    # A generous limit: proving infeasibility is quick, but a loaded CI machine must not time out.
    result = solve_rota(REQ, 12, ShiftRules(max_shift_hours=Decimal(8)), time_limit_seconds=30)
    assert result.status == "INFEASIBLE"
    assert "shift_length" in result.blocking_rules
    assert result.core_rules == ("shift_length",)


def test_weekly_hours_rule_is_named_by_arithmetic():
    result = solve_rota(REQ, [Worker(f"P{i}", max_hours=Decimal(20)) for i in range(12)], SEED_SHIFTS)
    assert not result.feasible
    assert result.blocking_rules == ("max_hours_per_week",)


def test_rota_input_errors():
    with pytest.raises(SchemeInputError) as err:
        solve_rota(REQ[:10], 0)
    assert set(err.value.fields) == {"requirement", "workers"}
