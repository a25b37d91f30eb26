"""Questionnaire tags and support-plan framework outcomes are the same codes with the same
meaning: every tag on a question of every policy under policies/ is a code its authority's
outcomes.yaml defines, and means what the question asks about.

Meaning cannot be read by a machine, so MEANT is the reading, by a person, of every tagged
question: its wording and the outcome titles its tags must carry. A new tag, or a changed code
or title in outcomes.yaml, fails here until someone has read the two side by side. (The
framework outcomes, with seed 002's needs-assessment example: Stay Safe 4a on keeping a
tenancy and reporting repairs, 4b on statutory orders, 4c iii on safety and alarms, Be Healthy
3d on assistive technology, Make a Positive Contribution 5 on complaints.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from selfdirect.plans.policy import load_outcomes
from selfdirect.policies.engine import load_policy

POLICIES = Path(__file__).resolve().parents[2] / "policies"

KEEP_HOME = "Maintain accommodation and avoid eviction"
SAFE_FROM_OTHERS = "Minimise harm or risk of harm from others"
MEANT: dict[str, set[str]] = {
    # "Is your tenancy under threat?" / "... support to keep your tenancy (rent arrears)?"
    "hs_tenancy_threat": {KEEP_HOME},
    "hs_avoid_eviction": {KEEP_HOME},
    # "Do you need help to report or chase up repairs?" (seed 002: Stay Safe 4a)
    "hs_repairs": {KEEP_HOME},
    # Southvale's assessor's judgement of housing-related support need
    "hs_need_level": {KEEP_HOME},
    # "Do you need help to manage your finances?": income and debt
    "hs_manage_finances": {
        "Maximise income including receipt of correct welfare benefits",
        "Reduce overall debt",
    },
    # "Do you need help to claim the benefits you are entitled to?"
    "fin_benefits": {"Maximise income including receipt of correct welfare benefits"},
    # "Do you need help to budget and pay bills?" (budgeting and basic life skills): not paid work
    "fin_budgeting": {"Reduce overall debt"},
    # "... keep yourself and your home safe and secure?"; "Has anyone hurt you ...?"
    "hs_keep_safe": {SAFE_FROM_OTHERS},
    "safety_abuse": {SAFE_FROM_OTHERS},
    # "Do you need help to comply with any court orders?"
    "hs_court_orders": {"Comply with statutory orders and related processes re offending behaviour"},
    # "... use an alarm or door entry system?" (seed 002: Stay Safe 4c iii and Be Healthy 3d)
    "hs_alarm": {
        SAFE_FROM_OTHERS,
        "Need for assistive technology, aids and adaptations to help maintain independence",
    },
    # "If you had to complain about something, would you need support to do so?"
    "hs_complaints": {"Develop confidence and ability to have greater choice, control and involvement"},
}

POLICY_FILES = sorted(POLICIES.glob("*/policy-*.yaml"))


def outcome_titles(authority_dir: Path) -> dict[str, str]:
    text = (authority_dir / "outcomes.yaml").read_text(encoding="utf-8")
    outcomes = load_outcomes(text, str(authority_dir / "outcomes.yaml"), authority_dir.name)
    return {o.code: o.title for f in outcomes.frameworks for o in f.outcomes}


def tagged_questions(policy_file: Path):
    policy = load_policy(policy_file)
    for domain in policy.model.questionnaire.domains:
        for q in (*domain.triggers, *domain.questions):
            if q.tags:
                yield q


def test_policies_were_found():
    assert {p.parent.name for p in POLICY_FILES} >= {"northshire", "southvale"}


@pytest.mark.parametrize("policy_file", POLICY_FILES, ids=[f"{p.parent.name}/{p.name}" for p in POLICY_FILES])
def test_every_tag_is_an_outcome_of_the_authority_and_means_what_the_question_asks(policy_file):
    titles = outcome_titles(policy_file.parent)
    tagged = list(tagged_questions(policy_file))
    assert tagged, "the policy tags no question"
    for q in tagged:
        unknown = [t for t in q.tags if t not in titles]
        assert not unknown, (
            f"{policy_file.name}: {q.id} is tagged {unknown}, which outcomes.yaml does not define"
        )
        assert q.id in MEANT, (
            f"{policy_file.name}: read {q.id!r} ({q.staff}) against its tags and add it to MEANT"
        )
        assert {titles[t] for t in q.tags} == MEANT[q.id], (policy_file.name, q.id, q.staff, q.tags)
