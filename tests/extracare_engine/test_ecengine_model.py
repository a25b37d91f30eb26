"""Scheme inputs: every problem reported at once, each naming its field, never a deep traceback."""

from datetime import date, time
from decimal import Decimal

import pytest

from selfdirect.extracare.engine import (
    SEED_SCHEDULE,
    SEED_SHIFTS,
    SEED_STAFFING,
    Scheme,
    SchemeInputError,
    ShiftRules,
    StaffingRules,
    parse_scheme,
    seed_scheme,
)


def test_seed_scheme_is_valid():
    s = seed_scheme()
    assert s.flats == 40 and s.resident_count == 40


def test_all_problems_are_collected_with_paths():
    data = {
        "flats": -3,
        "staffing": {"night_hours_per_night": -1},
        "need_mix": {
            "bands": [
                {"name": "low", "share": "1/3", "hours_per_week": 3},
                {"name": "medium", "share": "1/3", "hours_per_week": -7.5},
            ]
        },
        "residents": [{"count": 13, "hours_each": -3}],
    }
    with pytest.raises(SchemeInputError) as err:
        parse_scheme(data)
    problems = dict(err.value.problems)
    assert problems["flats"] == "must be at least 1 (got -3)"
    assert problems["staffing.night_hours_per_night"] == "must not be negative (got -1)"
    assert problems["need_mix.bands[1].hours_per_week"].startswith("must not be negative")
    assert problems["residents[0].hours_each"].startswith("must not be negative")


def test_shares_must_sum_to_one():
    data = {
        "flats": 40,
        "need_mix": {
            "bands": [
                {"name": "low", "share": "1/3", "hours_per_week": 3},
                {"name": "medium", "share": "1/3", "hours_per_week": 7.5},
            ]
        },
    }
    with pytest.raises(SchemeInputError) as err:
        parse_scheme(data)
    assert err.value.problems == [("need_mix.bands", "shares must sum to 1 (they sum to 0.6667)")]


def test_decimal_shares_that_round_to_one_are_accepted():
    s = parse_scheme(
        {
            "flats": 40,
            "need_mix": {
                "bands": [
                    {"name": "low", "share": "0.333", "hours_per_week": 3},
                    {"name": "medium", "share": "0.333", "hours_per_week": 7.5},
                    {"name": "high", "share": "0.334", "hours_per_week": 15},
                ]
            },
        }
    )
    assert s.need_mix is not None and len(s.need_mix.bands) == 3


def test_impossible_rules_are_named():
    with pytest.raises(SchemeInputError) as err:
        StaffingRules(day_hours_per_day=Decimal(16), night_hours_per_night=Decimal(10))
    assert err.value.fields == ["night_hours_per_night"]
    assert "exceed the 24 hours" in str(err.value)
    with pytest.raises(SchemeInputError) as err:
        ShiftRules(
            unpaid_break_from_hours=Decimal(10), unpaid_break_to_hours=Decimal(6), min_shift_hours=Decimal(12)
        )
    assert set(err.value.fields) == {"unpaid_break_to_hours", "min_shift_hours"}


def test_overlapping_sessions_and_occupancy_beyond_flats():
    data = {
        "flats": 40,
        "occupancy": [
            {"on": "2025-04-01", "occupied_flats": 10},
            {"on": "2025-03-01", "occupied_flats": 41},
        ],
        "schedule": {
            "sessions": [
                {"start": "07:30", "end": "10:00", "staff": 5},
                {"start": "09:00", "end": "12:00", "staff": 2},
            ]
        },
    }
    with pytest.raises(SchemeInputError) as err:
        parse_scheme(data)
    fields = err.value.fields
    assert "schedule.sessions[1].start" in fields
    assert "occupancy[1].occupied_flats" in fields
    assert "occupancy[1].on" in fields


def test_unknown_field_and_bad_type_are_reported_not_raised_deep():
    with pytest.raises(SchemeInputError) as err:
        parse_scheme({"flats": "forty", "flatz": 3})
    assert set(err.value.fields) == {"flats", "flatz"}


def test_occupancy_over_time_is_a_step_function():
    s = Scheme(
        flats=40,
        occupancy=(
            {"on": date(2025, 4, 1), "occupied_flats": 10},
            {"on": date(2025, 5, 1), "occupied_flats": 30},
        ),
    )
    assert s.occupied_on(date(2025, 3, 31)) == 0
    assert s.occupied_on(date(2025, 4, 15)) == 10
    assert s.occupied_on(date(2026, 1, 1)) == 30
    assert Scheme(flats=12).occupied_on(date(2025, 1, 1)) == 12


def test_shift_rules_paid_hours_and_nights():
    assert SEED_SHIFTS.paid_hours(Decimal(8)) == Decimal("7.5")
    assert SEED_SHIFTS.paid_hours(Decimal("5.5")) == Decimal("5.5")
    assert SEED_SHIFTS.paid_hours(Decimal(6)) == Decimal("5.5")
    assert SEED_SHIFTS.night_hours == Decimal(9)
    assert SEED_SHIFTS.is_night(23 * 60) and SEED_SHIFTS.is_night(6 * 60 + 59)
    assert not SEED_SHIFTS.is_night(7 * 60)


def test_staff_by_slot_follows_the_schedule_and_minimums():
    slots = SEED_SCHEDULE.staff_by_slot(SEED_STAFFING, SEED_SHIFTS)
    assert len(slots) == 48
    assert slots[15] == 5  # 07:30
    assert slots[14] == 2  # 07:00-07:30: day minimum (the schedule starts at 07:30)
    assert slots[0] == 1 and slots[44] == 1  # night minimum
    assert sum(slots) / 2 == 49.5 - 1 + 0.5 * 2 + 9 * 1  # sessions + 07:00-07:30 + 9 night hours


def test_session_end_must_follow_start():
    with pytest.raises(SchemeInputError) as err:
        parse_scheme(
            {"flats": 1, "schedule": {"sessions": [{"start": time(10), "end": time(9), "staff": 1}]}}
        )
    assert err.value.problems == [("schedule.sessions[0].end", "must be after start (10:00)")]


def test_whether_short_breaks_are_paid_is_the_authoritys_choice():
    # Seed 003 3.5: two 15-minute breaks "allowed mid-morning and afternoon"; it does not say they
    # are paid. Paid by default (an 8-hour shift pays 7.5 hours, less only the unpaid meal break);
    # unpaid, they come off too: 8 - 0.5 - 2 x 0.25 = 7.
    unpaid = ShiftRules(short_breaks_paid=False)
    assert SEED_SHIFTS.short_breaks_paid and SEED_SHIFTS.paid_hours(Decimal(8)) == Decimal("7.5")
    assert unpaid.paid_hours(Decimal(8)) == Decimal(7)
    assert unpaid.paid_hours(Decimal("5.5")) == Decimal("5.5")  # no breaks in a short shift
    # Inputs saved under the earlier names read as they were meant (the breaks paid).
    earlier = ShiftRules(paid_short_breaks=1, paid_short_break_minutes=20)
    assert (earlier.short_breaks, earlier.short_break_minutes, earlier.short_breaks_paid) == (1, 20, True)
