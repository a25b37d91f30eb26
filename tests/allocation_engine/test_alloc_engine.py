"""Questionnaire logic, eligibility routes, each method's arithmetic and the explanation lines."""

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from selfdirect.policies.engine import (
    AnswerError,
    AssessmentIncomplete,
    AssessorDecision,
    allocate,
    applicable_questions,
    determine_eligibility,
    load_policy,
    load_policy_dir,
    missing_answers,
    validate_answer,
)
from selfdirect.policies.engine.money import FP, div_round, format_pence, round_fp_to_pence

POLICIES = Path(__file__).resolve().parents[2] / "policies"
ON = dt.date(2026, 5, 1)


@pytest.fixture(scope="module")
def north():
    return load_policy(POLICIES / "northshire" / "policy-2026.yaml")


@pytest.fixture(scope="module")
def south():
    return load_policy(POLICIES / "southvale" / "policy-2026.yaml")


def test_trigger_opens_detailed_questions(north):
    before = {q.id for q in applicable_questions(north, {})}
    assert {"hs_need_to_move", "hs_settle_in", "hs_tenancy_threat", "hs_manage_finances"} <= before
    assert "hs_avoid_eviction" not in before
    after = {q.id for q in applicable_questions(north, {"hs_settle_in": "yes"})}
    assert "hs_avoid_eviction" in after and "pc_washing" not in after


def test_staff_tags_and_wording(north):
    q = north.questions["hs_avoid_eviction"]
    assert q.tags == ["Stay Safe 4a"]
    assert q.person != q.staff


def test_missing_answers_in_order(north):
    missing = [m.question_id for m in missing_answers(north, {"pc_trigger": True})]
    assert missing[:5] == ["client_group", "age", "pc_washing", "pc_dressing", "pc_toilet"]
    assert "hs_avoid_eviction" not in missing


def test_incomplete_assessment_refused(north):
    with pytest.raises(AssessmentIncomplete) as info:
        allocate(north, {"pc_trigger": True}, on=ON)
    assert "pc_washing" in str(info.value)


@pytest.mark.parametrize(
    ("qid", "value", "fragment"),
    [
        ("age", 130, "'How old are you?' (age): must be at most 120"),
        ("age", 17, "must be at least 18"),
        ("age", "12.5", "at most 0 decimal places"),
        ("pc_washing", "sometimes", "(pc_washing): 'sometimes' is not one of"),
        ("pc_toilet", "maybe", "(pc_toilet): answer yes or no"),
        ("soc_activities", ["friends", "golf"], "(soc_activities): 'golf' not among"),
    ],
)
def test_bad_answer_names_the_question(north, qid, value, fragment):
    problem = validate_answer(north, qid, value)
    assert problem is not None and fragment in problem.message
    with pytest.raises(AnswerError):
        allocate(north, {qid: value}, on=ON, require_complete=False)


def test_eligibility_routes(north):
    assert determine_eligibility(north, {}).route == "signpost"
    housing = determine_eligibility(north, {"hs_tenancy_threat": True})
    assert (housing.band, housing.route, housing.funded_streams) == (
        "low",
        "housing_support_only",
        ("supporting_people",),
    )
    over = determine_eligibility(north, {}, override=AssessorDecision("critical", "carer breakdown imminent"))
    assert over.funded and over.derived_band == "low" and over.overridden
    assert "carer breakdown imminent" in over.staff_text
    with pytest.raises(ValueError):
        AssessorDecision("critical", "  ")


def test_policy_not_in_force(north):
    with pytest.raises(ValueError, match="not in force"):
        allocate(north, {}, on=dt.date(2025, 1, 1), require_complete=False)


def test_version_chosen_by_date():
    ps = load_policy_dir(POLICIES / "northshire")
    assert ps.for_date(dt.date(2026, 4, 1)).id == "northshire-2026"
    assert ps.for_date(dt.date(2027, 4, 1)).id == "northshire-2027"


def test_norfolk_schedule_explained(south):
    a = allocate(
        south,
        {"client_group": "mental_health", "hs_tenancy_threat": True, "hs_need_level": "low_medium"},
        on=ON,
        require_complete=False,
    )
    sp = a.streams["supporting_people"]
    assert sp.annual_pence == 126000 and sp.method == "diminishing_schedule"
    assert [line.amount_pence for line in sp.lines] == [21600, 36000, 68400]
    assert a.rates_used == {"norfolk_hourly": "£18.00"}
    assert all(line.policy_version == south.version_id for line in a.lines)


LD = {"client_group": "learning_disability", "ld_trigger": True, "hs_settle_in": True}


def test_essex_matrix_explains_the_range_and_the_figure_paid(south):
    # Seed 002's Essex table: moderate learning difficulties 5-7 housing-support hours and 11-20
    # care hours; Southvale pays the middle: 6 h x £16 x 52 = £4,992, 15.5 h x £17.50 x 52 = £14,105.
    a = allocate(south, {**LD, "tenure": "accommodation_based", "ld_need_level": "moderate"}, on=ON,
                 require_complete=False)  # fmt: skip
    (sp,) = a.streams["supporting_people"].lines
    assert sp.amount_pence == 499200
    assert sp.person_text == (
        "For your level of need and where you live, the council's guide is 5-7 hours a week, and it "
        "pays the middle of that range: 6 hours a week at £16.00 an hour."
    )
    assert sp.staff_text.startswith(
        "matrix: ld_need_level=moderate, tenure=accommodation_based -> 5-7 h/wk, midpoint = 6 h/wk "
        "x housing_support_hourly £16.00/h x 52 weeks = £4,992.00"
    )
    care = a.streams["adult_social_care"]
    assert care.annual_pence == 1410500 and care.method == "matrix"
    assert "11-20 h/wk, midpoint = 15.5 h/wk x care_hourly £17.50/h" in care.lines[0].staff_text
    # A single figure is shown as itself; 24/7 is round the clock, 168 hours a week.
    a = allocate(south, {**LD, "tenure": "independent_housing", "ld_need_level": "complex"}, on=ON,
                 require_complete=False)  # fmt: skip
    (sp,) = a.streams["supporting_people"].lines
    assert sp.amount_pence == 0 and "allows 0 hours a week at £16.00 an hour" in sp.person_text
    care = a.streams["adult_social_care"]
    assert care.lines[0].person_text == (
        "For your level of need and where you live, the council allows care round the clock (24/7), "
        "168 hours a week, at £17.50 an hour."
    )
    assert "-> 24/7 = 168 h/wk x care_hourly £17.50/h x 52 weeks = £152,880.00" in care.lines[0].staff_text
    assert care.annual_pence == 6_000_000 and care.lines[-1].step == "limit"


@pytest.mark.parametrize(("where", "sp", "care"), [("lower", 416000, 1001000), ("upper", 582400, 1820000)])
def test_the_policy_says_where_in_a_range_it_pays(south, where, sp, care):
    # Moderate: 5-7 h at £16 and 11-20 h at £17.50, 52 weeks. Lower: 5 h = £4,160 and 11 h =
    # £10,010; upper: 7 h = £5,824 and 20 h = £18,200.
    text = (POLICIES / "southvale" / "policy-2026.yaml").read_text(encoding="utf-8")
    policy = load_policy(
        text.replace("hours_in_range: midpoint", f"hours_in_range: {where}"), filename="s.yaml"
    )
    a = allocate(policy, {**LD, "tenure": "independent_housing", "ld_need_level": "moderate"}, on=ON,
                 require_complete=False)  # fmt: skip
    assert a.annual_by_stream()["supporting_people"] == sp
    assert a.annual_by_stream()["adult_social_care"] == care


def test_explanation_lines_sum_and_serialise(north):
    answers = {
        "pc_trigger": True,
        "pc_washing": "all",
        "pc_dressing": "some",
        "mob_trigger": True,
        "mob_indoors": "hoist",
        "carer_trigger": True,
        "informal_care_hours": 30,
        "carer_needs_break": True,
        "soc_trigger": True,
        "soc_activities": ["transport"],
    }
    a = allocate(north, answers, on=ON, require_complete=False)
    for s in a.streams.values():
        assert sum(line.amount_pence for line in s.lines) == s.annual_pence
    steps = [line.step for line in a.streams["adult_social_care"].lines]
    assert steps[:2] == ["points", "adjustment"]
    data = json.loads(a.to_json())
    assert data["total_annual_pence"] == a.total_annual_pence
    assert data["indicative"] is True
    assert data["lines"][0]["policy_hash"] == north.content_hash
    assert data["rates_used"]["asc_price_per_point"] == "£270.00"
    # 20.5 points x £270 = £5,535; less 10% = £4,981.50 -> nearest pound £4,982 (rounding line +50p)
    asc = a.streams["adult_social_care"]
    assert asc.annual_pence == 498200
    assert [line.amount_pence for line in asc.lines] == [553500, -55350, 50]


def test_maximum_limits_and_is_explained(north):
    t = (POLICIES / "northshire" / "policy-2026.yaml").read_text(encoding="utf-8")
    low_max = load_policy(t.replace("    maximum: 5000000\n", "    maximum: 500000\n"), filename="m.yaml")
    a = allocate(
        low_max,
        {"pc_trigger": True, "pc_washing": "all", "pc_dressing": "all", "pc_toilet": True},
        on=ON,
        require_complete=False,
    )
    asc = a.streams["adult_social_care"]
    assert asc.annual_pence == 500000
    assert asc.lines[-1].step == "limit" and asc.lines[-1].amount_pence == 500000 - 648000


def test_money_helpers():
    assert format_pence(126000) == "£1,260.00"
    assert format_pence(-5) == "−£0.05"
    assert div_round(5, 10) == 1 and div_round(4, 10) == 0
    assert round_fp_to_pence(12_345 * FP + 1, "pound", "up") == 12_400
    assert round_fp_to_pence(12_349 * FP, "pound", "down") == 12_300
    assert round_fp_to_pence(12_350 * FP, "pound", "nearest") == 12_400
    assert isinstance(Decimal(1), Decimal)
