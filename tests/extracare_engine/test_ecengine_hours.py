"""Seed 003 Section 6 ("How much care?"): every figure of the worked example, reproduced exactly."""

from datetime import date
from decimal import Decimal

import pytest

from selfdirect.extracare.engine import (
    SEED_CORE,
    SEED_NEED_MIX,
    SEED_RESIDENTS,
    SEED_SCHEDULE,
    SEED_STAFFING,
    CoreRules,
    SchemeInputError,
    StaffingRules,
    core_and_add_on,
    estimate_from_need_mix,
    minimum_block,
    phasing_plan,
    schedule_of_cover,
    thirds_estimate,
    top_up,
)


def lines(breakdown):
    return {line.label: line.hours for line in breakdown.lines}


def test_minimum_block_is_310_with_the_seeds_lines():
    b = minimum_block(SEED_STAFFING)
    assert b.total == Decimal("310")
    got = lines(b)
    assert got["Day time cover"] == Decimal("196")
    assert got["Night cover"] == Decimal("70")
    assert got["Handover time"] == Decimal("7")
    assert got["Care team leader / floating time"] == Decimal("37")
    assert "2 staff x 14 h x 7 days" in b.as_text()


def test_minimum_block_phased_is_273():
    b = minimum_block(SEED_STAFFING, phased=True)
    assert b.total == Decimal("273")
    # The team leader's 37 hours are shown but not added.
    assert [ln.hours for ln in b.lines if not ln.counts_to_total] == [Decimal("37")]


def test_minimum_block_follows_its_inputs():
    b = minimum_block(
        StaffingRules(day_min_staff=3, night_min_staff=2, team_leader_hours_per_week=Decimal("18.5"))
    )
    assert b.total == Decimal(3 * 14 * 7 + 2 * 10 * 7 + 7) + Decimal("18.5")


def test_thirds_estimate_reproduces_342_5_412_5_449_5():
    b = thirds_estimate(SEED_RESIDENTS, SEED_STAFFING)
    assert [ln.hours for ln in b.lines[:5]] == [
        Decimal("39"),
        Decimal("97.5"),
        Decimal("91"),
        Decimal("75"),
        Decimal("40"),
    ]
    assert b.subtotal("contact") == Decimal("342.5")
    assert b.subtotal("with_nights") == Decimal("412.5")
    assert b.subtotal("with_team_leader") == Decimal("449.5")
    assert b.total == Decimal("449.5")
    assert "low 13, medium 13, high 14" in b.as_text()


def test_thirds_estimate_needs_residents():
    with pytest.raises(SchemeInputError) as err:
        thirds_estimate([], SEED_STAFFING)
    assert err.value.fields == ["residents"]


def test_schedule_of_cover_reproduces_49_5_346_5_416_5_453_5():
    b = schedule_of_cover(SEED_SCHEDULE, SEED_STAFFING)
    sessions = [ln.hours for ln in b.lines[:5]]
    assert sessions == [Decimal("12.5"), Decimal("4"), Decimal("8"), Decimal("8"), Decimal("16")]
    assert b.subtotal("per_day") == Decimal("49.5")
    assert b.subtotal("per_week") == Decimal("346.5")
    assert b.subtotal("with_nights") == Decimal("416.5")
    assert b.subtotal("with_team_leader") == Decimal("453.5")
    assert b.total == Decimal("453.5")


def test_core_and_add_on_is_175_of_which_72_for_planned_care():
    b = core_and_add_on(SEED_CORE)
    assert b.total == Decimal("175")
    got = lines(b)
    assert (got["Night cover"], got["Day time cover"], got["Handover time"]) == (
        Decimal("56"),
        Decimal("112"),
        Decimal("7"),
    )
    assert b.subtotal("management_floating") == Decimal("40")
    assert b.subtotal("planned_capacity") == Decimal("72")


def test_add_on_is_demand_beyond_the_cores_planned_capacity():
    b = core_and_add_on(SEED_CORE, planned_care_demand=Decimal("342.5"))
    assert b.subtotal("add_on") == Decimal("270.5")
    assert b.total == Decimal("175")  # the add-on is bought on top, not part of the block
    assert core_and_add_on(SEED_CORE, planned_care_demand=Decimal("50")).subtotal("add_on") == Decimal("0")


def test_core_rejects_more_floating_time_than_day_hours():
    with pytest.raises(SchemeInputError) as err:
        CoreRules(management_floating_hours_per_week=Decimal("113"))
    assert err.value.fields == ["management_floating_hours_per_week"]


def test_top_up_is_about_100_hours_on_310():
    b = top_up(Decimal("400"), Decimal("310"), Decimal("50"))
    assert b.subtotal("gap") == Decimal("90")
    assert b.subtotal("top_up") == Decimal("100")
    assert b.total == Decimal("410")
    assert top_up(Decimal("360"), Decimal("310"), Decimal("50")).subtotal("top_up") == Decimal("50")


def test_top_up_validates():
    with pytest.raises(SchemeInputError) as err:
        top_up(Decimal("-1"), Decimal("310"), Decimal("0"))
    assert set(err.value.fields) == {"target", "block_hours"}


def test_phasing_minimum_then_plus_50_then_400():
    plan = phasing_plan(date(2025, 1, 31), minimum=Decimal("310"), target=Decimal("400"))
    assert [s.weekly_hours for s in plan.steps] == [Decimal("310"), Decimal("360"), Decimal("400")]
    assert [s.starts_on for s in plan.steps] == [date(2025, 1, 31), date(2025, 2, 28), date(2025, 3, 31)]
    assert plan.total == Decimal("400")
    assert plan.weekly_hours_on(date(2025, 1, 30)) == Decimal("0")
    assert plan.weekly_hours_on(date(2025, 3, 1)) == Decimal("360")


def test_phasing_can_start_from_the_phased_minimum_273():
    plan = phasing_plan(date(2025, 4, 1), phased_start=minimum_block(SEED_STAFFING, phased=True).total)
    assert [s.weekly_hours for s in plan.steps] == [
        Decimal("273"),
        Decimal("310"),
        Decimal("360"),
        Decimal("400"),
    ]


def test_phasing_rejects_target_below_minimum():
    with pytest.raises(SchemeInputError) as err:
        phasing_plan(date(2025, 4, 1), minimum=Decimal("310"), target=Decimal("300"))
    assert err.value.fields == ["target"]


def test_need_mix_gives_the_seeds_13_13_14_split():
    groups = SEED_NEED_MIX.groups_for(40)
    assert [g.count for g in groups] == [13, 13, 14]
    b = estimate_from_need_mix(40, SEED_NEED_MIX, SEED_STAFFING)
    # 13 x 3 + 13 x 7.5 + 14 x 15 (15 h stands in for the seed's spread of high packages)
    assert b.subtotal("contact") == Decimal("346.5")
    assert [g.count for g in SEED_NEED_MIX.groups_for(20)] == [6, 7, 7]
