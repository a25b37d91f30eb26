"""An approved plan's money, drafted from its indicative budget (issue 16): a budget for each funding
stream that holds money, each paid the way the allocation says (seed 002's Norfolk taper in its
phases, a Disabled Facilities Grant once), and a "mix" split as the authority's plan rules say (no
seed gives the split)."""

from __future__ import annotations

import datetime as dt

import pytest
from plans_support import DAY, activate, write_plan

from selfdirect.allocation import services as allocation
from selfdirect.assessment.models import Assessment
from selfdirect.core.constants import Role
from selfdirect.core.errors import ServiceError
from selfdirect.ledger.models import Budget, Instalment
from selfdirect.plans import services
from selfdirect.plans.constants import Deployment, Progress, RiskLevel
from selfdirect.plans.workflow import TransitionRefused
from selfdirect.settings import PROJECT_DIR

# A Southvale tenant whose tenancy needs a little help for a while (Norfolk's taper, £1,260), who
# needs a stair lift (a Disabled Facilities Grant, £4,000, paid once) and scores for personal care.
ANSWERS = {
    "client_group": "older_people", "age": 80, "tenure": "independent_housing", "ld_trigger": False,
    "pc_trigger": False, "mob_trigger": False, "eq_trigger": False, "adapt_trigger": True, "adapt_main": "stair_lift",
    "hs_need_to_move": True, "hs_settle_in": False, "hs_tenancy_threat": False, "hs_manage_finances": False,
    "hs_need_level": "low_medium", "work_trigger": False, "safety_trigger": True, "safety_risk_to_life": True,
    "carer_trigger": False,
}  # fmt: skip


def _allocated(side):
    text = (PROJECT_DIR / "policies" / "southvale" / "policy-2026.yaml").read_text()
    version = allocation.publish_file(side.users[Role.COMMISSIONER], side.authority, text, "policy-2026.yaml")
    assessment = Assessment.objects.create(
        authority=side.authority, person=side.caseload_person, policy_version=version, on=DAY,
        person_answers=ANSWERS, status="submitted",
    )  # fmt: skip
    return allocation.allocate_assessment(side.users[Role.ASSESSOR], assessment, on=DAY)


def test_each_stream_is_drafted_and_paid_the_way_its_allocation_says(world):
    side = world.south
    made = _allocated(side)
    streams = {s.stream: s.annual_pence for s in made.streams.all() if s.annual_pence}
    assert streams == {"supporting_people": 126000, "adult_social_care": 250000, "dfg": 400000}
    plan = write_plan(side, budget=made.total_annual_pence)
    assert plan.allocation_id == made.pk  # a plan starts from the person's latest indicative budget
    activate(side, plan)

    budgets = {b.stream: b for b in Budget.objects.filter(person=side.caseload_person)}
    assert {k: b.agreed_annual_pence for k, b in budgets.items()} == streams
    assert all(b.status == "agreed" and b.period_start == DAY for b in budgets.values())
    assert {b.period_end for b in budgets.values()} == {dt.date(2027, 3, 31)}  # a year, not a year and a day
    taper = budgets["supporting_people"]
    assert taper.phases == [{"weeks": 4, "weekly_pence": 5400}, {"weeks": 10, "weekly_pence": 3600},
                            {"weeks": 38, "weekly_pence": 1800}]  # fmt: skip
    first = Instalment.objects.filter(budget=taper).order_by("seq").first()
    # Four-weekly (Southvale's rule): the first four weeks carry £54 a week, not £24.23.
    assert first.amount_pence == 4 * 5400
    grant = budgets["dfg"]
    assert grant.frequency == "once"
    assert list(Instalment.objects.filter(budget=grant).values_list("due_on", "amount_pence")) == [
        (DAY, 400000)
    ]


@pytest.mark.parametrize(("slug", "shares"), [("north", {"council_managed": 80, "direct_payment": 20}),
                                             ("south", {"council_managed": 75, "direct_payment": 25})])  # fmt: skip
def test_a_mix_is_split_as_the_authoritys_plan_rules_say(world, slug, shares):
    side = getattr(world, slug)
    plan = write_plan(side)
    services.update_plan(side.users[Role.PLANNER], plan, {"deployment": Deployment.MIX}, "mix and match")
    activate(side, plan)
    budget = Budget.objects.get(person=side.caseload_person)
    assert {d.route: d.share for d in budget.deployments.all()} == shares


def test_without_a_rule_for_a_mix_the_plan_says_finance_must_draft_the_budget(world, settings, tmp_path):
    side = world.north
    rules, row = services.current_rules(side.authority)
    text = row.yaml_text[: row.yaml_text.index("\nmoney:")] + "\n"
    row.yaml_text = text
    row.save(update_fields=["yaml_text"])
    plan = write_plan(side)
    services.update_plan(side.users[Role.PLANNER], plan, {"deployment": Deployment.MIX}, "mix and match")
    with pytest.raises((TransitionRefused, ServiceError), match="do not say how a mix is split"):
        activate(side, plan)
    assert not Budget.objects.filter(person=side.caseload_person).exists()


def test_a_review_that_reassesses_a_plan_of_several_streams_changes_each_in_proportion(world):
    side = world.south
    made = _allocated(side)
    plan = write_plan(side, budget=made.total_annual_pence)  # £7,760: £1,260 + £2,500 + £4,000
    activate(side, plan)
    grant = Budget.objects.get(person=side.caseload_person, stream="dfg")
    assessor = side.users[Role.ASSESSOR]
    services.apply_transition(assessor, plan, "start_review", today=dt.date(2026, 7, 1))
    outcome = plan.outcomes.get()
    services.record_review(assessor, services.open_review(plan), {outcome.pk: (Progress.PARTLY, "")},
                           risk_level=RiskLevel.LOW, reassessment_needed=True, new_budget_pence=188000,
                           held_on=dt.date(2026, 7, 1))  # fmt: skip
    services.apply_transition(assessor, plan, "complete_review", today=dt.date(2026, 7, 1))
    replaced = {
        b.stream: b for b in Budget.objects.filter(person=side.caseload_person, replaces__isnull=False)
    }
    # The ongoing support halves, £3,760 to £1,880 a year: each stream paid in instalments is replaced at
    # half its figure, its indicative figure its own part (no "differs from the indicative" refusal).
    # The stair lift's grant is not ongoing support: it stands as agreed.
    assert {k: (b.agreed_annual_pence, b.indicative_pence) for k, b in replaced.items()} == {
        "supporting_people": (63000, 63000),
        "adult_social_care": (125000, 125000),
    }
    grant.refresh_from_db()
    assert grant.status == "agreed" and not grant.instalments.filter(cancelled=True).exists()
