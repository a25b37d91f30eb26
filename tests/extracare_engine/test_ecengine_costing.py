"""Costing worked by hand from the seed's hours (the seed gives no rates; these are illustrative)."""

from decimal import Decimal

import pytest

from selfdirect.extracare.engine import (
    SEED_CORE,
    SEED_STAFFING,
    CostedHours,
    RateCard,
    SchemeInputError,
    core_and_add_on,
    core_charge_per_flat,
    itemised_cost,
    pounds,
    single_rate_cost,
)

RATES = RateCard(
    day_rate_pence=2000,
    night_rate_pence=2100,
    team_leader_rate_pence=2500,
    leave_and_sickness_pct=Decimal(12),
    training_pct=Decimal(3),
    supervision_pct=Decimal(2),
    overheads_pct=Decimal(10),
    margin_pct=Decimal(5),
)


def test_costed_hours_of_the_minimum_block():
    h = CostedHours.from_staffing(SEED_STAFFING)
    assert (h.day_contact_hours, h.night_hours, h.handover_hours, h.team_leader_hours) == (196, 70, 7, 37)
    assert h.total_hours == Decimal(310)
    assert h.contact_hours == Decimal(266)


def test_itemised_cost_of_the_310_hour_block_by_hand():
    c = itemised_cost(CostedHours.from_staffing(SEED_STAFFING), RATES)
    got = {ln.label: ln.weekly_pence for ln in c.lines}
    # 196 x £20 = £3,920; 70 x £21 = £1,470; 7 x £20 = £140; 37 x £25 = £925 -> staff £6,455.00
    assert got["Contact (day)"] == 392000
    assert got["Night cover"] == 147000
    assert got["Handover"] == 14000
    assert got["Management (care team leader)"] == 92500
    # 12% = £774.60, 3% = £193.65, 2% = £129.10 -> £7,552.35
    assert (got["Annual leave and sickness"], got["Training"], got["Supervision"]) == (77460, 19365, 12910)
    # overheads 10% of £7,552.35 = £755.235 -> £755.24 (half up);
    # margin 5% of £8,307.59 = £415.3795 -> £415.38
    assert got["Overheads"] == 75524
    assert got["Margin"] == 41538
    assert c.weekly_pence == 872297
    assert pounds(c.weekly_pence) == Decimal("8722.97")
    assert c.annual_pence == 872297 * 52
    # loaded rate over 266 contact hours: 872297 / 266 = 3279.31... -> £32.79
    assert c.loaded_hourly_rate_pence == 3279


def test_single_rate_and_core_charge_per_flat():
    core_hours = core_and_add_on(SEED_CORE).total  # 175
    c = single_rate_cost(core_hours, 2000)
    assert c.weekly_pence == 350000  # 175 h x £20
    assert c.annual_pence == 18200000  # £182,000
    charge = core_charge_per_flat(c.weekly_pence, 40)
    assert charge.per_flat_pence == 8750  # £87.50 per flat per week
    assert charge.rounding_pence == 0
    occupied = core_charge_per_flat(c.weekly_pence, 40, occupied=30)
    assert occupied.per_flat_pence == 11667  # £116.666.. rounded up
    assert occupied.rounding_pence == 10


def test_core_costed_hours_keep_floating_time_apart():
    h = CostedHours.from_core(SEED_CORE)
    assert (h.day_contact_hours, h.night_hours, h.handover_hours, h.team_leader_hours) == (72, 56, 7, 40)
    assert h.total_hours == Decimal(175)


def test_costing_validation():
    with pytest.raises(SchemeInputError) as err:
        RateCard(
            day_rate_pence=-1, night_rate_pence=2000, team_leader_rate_pence=2000, margin_pct=Decimal(120)
        )
    assert set(err.value.fields) == {"day_rate_pence", "margin_pct"}
    with pytest.raises(SchemeInputError) as err:
        core_charge_per_flat(1000, 0)
    assert err.value.fields == ["flats"]
    with pytest.raises(SchemeInputError):
        single_rate_cost(Decimal(0), 2000).loaded_hourly_rate_pence  # noqa: B018
