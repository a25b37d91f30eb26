"""A bad policy is refused with every problem listed by file and line, all in one report."""

from pathlib import Path

import pytest

from selfdirect.policies.engine import PolicyError, load_policy

POLICIES = Path(__file__).resolve().parents[2] / "policies"
GOOD = (POLICIES / "northshire" / "policy-2026.yaml").read_text(encoding="utf-8")


def _break(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def _line_of(text: str, fragment: str) -> int:
    return text[: text.index(fragment)].count("\n") + 1


@pytest.fixture(scope="module")
def bad_text():
    t = GOOD
    t = _break(t, "    amount: 27000\n", "    amount: -27000\n")
    t = _break(t, "price_per_point: asc_price_per_point", "price_per_point: asc_ppp_typo")
    t = _break(t, "{answer: safety_risk_to_life, is: yes}", "{answer: safety_risk_to_lfe, is: yes}")
    t = _break(t, "from_points: 2, below_points: 6,", "from_points: 2, below_points: 7,")
    t = _break(
        t,
        "of: [care_points, housing_points]",
        "of: [care_points, housing_points, loop_points]\n  loop_points: {kind: sum, of: [total_points]}",
    )
    return t


def test_all_errors_reported_at_once_with_lines(bad_text):
    with pytest.raises(PolicyError) as info:
        load_policy(bad_text, filename="policies/northshire/policy.yaml")
    errors = info.value.errors
    by_msg = {e.message: e for e in errors}
    assert len(errors) == 5, [str(e) for e in errors]

    neg = by_msg["must not be negative"]
    assert neg.path == "rates.asc_price_per_point.amount"
    assert neg.line == _line_of(bad_text, "amount: -27000")
    assert str(neg) == (
        f"policies/northshire/policy.yaml:{neg.line}: rates.asc_price_per_point.amount: must not be negative"
    )

    missing = by_msg["missing rate: 'asc_ppp_typo' is not defined under rates"]
    assert missing.path == "streams.adult_social_care.methods.1.method.price_per_point"
    assert missing.line == _line_of(bad_text, "price_per_point: asc_ppp_typo")

    unknown = by_msg["unknown question 'safety_risk_to_lfe'"]
    assert unknown.path.startswith("eligibility.rules.0.when.any.0")
    assert unknown.line == _line_of(bad_text, "safety_risk_to_lfe")

    overlap = by_msg["band 'medium' overlaps band 'low'"]
    assert overlap.path == "streams.supporting_people.methods.0.method.bands.2.from_points"
    assert overlap.line == _line_of(bad_text, "{id: medium")

    cycle = next(e for e in errors if e.message.startswith("circular reference"))
    assert "derived total_points" in cycle.message and "derived loop_points" in cycle.message
    assert cycle.line in (
        _line_of(bad_text, "of: [care_points, housing_points, loop_points]"),
        _line_of(bad_text, "loop_points: {kind"),
    )


def test_errors_are_sorted_by_line(bad_text):
    with pytest.raises(PolicyError) as info:
        load_policy(bad_text, filename="x.yaml")
    lines = [e.line for e in info.value.errors]
    assert lines == sorted(lines)
    assert str(info.value).count("\n") == len(lines) - 1


def test_structural_and_reference_errors_together():
    t = _break(GOOD, "    amount: 1650\n", "    amount: 1650\n    colour: blue\n")
    t = _break(t, "default_band: low", "default_band: lowish")
    t = _break(t, "{derived: total_points, at_least: 8}", "{derived: total_pointz, at_least: 8}")
    with pytest.raises(PolicyError) as info:
        load_policy(t, filename="p.yaml")
    text = str(info.value)
    assert (
        f"p.yaml:{_line_of(t, 'colour: blue')}: rates.home_care_hour.colour: Extra inputs are not permitted"
        in text
    )
    assert "eligibility.default_band" in text
    assert "unknown derived value 'total_pointz'" in text


def test_stream_cycle_and_self_reference():
    t = _break(
        GOOD,
        "      - method: {kind: fixed, rate: carers_break_grant}",
        "      - method: {kind: share_of_stream, stream: supporting_people, percent: 5}",
    )
    t = _break(
        t,
        "    when: {domain_open: home_and_tenancy}\n    methods:\n      - method:\n",
        "    when: {domain_open: home_and_tenancy}\n    methods:\n"
        "      - when: {answer: hs_purchase_route, is: agency}\n"
        "        method: {kind: share_of_stream, stream: carers, percent: 5}\n      - method:\n",
    )
    with pytest.raises(PolicyError) as info:
        load_policy(t, filename="p.yaml")
    msgs = [e.message for e in info.value.errors]
    assert any(m.startswith("circular reference: stream") for m in msgs), msgs


def test_missing_matrix_cell_unknown_option_and_gap():
    t = (POLICIES / "southvale" / "policy-2026.yaml").read_text(encoding="utf-8")
    t = _break(
        t,
        "            mild: {independent_housing: 8-10, accommodation_based: 8-10}\n",
        "            mild: {independent_housing: 8-10}\n",
    )
    t = _break(t, "when: {answer: hs_need_level, is: high}", "when: {answer: hs_need_level, is: huge}")
    with pytest.raises(PolicyError) as info:
        load_policy(t, filename="s.yaml")
    msgs = [e.message for e in info.value.errors]
    assert "matrix has no hours for need 'mild' with tenure 'accommodation_based'" in msgs
    assert "'huge' is not an option of question 'hs_need_level'" in msgs

    g = _break(GOOD, "from_points: 2, below_points: 6,", "from_points: 2, below_points: 5,")
    with pytest.raises(PolicyError) as info:
        load_policy(g, filename="g.yaml")
    assert "gap between band 'low'" in str(info.value)


def test_a_matrix_range_needs_hours_in_range_and_its_lower_figure_first():
    t = (POLICIES / "southvale" / "policy-2026.yaml").read_text(encoding="utf-8")
    first_range = "hours_in_range: midpoint\n          rate: housing_support_hourly\n"
    t = _break(t, first_range, "rate: housing_support_hourly\n")
    moderate = "moderate: {independent_housing: 11-20, accommodation_based: 11-20}"
    t = _break(t, moderate, "moderate: {independent_housing: 20-11, accommodation_based: 11-20}")
    with pytest.raises(PolicyError) as info:
        load_policy(t, filename="s.yaml")
    found = {(e.path, e.message) for e in info.value.errors}
    sp = "streams.supporting_people.methods.0.method"
    asc = "streams.adult_social_care.methods.0.method"
    assert found == {
        (
            f"{sp}.cells.vulnerable.independent_housing",
            "this cell is a range of hours: say which figure of a range the council pays with "
            "hours_in_range: lower, upper or midpoint",
        ),
        (
            f"{asc}.cells.moderate.independent_housing",
            "the range runs from 20 down to 11: put the lower figure first",
        ),
    }
    # A cell that is not hours at all is refused where it stands.
    t = (POLICIES / "southvale" / "policy-2026.yaml").read_text(encoding="utf-8")
    t = _break(t, moderate, "moderate: {independent_housing: lots, accommodation_based: 11-20}")
    with pytest.raises(PolicyError) as info:
        load_policy(t, filename="s.yaml")
    (error,) = info.value.errors
    assert error.path.startswith(f"{asc}.cells.moderate.independent_housing")
    assert "'lots' is not hours a week: write a number, a range such as 10-15, or 24/7" in error.message
    assert error.line == _line_of(t, "moderate: {independent_housing: lots")


def test_rate_by_answer_needs_every_option_or_default():
    t = _break(GOOD, "            default: sp_commissioned\n", "")
    t = _break(t, "              personal_assistant: ib_personal_assistant\n", "")
    with pytest.raises(PolicyError) as info:
        load_policy(t, filename="p.yaml")
    assert "missing rate for answer 'personal_assistant' of 'hs_purchase_route'" in str(info.value)


def test_yaml_syntax_error_has_a_line():
    with pytest.raises(PolicyError) as info:
        load_policy("authority: x\nid: [unclosed\n", filename="y.yaml")
    assert info.value.errors[0].line >= 2


def test_below_threshold_must_end_with_a_catch_all():
    t = _break(
        GOOD,
        "    - route: signpost\n      text: >\n",
        "    - route: signpost\n      when: {answer: age, at_least: 65}\n      text: >\n",
    )
    with pytest.raises(PolicyError) as info:
        load_policy(t, filename="p.yaml")
    assert "nobody falls through the net" in str(info.value)


def test_content_hash_is_stable_and_ignores_comments():
    a = load_policy(GOOD, filename="a.yaml")
    b = load_policy(
        "# a comment\n" + GOOD.replace("weeks_per_year: 52", "weeks_per_year: 52  # why"), filename="b.yaml"
    )
    c = load_policy(GOOD.replace("    amount: 27000\n", "    amount: 27001\n"), filename="c.yaml")
    assert a.content_hash == b.content_hash
    assert a.content_hash != c.content_hash
    assert a.version_id == f"northshire-2026@{a.content_hash[:12]}"


def test_demo_policies_load():
    for path in sorted(POLICIES.glob("*/policy-*.yaml")):
        assert load_policy(path).authority == path.parent.name
