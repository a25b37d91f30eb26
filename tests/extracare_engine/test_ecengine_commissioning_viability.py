"""Commissioning models A-F (seed 003 §4) and pooled-budget viability (seed 000)."""

from fractions import Fraction

import pytest

from selfdirect.extracare.engine import (
    APPRAISAL_QUESTIONS,
    MODELS,
    SEED_NEED_MIX,
    SchemeInputError,
    appraise,
    break_even_mix,
    break_even_occupancy,
    pooled_viability,
)

BUDGETS = {"low": 15000, "medium": 25000, "high": 35000}  # £150, £250, £350 a week
RATE = 2000  # planned care at £20 an hour


def test_six_models_and_nine_questions():
    assert [m.key for m in MODELS] == ["A", "B", "C", "D", "E", "F"]
    assert all(m.advantages and m.disadvantages and m.description for m in MODELS)
    assert len(APPRAISAL_QUESTIONS) == 9
    assert (
        APPRAISAL_QUESTIONS[-1].text == "Does the approach risk not being exempt from local reference rents?"
    )


def test_appraisal_is_side_by_side_with_no_verdict():
    a = appraise(["B", "c"], answers={("b", "simplicity"): "Yes, if the core is defined clearly"})
    assert [m.key for m in a.models] == ["B", "C"]
    assert len(a.cells) == 2 * 9
    assert a.cell("B", "simplicity").answer == "Yes, if the core is defined clearly"
    assert a.cell("C", "simplicity").answer is None
    assert not hasattr(a, "verdict") and not hasattr(a, "score")
    rows = a.rows()
    assert rows[0] == [
        "Question",
        "B: Core and add-on",
        "C: Block contract the whole service, with freedom of choice",
    ]
    assert len(rows) == 10


def test_appraisal_notes_are_editable_and_errors_named():
    a = appraise(["F"], notes={"F": ["Three years, then review"]})
    assert a.models[0].notes == ("Three years, then review",)
    assert MODELS[5].notes != ("Three years, then review",)  # defaults untouched
    with pytest.raises(SchemeInputError) as err:
        appraise(["G"])
    assert err.value.fields == ["model"]
    with pytest.raises(SchemeInputError):
        appraise(["A"], answers={("A", "no_such_question"): "x"})


def test_pooled_viability_by_hand():
    # Headroom: low 150 - 3 x 20 = £90, medium 250 - 7.5 x 20 = £100, high 350 - 15 x 20 = £50.
    v = pooled_viability(40, SEED_NEED_MIX, BUDGETS, 350000, RATE)
    assert [(b.band, b.residents, b.headroom_pence) for b in v.bands] == [
        ("low", 13, 9000),
        ("medium", 13, 10000),
        ("high", 14, 5000),
    ]
    assert v.pooled_headroom_pence == 13 * 9000 + 13 * 10000 + 14 * 5000 == 317000
    assert not v.pays and v.shortfall_pence == 33000
    # Core £3,500 shared by 40: £87.50 each, 58.3% of a low budget, 25% of a high one.
    assert v.bands[0].core_share_pence == 8750
    assert v.bands[2].core_share_of_budget == Fraction(1, 4)


def test_break_even_occupancy_by_hand():
    # Core £2,000 a week. 26 residents (8 low, 9 medium, 9 high):
    # 72,000 + 90,000 + 45,000 = 207,000 >= 200,000.
    # 25 residents (8, 8, 9): 72,000 + 80,000 + 45,000 = 197,000 < 200,000.
    assert break_even_occupancy(40, SEED_NEED_MIX, BUDGETS, 200000, RATE) == 26
    assert pooled_viability(25, SEED_NEED_MIX, BUDGETS, 200000, RATE).pays is False
    assert break_even_occupancy(40, SEED_NEED_MIX, BUDGETS, 350000, RATE) is None
    # Budgets sized exactly on the care package leave nothing to pool (seed 000's warning).
    exact = {"low": 6000, "medium": 15000, "high": 30000}
    assert break_even_occupancy(40, SEED_NEED_MIX, exact, 1, RATE) is None


def test_break_even_mix_finds_where_more_high_need_stops_paying():
    # At 40 residents, core £3,000: with no high-need residents the pool (20 x 90 + 20 x 100 = £3,800) pays.
    m = break_even_mix(40, SEED_NEED_MIX, "high", BUDGETS, 300000, RATE)
    assert m.pays_at_zero is True
    assert m.residents_in_band is not None
    k = m.residents_in_band
    assert pooled_viability(40, _mix_with_high(k), BUDGETS, 300000, RATE).pays is False
    assert pooled_viability(40, _mix_with_high(k - 1), BUDGETS, 300000, RATE).pays is True


def _mix_with_high(k):
    from selfdirect.extracare.engine import NeedBand, NeedMix

    s = Fraction(k, 40)
    return NeedMix(
        bands=(
            NeedBand(name="low", share=(1 - s) / 2, hours_per_week=SEED_NEED_MIX.bands[0].hours_per_week),
            NeedBand(name="medium", share=(1 - s) / 2, hours_per_week=SEED_NEED_MIX.bands[1].hours_per_week),
            NeedBand(name="high", share=s, hours_per_week=SEED_NEED_MIX.bands[2].hours_per_week),
        )
    )


def test_viability_validation_names_the_band():
    with pytest.raises(SchemeInputError) as err:
        pooled_viability(40, SEED_NEED_MIX, {"low": 1, "medium": -1, "hgih": 2}, 100, RATE)
    assert set(err.value.fields) == {"budgets.medium", "budgets.high", "budgets.hgih"}
