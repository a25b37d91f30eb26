"""Plan policy files: validated with file and line, loaded into the database, and the rules they hold."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from selfdirect.plans import policy, services
from selfdirect.plans.models import FrameworkOutcome, OutcomeFramework, PlanRules

GOOD_PLANS = (services.policies_root() / "northshire" / "plans.yaml").read_text()


def test_both_demo_authorities_policies_are_valid():
    for slug in ("northshire", "southvale"):
        folder = services.policies_root() / slug
        outcomes = policy.load_outcomes((folder / "outcomes.yaml").read_text(), slug=slug)
        rules = policy.load_plans_policy((folder / "plans.yaml").read_text(), slug=slug)
        assert [f.id for f in outcomes.frameworks] == ["supporting_people", "social_care", "local_targets"]
        # Seed 002: about 5% of plans go to the panel; reviews at least every 3 years.
        assert rules.panel.referral.expected_share_percent == 5
        assert rules.reviews.max_interval_months == 36


def test_seed_002_supporting_people_outcomes_are_in_the_framework():
    text = (services.policies_root() / "northshire" / "outcomes.yaml").read_text()
    sp = policy.load_outcomes(text).frameworks[0]
    titles = {o.code: o.title for o in sp.outcomes}
    assert titles["Stay Safe 4a"] == "Maintain accommodation and avoid eviction"
    assert titles["Stay Safe 4c iii"] == "Minimise harm or risk of harm from others"
    assert "Be Healthy 3d" in titles and "Make a Positive Contribution 5" in titles


def test_errors_name_file_line_and_path_all_at_once():
    bad = GOOD_PLANS.replace("over_budget: block", "over_budget: sometimes").replace(
        "tolerance_percent: 5", "tolerance_percent: 500"
    )
    with pytest.raises(policy.PlanPolicyError) as caught:
        policy.load_plans_policy(bad, "plans.yaml")
    found = {(p.line, p.path) for p in caught.value.problems}
    line_of = {
        key: n + 1
        for n, line in enumerate(bad.splitlines())
        for key in ["over_budget", "tolerance_percent"]
        if line.strip().startswith(key + ":")
    }
    assert (line_of["over_budget"], "budget_check.over_budget") in found
    assert (line_of["tolerance_percent"], "budget_check.tolerance_percent") in found
    assert str(caught.value).startswith("plans.yaml:")


def test_yaml_syntax_error_has_a_line():
    with pytest.raises(policy.PlanPolicyError) as caught:
        policy.load_outcomes("authority: x\nframeworks: [\n", "outcomes.yaml")
    assert caught.value.problems[0].line >= 2


def test_monitoring_rows_must_match_the_bands():
    bad = GOOD_PLANS.replace("high: [2, 4, 6]", "high: [2, 4]")
    with pytest.raises(policy.PlanPolicyError, match="visits_per_year.high needs 3 numbers"):
        policy.load_plans_policy(bad)


def test_wrong_authority_is_refused():
    with pytest.raises(policy.PlanPolicyError, match="must be 'southvale'"):
        policy.load_plans_policy(GOOD_PLANS, slug="southvale")


def test_review_interval_and_visits_follow_money_and_risk():
    rules = policy.load_plans_policy(GOOD_PLANS)
    assert rules.review_interval_months(400400, "low") == (12, "the default interval")
    months, why = rules.review_interval_months(2000000, "low")
    assert months == 6 and why.startswith("budget at least £") and "pence" not in why  # a larger budget: sooner
    assert rules.review_interval_months(100000, "high")[0] == 6  # higher risk: sooner
    assert rules.visits_per_year(400400, "low") == 0
    assert rules.visits_per_year(400400, "high") == 2
    assert rules.visits_per_year(1600000, "high") == 6


def test_load_command_loads_and_reports_problems(world, tmp_path, capsys):
    call_command("load_plan_policies", "--authority", "northshire")
    assert OutcomeFramework.objects.filter(authority=world.north.authority).count() == 3
    assert FrameworkOutcome.objects.filter(authority=world.north.authority, code="Stay Safe 4a").exists()
    assert PlanRules.objects.filter(authority=world.north.authority).count() == 1
    (tmp_path / "outcomes.yaml").write_text("authority: northshire\nframeworks: []\n")
    (tmp_path / "plans.yaml").write_text(GOOD_PLANS.replace("weeks_per_year: 52", "weeks_per_year: 12"))
    with pytest.raises(CommandError, match="2 problem"):
        call_command("load_plan_policies", "--authority", "northshire", "--dir", str(tmp_path))
    err = capsys.readouterr().err
    assert "outcomes.yaml:2: frameworks" in err and "plans.yaml:" in err and "weeks_per_year" in err
    # nothing half-written: the earlier rules stay
    assert PlanRules.objects.filter(authority=world.north.authority).count() == 1


def test_removed_outcomes_are_retired_not_deleted(world, tmp_path):
    services.load_policies(None, world.north.authority)
    text = (services.policies_root() / "northshire" / "outcomes.yaml").read_text()
    (tmp_path / "outcomes.yaml").write_text(
        text.replace(
            "      - {code: NI 136, title: People supported to live independently through social services}\n",
            "",
        )
    )
    (tmp_path / "plans.yaml").write_text(GOOD_PLANS)
    summary = services.load_policies(None, world.north.authority, tmp_path)
    assert summary.retired == 1
    assert FrameworkOutcome.objects.get(authority=world.north.authority, code="NI 136").retired
