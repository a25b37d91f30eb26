"""The vectorised population engine equals the per-person engine to the penny; what-if and pot sizing."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from selfdirect.policies.engine import (
    Population,
    age_bands,
    allocate,
    compute_population,
    load_policy,
    size_price_per_point,
    what_if,
    with_rates,
)

POLICIES = Path(__file__).resolve().parents[2] / "policies"
NORTH = load_policy(POLICIES / "northshire" / "policy-2026.yaml")
NORTH_2027 = load_policy(POLICIES / "northshire" / "policy-2027.yaml")
SOUTH = load_policy(POLICIES / "southvale" / "policy-2026.yaml")
_SOUTH_TEXT = (POLICIES / "southvale" / "policy-2026.yaml").read_text(encoding="utf-8")
SOUTH_LOWER = load_policy(
    _SOUTH_TEXT.replace("hours_in_range: midpoint", "hours_in_range: lower"), filename="l.yaml"
)
# The Essex ranges paid at their upper end, the care rate chosen by an answer (the tenure): the
# matrix's table of hours times a rate per person.
SOUTH_UPPER = load_policy(
    _SOUTH_TEXT.replace("hours_in_range: midpoint", "hours_in_range: upper").replace(
        "          rate: care_hourly\n          cells:",
        "          rate: {question: tenure, rates: {independent_housing: care_hourly,"
        " accommodation_based: housing_support_hourly}}\n          cells:",
    ),
    filename="u.yaml",
)


def answer_strategy(q):
    if q.type == "yes_no":
        return st.booleans()
    if q.type == "single_choice":
        return st.sampled_from([o.value for o in q.options])
    if q.type == "multiple_choice":
        return st.lists(st.sampled_from([o.value for o in q.options]), unique=True)
    if q.type == "number":
        lo = int(q.min if q.min is not None else 0)
        hi = int(q.max if q.max is not None else 100)
        step = Decimal(1).scaleb(-q.decimals)
        return st.integers(lo * 10**q.decimals, hi * 10**q.decimals).map(lambda v: Decimal(v) * step)
    return st.text(max_size=5)


def person(policy):
    """Any subset of the questions answered, with any valid answers."""
    return st.fixed_dictionaries(
        {}, optional={qid: answer_strategy(q) for qid, q in policy.questions.items()}
    )


def check_equal(policy, people):
    pop = Population.from_answers(people, [policy])
    result = compute_population(policy, pop)
    for i, answers in enumerate(people):
        one = allocate(policy, answers, on=policy.effective_from, require_complete=False)
        got = {k: int(v[i]) for k, v in result.streams.items()}
        assert got == one.annual_by_stream(), (answers, got, one.annual_by_stream())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(person(NORTH), min_size=1, max_size=8))
def test_vectorised_equals_scalar_northshire(people):
    check_equal(NORTH, people)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(person(NORTH_2027), min_size=1, max_size=6))
def test_vectorised_equals_scalar_northshire_2027(people):
    check_equal(NORTH_2027, people)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(person(SOUTH), min_size=1, max_size=8))
def test_vectorised_equals_scalar_southvale(people):
    check_equal(SOUTH, people)


@settings(max_examples=25, deadline=None)
@given(
    price=st.integers(0, 10**8).map(lambda v: Decimal(v) / 10**4), people=st.lists(person(NORTH), max_size=5)
)
def test_vectorised_equals_scalar_with_fractional_prices(price, people):
    check_equal(with_rates(NORTH, {"asc_price_per_point": price}), people)


def _sample():
    base = {
        "pc_trigger": True,
        "pc_washing": "all",
        "pc_dressing": "all",
        "pc_toilet": True,
        "hs_tenancy_threat": True,
        "hs_purchase_route": "specialist",
    }
    people = [
        {**base, "client_group": "older_people", "age": 82},
        {
            **base,
            "client_group": "learning_disability",
            "age": 30,
            "mob_trigger": True,
            "mob_indoors": "hoist",
        },
        {"client_group": "older_people", "age": 70, "hs_tenancy_threat": True},
        {"client_group": "mental_health", "age": 45},
    ]
    groups = {
        "client_group": [p["client_group"] for p in people],
        "age_band": age_bands([p["age"] for p in people]),
    }
    return Population.from_answers(people, [NORTH, NORTH_2027], groups=groups)


def test_what_if_between_versions():
    pop = _sample()
    report = what_if(NORTH, NORTH_2027, pop)
    assert report["people"] == 4
    asc = report["streams"]["adult_social_care"]
    assert asc["base_pence"] == (24 + 32) * 27000  # personal care 24 points; + hoist 8
    assert asc["proposed_pence"] == (24 + 32) * 28000
    sp = report["streams"]["supporting_people"]
    # low band 2 h -> 1.5 h a week for 52 weeks: two at £18 (specialist), one at the default £15
    assert sp["change_pence"] == 2 * (140400 - 187200) + (117000 - 156000)
    assert report["winners"] + report["losers"] + report["unchanged"] == 4
    assert report["unchanged"] == 1  # signposted person
    assert set(report["groups"]["age_band"]) == {"18-64", "65-74", "75-84"}
    assert report["groups"]["client_group"]["mental_health"]["base_pence"] == 0
    assert set(report["distribution"]["base"]) == {"p10", "p25", "p50", "p75", "p90", "mean"}


def test_price_per_point_from_pot():
    pop = _sample()
    sizing = size_price_per_point(NORTH, pop, "adult_social_care", pot_pence=2_000_000)
    assert sizing.total_points == Decimal(56) and sizing.people_scored == 2
    assert sizing.price_per_point_pence == Decimal("35714.2857")  # 2,000,000p / 56 points, rounded down
    assert (
        abs(sizing.projected_spend_pence - 2_000_000) <= 100 * sizing.people_scored
    )  # nearest-pound rounding
    with pytest.raises(ValueError):
        size_price_per_point(NORTH, pop, "supporting_people", 1)


def test_age_bands():
    assert age_bands([18, 64, 65, 90, None]) == ["18-64", "18-64", "65-74", "85+", "unknown"]


def test_allocate_date_is_recorded():
    a = allocate(NORTH, {}, on=dt.date(2026, 6, 1), require_complete=False)
    assert a.on == dt.date(2026, 6, 1)


def _random_people(policy, rng, n):
    """People answering a random share of the questions (so domains open and close every way)."""

    def answer(q):
        if q.type == "yes_no":
            return rng.random() < 0.5
        if q.type == "single_choice":
            return rng.choice(q.options).value
        if q.type == "multiple_choice":
            return [o.value for o in q.options if rng.random() < 0.4]
        if q.type == "number":
            lo, hi = int(q.min or 0), int(q.max if q.max is not None else 100)
            return Decimal(rng.randint(lo * 100, hi * 100)) / 100 if q.decimals == 2 else rng.randint(lo, hi)
        return "x"

    people = []
    for _ in range(n):
        share = rng.random()
        people.append({qid: answer(q) for qid, q in policy.questions.items() if rng.random() < share})
    return people


@pytest.mark.parametrize(
    "policy",
    [
        NORTH,
        NORTH_2027,
        SOUTH,
        SOUTH_LOWER,
        SOUTH_UPPER,
        with_rates(NORTH, {"asc_price_per_point": Decimal("12345.6789")}),
    ],
    ids=[
        "northshire-2026",
        "northshire-2027",
        "southvale-2026",
        "southvale-ranges-lower",
        "southvale-ranges-upper-rate-by-answer",
        "northshire-fractional-price",
    ],
)
def test_compiled_plan_equals_scalar_over_many_random_people(policy):
    """The compiled plan (int32 scores, folded weights, masks by arithmetic, band tables) against
    the per-person engine for 400 people at once, every one to the penny."""
    import random

    people = _random_people(policy, random.Random(7), 400)
    check_equal(policy, people)
    result = compute_population(policy, Population.from_answers(people, [policy]))
    assert sum(int((v > 0).sum()) for v in result.streams.values()) > 100  # not a test of zeros


def test_a_huge_price_per_point_does_not_wrap_int64():
    """80 points x £1.2bn a point passes 2**63 in fixed point: the plan must notice and stay exact
    (the stream's £50,000 maximum then applies, as in the per-person path)."""
    import random

    policy = with_rates(NORTH, {"asc_price_per_point": Decimal("123456789012.3456")})
    people = _random_people(policy, random.Random(3), 150)
    check_equal(policy, people)
    result = compute_population(policy, Population.from_answers(people, [policy]))
    assert int(result.streams["adult_social_care"].max()) == 5_000_000
