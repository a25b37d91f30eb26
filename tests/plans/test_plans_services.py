"""Writing a plan, the money arithmetic, the workflow, the panel, appeals, reviews and refusals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import plans_support
import pytest
from plans_support import DAY, write_plan

from selfdirect.core.constants import Role
from selfdirect.core.errors import ServiceError
from selfdirect.core.models import AuditEvent
from selfdirect.plans import services
from selfdirect.plans.constants import Frequency, LineKind, PlanState, Progress, RefusalReason, RiskLevel
from selfdirect.plans.models import PanelReferral, PlanTransition, Review, SupportPlan
from selfdirect.plans.workflow import TRANSITIONS, TransitionForbidden, TransitionRefused


def line(description, quantity, frequency, cost, category="personal_care", kind=LineKind.SERVICE):
    return {"kind": kind, "category": category, "description": description, "supplier": "", "unit": "hour",
            "quantity": Decimal(quantity), "frequency": frequency, "unit_cost_pence": cost}  # fmt: skip


def test_annual_cost_is_exact():
    # Seed 001 Mrs W: a PA for an hour each day; seed 002: IB-bought support at £8-11 an hour.
    assert services.annual_pence(1100, Decimal(7), Frequency.WEEK) == 400400
    assert services.annual_pence(1100, Decimal(7), Frequency.WEEK, 53) == 408100
    assert services.annual_pence(450, Decimal(1), Frequency.MONTH) == 5400
    assert services.annual_pence(60000, Decimal(1), Frequency.ONE_OFF) == 60000
    assert services.annual_pence(333, Decimal("1.5"), Frequency.YEAR) == 500  # 499.5 rounds half up
    assert services.annual_pence(1, Decimal("0.01"), Frequency.WEEK) == 1  # 0.52p rounds up to 1p


def test_norfolk_tapering_support_totals_1260_pounds(world):
    # Seed 002: 3 h/week for 4 weeks, 2 h for 10 weeks, 1 h for 38 weeks at £18/h = £1,260 a year.
    plan = write_plan(world.north, budget=126000)
    services.delete_line(world.north.users[Role.PLANNER], plan.lines.get())
    for hours in ("12", "20", "38"):
        services.save_line(
            world.north.users[Role.PLANNER],
            plan,
            line("Housing support", hours, Frequency.ONE_OFF, 1800, "housing_support"),
        )
    assert plan.annual_total_pence == 126000
    rules, _ = services.current_rules(world.north.authority)
    assert services.check_budget(plan, rules).level == "ok"


def test_budget_check_warns_within_tolerance_and_blocks_beyond_in_northshire(world):
    rules, _ = services.current_rules(world.north.authority)
    plan = write_plan(world.north, budget=390000)  # 400400 is 10400 over; 5% tolerance is 19500
    check = services.check_budget(plan, rules)
    assert (check.level, check.difference_pence) == ("warn", 10400)
    assert "£104.00 over the budget of £3,900.00" in check.message
    services.update_plan(world.north.users[Role.ASSESSOR], plan, {"indicative_budget_pence": 300000}, "test")
    plan.refresh_from_db()
    check = services.check_budget(plan, rules)
    assert check.level == "block"
    assert "£1,004.00 over" in check.message and "at least £854.00" in check.message  # 100400 - 15000
    with pytest.raises(TransitionRefused) as refused:
        services.apply_transition(world.north.users[Role.ASSESSOR], plan, "submit", today=DAY)
    assert any("over the budget" in m for m in refused.value.messages)


def test_southvale_only_warns_when_over_budget(world):
    plan = write_plan(world.south, budget=300000)
    rules, _ = services.current_rules(world.south.authority)
    assert services.check_budget(plan, rules).level == "warn"
    services.apply_transition(world.south.users[Role.ASSESSOR], plan, "submit", today=DAY)
    assert SupportPlan.objects.get(pk=plan.pk).state == PlanState.SUBMITTED


def test_under_budget_says_how_much_is_not_planned(world):
    plan = write_plan(world.north, budget=600000)
    rules, _ = services.current_rules(world.north.authority)
    check = services.check_budget(plan, rules)
    assert check.level == "under" and "£1,996.00 of the £6,000.00 budget is not planned" in check.message


def test_missing_risk_answers_block_submission_with_a_list(world, written):
    services.update_plan(
        world.north.users[Role.PLANNER], written, {"risk_risks": "", "risk_manage": " "}, "test"
    )
    with pytest.raises(TransitionRefused) as refused:
        services.apply_transition(world.north.users[Role.ASSESSOR], written, "submit", today=DAY)
    assert refused.value.messages == [
        "Answer the risk question: What risks might that bring?",
        "Answer the risk question: How are you going to manage those risks?",
    ]
    assert SupportPlan.objects.get(pk=written.pk).state == PlanState.DRAFT
    assert not PlanTransition.objects.exists()


def test_an_empty_plan_lists_everything_missing(world):
    plan = services.create_plan(world.north.users[Role.PLANNER], world.north.caseload_person, today=DAY)
    rules, _ = services.current_rules(world.north.authority)
    problems = services.submission_problems(plan, rules)
    assert len([p for p in problems if p.startswith("Answer the risk question")]) == 4
    assert "Add at least one outcome the person wants to achieve" in problems
    assert "Choose who holds the money" in problems


def test_line_validation_names_fields(world, written):
    with pytest.raises(ServiceError) as err:
        services.save_line(world.north.users[Role.PLANNER], written, {"kind": "x", "category": "casino", "frequency": "daily",
                                                                     "quantity": Decimal("0"), "unit_cost_pence": -1})  # fmt: skip
    assert set(err.value.errors) == {
        "kind",
        "category",
        "frequency",
        "description",
        "unit",
        "quantity",
        "unit_cost_pence",
    }


def test_the_whole_journey_with_panel_conditions_and_a_review(world):
    side = world.north
    assessor, panel, broker = side.users[Role.ASSESSOR], side.users[Role.PANEL], side.users[Role.PLANNER]
    plan = write_plan(side, risk=RiskLevel.HIGH)
    services.apply_transition(assessor, plan, "submit", today=DAY)
    with pytest.raises(TransitionRefused, match="refer it to the risk enablement panel"):
        services.apply_transition(assessor, plan, "approve", today=DAY)
    services.apply_transition(assessor, plan, "refer", "Lives alone and has fallen", today=DAY)
    referral = PanelReferral.objects.get(plan=plan)
    assert referral.meeting.meets_on == DAY  # Wednesday: the weekly meeting is that day
    assert referral.reasons[0].startswith("Risk is high")
    services.record_attendance(panel, referral, "attended", "Sam Okafor (son)")
    with pytest.raises(ServiceError):
        services.apply_transition(panel, plan, "panel_conditions", "ok", data={"conditions": ""}, today=DAY)
    services.apply_transition(panel, plan, "panel_conditions", "Risks understood",
                              data={"conditions": "A falls assessment within 4 weeks", "minutes": "Discussed falls"}, today=DAY)  # fmt: skip
    plan.refresh_from_db()
    assert (plan.state, plan.conditions) == (PlanState.APPROVED, "A falls assessment within 4 weeks")
    services.apply_transition(assessor, plan, "activate", today=DAY)
    plan.refresh_from_db()
    assert plan.state == PlanState.ACTIVE
    # High risk: reviewed after 6 months, not 12; 2 light-touch visits a year for a budget under £5,000.
    assert plan.review_on == dt.date(2026, 10, 1) and plan.visits_per_year == 2
    assert plan.visits.count() == 0  # the six-monthly visit would fall on the review itself
    # The review, six months on
    services.apply_transition(assessor, plan, "start_review", today=dt.date(2026, 10, 1))
    outcome = plan.outcomes.get()
    review = services.open_review(plan)
    with pytest.raises(ServiceError, match="1 not answered"):
        services.record_review(assessor, review, {}, risk_level=RiskLevel.MEDIUM)
    services.record_review(assessor, review, {outcome.pk: (Progress.MOSTLY, "Rent paid")}, risk_level=RiskLevel.MEDIUM,
                           held_on=dt.date(2026, 10, 1))  # fmt: skip
    services.apply_transition(assessor, plan, "complete_review", today=dt.date(2026, 10, 1))
    plan.refresh_from_db()
    assert plan.state == PlanState.ACTIVE and plan.risk_level == RiskLevel.MEDIUM
    assert plan.review_on == dt.date(2027, 10, 1)  # medium risk, small budget: yearly
    assert Review.objects.filter(plan=plan, held_on__isnull=True).get().due_on == dt.date(2027, 10, 1)
    actions = list(plan.transitions.values_list("action", flat=True))
    assert actions == ["submit", "refer", "panel_conditions", "activate", "start_review", "complete_review"]
    assert AuditEvent.objects.filter(
        object_type="plans.supportplan", object_id=str(plan.pk), reason__startswith="Approve with conditions"
    ).exists()
    del broker


def test_repeating_a_transition_is_a_no_op(world, written):
    assessor = world.north.users[Role.ASSESSOR]
    assert services.apply_transition(assessor, written, "submit", today=DAY) is not None
    assert services.apply_transition(assessor, written, "submit", today=DAY) is None
    assert PlanTransition.objects.filter(plan=written).count() == 1


def test_impossible_transition_is_refused_with_a_message(world, written):
    with pytest.raises(
        TransitionRefused,
        match="The plan is draft; you can sign off the plan only when it is waiting for sign-off",
    ):
        services.apply_transition(world.north.users[Role.ASSESSOR], written, "approve", today=DAY)


def test_returning_needs_a_reason_and_goes_back_to_draft(world, written):
    assessor = world.north.users[Role.ASSESSOR]
    services.apply_transition(assessor, written, "submit", today=DAY)
    with pytest.raises(ServiceError, match="Give a reason"):
        services.apply_transition(assessor, written, "return", "", today=DAY)
    services.apply_transition(assessor, written, "return", "Say more about evenings", today=DAY)
    services.apply_transition(world.north.users[Role.PLANNER], written, "redraft", today=DAY)
    written.refresh_from_db()
    assert written.state == PlanState.DRAFT
    assert written.transitions.get(action="return").reason == "Say more about evenings"


def decline(world, plan):
    assessor, panel = world.north.users[Role.ASSESSOR], world.north.users[Role.PANEL]
    services.apply_transition(assessor, plan, "submit", today=DAY)
    services.apply_transition(assessor, plan, "refer", "Unusual", today=DAY)
    services.apply_transition(panel, plan, "panel_decline", "Too risky", today=DAY)


def test_appeal_is_heard_by_someone_who_did_not_decide(world, written):
    decline(world, written)
    services.apply_transition(
        world.north.users[Role.ASSESSOR], written, "appeal", "The person disagrees", today=DAY
    )
    with pytest.raises(TransitionForbidden, match="did not make the decision"):
        services.apply_transition(world.north.users[Role.PANEL], written, "uphold_appeal", "ok", today=DAY)
    services.apply_transition(
        world.north.users[Role.ADMIN], written, "uphold_appeal", "Risks are manageable", today=DAY
    )
    written.refresh_from_db()
    assert written.state == PlanState.APPROVED
    appeal = written.appeals.get()
    assert (appeal.outcome, appeal.heard_by) == ("upheld", world.north.users[Role.ADMIN])


def test_a_decision_is_appealed_once(world, written):
    decline(world, written)
    services.apply_transition(world.north.users[Role.ASSESSOR], written, "appeal", "Disagree", today=DAY)
    services.apply_transition(
        world.north.users[Role.ADMIN], written, "dismiss_appeal", "Decision stands", today=DAY
    )
    with pytest.raises(TransitionRefused, match="already been appealed"):
        services.apply_transition(world.north.users[Role.ASSESSOR], written, "appeal", "Again", today=DAY)


def activate(world, plan):
    plans_support.activate(world.north, plan)


def test_withdrawal_needs_a_review_showing_outcomes_not_met(world, written):
    assessor = world.north.users[Role.ASSESSOR]
    activate(world, written)
    with pytest.raises(TransitionRefused, match="after a review finds outcomes are not being met"):
        services.apply_transition(assessor, written, "give_notice", "Not working", today=DAY)
    services.apply_transition(assessor, written, "start_review", today=DAY)
    outcome = written.outcomes.get()
    services.record_review(assessor, services.open_review(written), {outcome.pk: (Progress.NOT_AT_ALL, "Evicted")},
                           risk_level=RiskLevel.HIGH, held_on=DAY)  # fmt: skip
    services.apply_transition(assessor, written, "give_notice", "Outcomes not being achieved", today=DAY)
    written.refresh_from_db()
    assert written.state == PlanState.WITHDRAWAL_NOTICE
    assert written.funding_ends_on == DAY + dt.timedelta(days=28)  # Northshire gives 28 days' notice
    services.apply_transition(assessor, written, "end", "Notice period over", today=DAY)
    written.refresh_from_db()
    assert written.state == PlanState.ENDED and written.review_on is None


def test_light_touch_visits_follow_budget_and_risk(world):
    plan = write_plan(world.north, risk=RiskLevel.MEDIUM)  # £4,004 a year, medium risk: 1 visit a year
    activate(world, plan)
    plan.refresh_from_db()
    assert plan.visits_per_year == 1 and plan.visits.count() == 0
    plan = write_plan(
        world.north, world.north.self_person, budget=800000, pa_hours="14", risk=RiskLevel.MEDIUM
    )
    activate(
        world, plan
    )  # £8,008 a year is in the second band: 2 visits a year, one before the yearly review
    plan.refresh_from_db()
    assert plan.visits_per_year == 2
    assert list(plan.visits.values_list("due_on", flat=True)) == [dt.date(2026, 10, 1)]


def test_reassessment_at_review_changes_the_budget(world, written):
    assessor = world.north.users[Role.ASSESSOR]
    activate(world, written)
    services.apply_transition(assessor, written, "start_review", today=DAY)
    outcome = written.outcomes.get()
    with pytest.raises(ServiceError, match="follows a reassessment"):
        services.record_review(assessor, services.open_review(written), {outcome.pk: (Progress.FULLY, "")},
                               risk_level=RiskLevel.LOW, new_budget_pence=450000)  # fmt: skip
    october = dt.date(2026, 10, 1)
    services.record_review(assessor, services.open_review(written), {outcome.pk: (Progress.PARTLY, "")},
                           risk_level=RiskLevel.LOW, reassessment_needed=True, new_budget_pence=450000,
                           held_on=october)  # fmt: skip
    services.apply_transition(assessor, written, "complete_review", today=october)
    written.refresh_from_db()
    assert written.indicative_budget_pence == 450000
    assert "Reassessed at the review on 1 October 2026" in written.budget_source

    from selfdirect.ledger.models import Budget, Instalment

    old, new = Budget.objects.filter(person=written.person).order_by("pk")
    # The £5,000 budget runs to the day before the review; £4,500 a year runs from the review on.
    assert (old.agreed_annual_pence, old.period_end) == (500000, dt.date(2026, 9, 30))
    assert (new.agreed_annual_pence, new.starts_on, new.replaces_id) == (450000, october, old.pk)
    assert new.approved_by == written and "Review of support plan" in new.change_reason
    assert written.ledger_budget_ref == str(new.pk)
    # Nothing is paid twice and nothing is left out: the instalments still due tile the year.
    spans = sorted(
        Instalment.objects.filter(budget__in=[old, new], cancelled=False).values_list(
            "covers_from", "covers_to"
        )
    )
    assert spans[0][0] == DAY and spans[-1][1] == new.period_end
    assert all(b[0] == a[1] + dt.timedelta(days=1) for a, b in zip(spans, spans[1:]))


def test_a_review_on_the_day_the_money_starts_cannot_change_it(world, written):
    assessor = world.north.users[Role.ASSESSOR]
    activate(world, written)
    services.apply_transition(assessor, written, "start_review", today=DAY)
    outcome = written.outcomes.get()
    services.record_review(assessor, services.open_review(written), {outcome.pk: (Progress.PARTLY, "")},
                           risk_level=RiskLevel.LOW, reassessment_needed=True, new_budget_pence=450000, held_on=DAY)  # fmt: skip
    with pytest.raises(TransitionRefused, match="must take effect after the budget starts"):
        services.apply_transition(assessor, written, "complete_review", today=DAY)
    written.refresh_from_db()
    assert written.indicative_budget_pence == 500000  # nothing half-done


def test_activation_agrees_the_ledger_budget(world, written):
    from django.apps import apps

    if not apps.is_installed("selfdirect.ledger"):
        pytest.skip("ledger app not installed")
    from selfdirect.ledger.models import Budget

    activate(world, written)
    written.refresh_from_db()
    budget = Budget.objects.get(person=written.person)
    assert written.ledger_budget_ref == str(budget.pk)
    assert (
        budget.status == "agreed"
        and budget.agreed_annual_pence == 500000
        and budget.plan_cost_pence == 400400
    )
    assert budget.approved_by == written


def test_referral_rules_high_budget_and_unusual_purchases(world):
    rules, _ = services.current_rules(world.north.authority)
    plan = write_plan(world.north, budget=3200000, pa_hours="56", pa_rate=1100,
                      extra_lines=[line("Holiday", "1", Frequency.ONE_OFF, 60000, "holidays", LineKind.ONE_OFF)])  # fmt: skip
    reasons = services.referral_reasons(plan, rules)
    assert reasons == [
        "The plan costs £32,632.00 a year, above £30,000.00",  # 56h x £11 x 52 = £32,032 + £600
        "'Holiday' is outside the usual categories (Holidays)",
    ]


def test_only_writers_change_a_draft_and_only_in_draft(world, written):
    with pytest.raises(TransitionForbidden):
        services.update_plan(world.north.users[Role.PANEL], written, {"what_matters": "x"}, "test")
    services.apply_transition(world.north.users[Role.ASSESSOR], written, "submit", today=DAY)
    with pytest.raises(TransitionRefused, match="reopen it"):
        services.update_plan(world.north.users[Role.PLANNER], written, {"what_matters": "x"}, "test")


def test_refusals_and_follow_ups_due(world, capsys):
    from django.core.management import call_command

    assessor = world.north.users[Role.ASSESSOR]
    refusal = services.record_refusal(
        assessor, world.north.caseload_person, RefusalReason.MISINFORMED, today=DAY
    )
    assert refusal.follow_up_on == DAY + dt.timedelta(days=90)
    assert list(services.refusals_due(world.north.authority, today=DAY)) == []
    assert list(services.refusals_due(world.north.authority, today=dt.date(2026, 6, 30))) == [refusal]
    with pytest.raises(TransitionForbidden):
        services.record_refusal(assessor, world.north.other_person, RefusalReason.OTHER)
    call_command("reviews_due", "--authority", "northshire", "--on", "2026-07-01")
    assert "1 refusal follow-up(s) due" in capsys.readouterr().out
    services.follow_up_refusal(
        assessor, refusal, "Had the wrong idea about the money", today=dt.date(2026, 7, 1)
    )
    assert list(services.refusals_due(world.north.authority, today=dt.date(2026, 7, 2))) == []


def test_reviews_due_command_and_cli_transition(world, written, capsys):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    call_command("plan_transition", str(written.pk), "submit", "--as", "northshire-assessor")
    assert "draft -> submitted" in capsys.readouterr().out
    call_command("plan_transition", str(written.pk), "submit", "--as", "northshire-assessor")
    assert "already done" in capsys.readouterr().out
    with pytest.raises(CommandError, match="refused: The plan is waiting for sign-off"):
        call_command("plan_transition", str(written.pk), "activate", "--as", "northshire-assessor")
    with pytest.raises(CommandError, match="not found"):
        call_command("plan_transition", str(written.pk), "approve", "--as", "southvale-assessor")
    call_command("plan_transition", str(written.pk), "approve", "--as", "northshire-assessor")
    call_command("plan_transition", str(written.pk), "activate", "--as", "northshire-assessor")
    written.refresh_from_db()
    # A plan activated today is reviewed some months from today: ask from 10 days before that review
    # (and from the day after it, when it is no longer "within the next 30 days" but overdue).
    before = written.review_on - dt.timedelta(days=10)
    call_command("reviews_due", "--authority", "northshire", "--on", before.isoformat())
    out = capsys.readouterr().out
    assert "1 review(s) due within 30 days" in out and written.person.reference in out
    call_command(
        "reviews_due", "--authority", "northshire", "--on", (before - dt.timedelta(days=30)).isoformat()
    )
    assert "0 review(s) due within 30 days" in capsys.readouterr().out


def test_every_transition_has_an_effect_and_a_known_target():
    assert all(
        t.target in PlanState.values and t.sources <= set(PlanState.values) for t in TRANSITIONS.values()
    )


def test_ending_a_plan_stops_its_money_from_that_day(world, written):
    from selfdirect.ledger import books
    from selfdirect.ledger.models import Budget, Instalment, Transaction

    assessor = world.north.users[Role.ASSESSOR]
    activate(world, written)  # £5,000 a year from 1 April 2026, four-weekly, nothing paid yet
    budget = Budget.objects.get(person=written.person)
    committed = sum(Instalment.objects.filter(budget=budget).values_list("amount_pence", flat=True))
    services.apply_transition(
        assessor, written, "end", "They moved to another county", today=dt.date(2026, 5, 15)
    )
    budget.refresh_from_db()
    assert budget.period_end == dt.date(2026, 5, 14)
    due = Instalment.objects.filter(budget=budget, cancelled=False).order_by("covers_from")
    # 1-28 April stands whole; 29 April - 26 May is cut to 29 April - 14 May (16 of 28 days).
    assert [(i.covers_from, i.covers_to) for i in due] == [
        (dt.date(2026, 4, 1), dt.date(2026, 4, 28)),
        (dt.date(2026, 4, 29), dt.date(2026, 5, 14)),
    ]
    kept = sum(i.amount_pence for i in due)
    # The commitment the cut and cancelled instalments held goes back to the fund, to the penny.
    release = Transaction.objects.get(kind="release", budget_id=budget.pk)
    debits = [leg.amount for leg in release.legs.all() if leg.side == "D"]
    assert debits == [committed - kept] and committed - kept > 0
    rows = books.trial_balance(world.north.authority)
    assert sum(r["debits"] for r in rows) == sum(r["credits"] for r in rows)


def test_ending_a_plan_the_day_its_money_starts_cancels_all_of_it(world, written):
    from selfdirect.ledger.models import Budget, Instalment, Transaction

    activate(world, written)
    budget = Budget.objects.get(person=written.person)
    committed = sum(Instalment.objects.filter(budget=budget).values_list("amount_pence", flat=True))
    services.apply_transition(
        world.north.users[Role.ASSESSOR], written, "end", "Went into hospital", today=DAY
    )
    budget.refresh_from_db()
    assert budget.status == "ended" and committed == 500000
    assert not Instalment.objects.filter(budget=budget, cancelled=False).exists()
    release = Transaction.objects.get(kind="release", budget_id=budget.pk)
    assert [leg.amount for leg in release.legs.all() if leg.side == "D"] == [committed]
