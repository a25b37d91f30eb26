"""What each transition of the plan workflow checks and does besides moving the state: one effect
per action of workflow.TRANSITIONS, registered with :func:`effect` against the actions it serves.
Registering an action that is no transition, or a second effect for one, fails at import; so does a
transition left without an effect (workflow.check_effects, at the bottom). apply_transition
(transitions.py) calls them; nothing else does."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from selfdirect.core.errors import ServiceError
from selfdirect.core.models import User

from ..constants import PanelDecision, PlanState, Progress, ReviewKind
from ..models import Appeal, PanelReferral, Review, SupportPlan
from ..workflow import TRANSITIONS, TransitionForbidden, TransitionRefused, check_effects
from .checks import referral_reasons, submission_problems
from .money import deploy_money, reassess_money, stop_money
from .panel import invite_to_panel, next_meeting, open_referral, waiting_appeal
from .policies import current_rules
from .reviews import open_review, schedule_reviews

Effect = Callable[..., None]
"""``effect(actor, plan, reason, data, day)``: checks the guards of one transition (raising
TransitionRefused or ServiceError) and makes its changes; apply_transition then moves the state."""

EFFECTS: dict[str, Effect] = {}


def effect(*actions: str) -> Callable[[Effect], Effect]:
    """Register the decorated function as the effect of each of ``actions``, which must be
    transitions in workflow.TRANSITIONS, each with one effect."""

    def register(function: Effect) -> Effect:
        for action in actions:
            if action not in TRANSITIONS:
                raise ImproperlyConfigured(f"effect {function.__qualname__} names no transition: {action!r}")
            if action in EFFECTS:
                raise ImproperlyConfigured(f"transition {action!r} has two effects")
            EFFECTS[action] = function
        return function

    return register


@effect("submit")
def _submit(actor: User, plan: SupportPlan, reason: str, data: Mapping[str, Any], day: dt.date) -> None:
    rules, row = current_rules(plan.authority)
    problems = submission_problems(plan, rules)
    if problems:
        raise TransitionRefused(problems)
    plan.rules_version = row.version_id


@effect("approve")
def _approve(actor: User, plan: SupportPlan, reason: str, data: Mapping[str, Any], day: dt.date) -> None:
    rules, row = current_rules(plan.authority)
    problems = submission_problems(plan, rules)
    refer = referral_reasons(plan, rules)
    if refer:
        problems.append(
            "The plan meets the panel referral rules, so refer it to the risk enablement panel: "
            + "; ".join(refer)
        )
    if problems:
        raise TransitionRefused(problems)
    plan.rules_version = row.version_id


@effect("refer")
def _refer(actor: User, plan: SupportPlan, reason: str, data: Mapping[str, Any], day: dt.date) -> None:
    rules, _ = current_rules(plan.authority)
    meeting = next_meeting(plan.authority, day)
    referral = PanelReferral.objects.create(
        authority=plan.authority, plan=plan, meeting=meeting, referred_by=actor, referred_at=timezone.now(),
        reasons=[*referral_reasons(plan, rules), f"Co-ordinator: {reason}"],
    )  # fmt: skip
    invite_to_panel(actor, referral, day)


def _panel(decision: str) -> Effect:
    def decide(actor: User, plan: SupportPlan, reason: str, data: Mapping[str, Any], day: dt.date) -> None:
        referral = open_referral(plan)
        if referral is None or referral.meeting_id is None:
            raise TransitionRefused("The plan is not on a panel meeting's agenda")
        conditions = str(data.get("conditions", "")).strip()
        if decision == PanelDecision.CONDITIONS and not conditions:
            raise ServiceError({"conditions": ["Write the conditions the panel set"]})
        referral.decision, referral.conditions = decision, conditions
        referral.minutes = str(data.get("minutes", "")).strip() or reason
        referral.decided_by, referral.decided_at = actor, timezone.now()
        referral.save()
        plan.conditions = conditions

    return decide


effect("panel_approve")(_panel(PanelDecision.APPROVED))
effect("panel_conditions")(_panel(PanelDecision.CONDITIONS))
effect("panel_decline")(_panel(PanelDecision.NOT_APPROVED))


@effect("appeal")
def _appeal(actor: User, plan: SupportPlan, reason: str, data: Mapping[str, Any], day: dt.date) -> None:
    referral = open_referral(plan)
    assert referral is not None  # the transition's "when" (panel_decision_appealable) was checked
    if referral.appeals.exists():
        raise TransitionRefused("This decision has already been appealed; the appeal's outcome stands")
    Appeal.objects.create(authority=plan.authority, plan=plan, referral=referral, lodged_by=actor,
                          lodged_at=timezone.now(), grounds=reason)  # fmt: skip


def _hear(outcome: str) -> Effect:
    def hear(actor: User, plan: SupportPlan, reason: str, data: Mapping[str, Any], day: dt.date) -> None:
        appeal = waiting_appeal(plan)
        if appeal is None:
            raise TransitionRefused("There is no appeal waiting")
        if appeal.referral.decided_by_id == actor.pk:
            raise TransitionForbidden("An appeal must be heard by someone who did not make the decision")
        if appeal.referral.decision == PanelDecision.CONDITIONS and outcome == "upheld":
            # Upheld against a condition: the conditions are lifted, or replaced by what the hearer sets.
            plan.conditions = str(data.get("conditions", "")).strip()
        appeal.heard_by, appeal.outcome, appeal.notes, appeal.decided_at = (
            actor,
            outcome,
            reason,
            timezone.now(),
        )
        appeal.save()

    return hear


effect("uphold_appeal")(_hear("upheld"))
effect("dismiss_appeal", "dismiss_condition_appeal")(_hear("dismissed"))


@effect("activate")
def _activate(actor: User, plan: SupportPlan, reason: str, data: Mapping[str, Any], day: dt.date) -> None:
    rules, _ = current_rules(plan.authority)
    if plan.starts_on is None or plan.starts_on < day:
        plan.starts_on = day
    plan.ledger_budget_ref = deploy_money(actor, plan, reason)
    schedule_reviews(plan, rules, plan.starts_on)


@effect("start_review")
def _start_review(actor: User, plan: SupportPlan, reason: str, data: Mapping[str, Any], day: dt.date) -> None:
    if open_review(plan) is None:
        Review.objects.create(authority=plan.authority, plan=plan, kind=ReviewKind.REQUESTED, due_on=day)


@effect("complete_review")
def _complete_review(
    actor: User, plan: SupportPlan, reason: str, data: Mapping[str, Any], day: dt.date
) -> None:
    review = plan.reviews.filter(held_on__isnull=False).order_by("-held_on", "-pk").first()
    if open_review(plan) is not None and (review is None or review.held_on is None):
        raise TransitionRefused("Record the review (progress on each outcome) before finishing it")
    if review is None:
        raise TransitionRefused("Record the review (progress on each outcome) before finishing it")
    rules, _ = current_rules(plan.authority)
    if review.reassessment_needed and review.new_budget_pence is not None:
        plan.indicative_budget_pence = review.new_budget_pence
        plan.budget_source = (
            review.new_budget_source or f"Reassessed at the review on {review.held_on:%-d %B %Y}"
        )
        refs = reassess_money(actor, plan, review.new_budget_pence, review.held_on or day, reason)
        plan.ledger_budget_ref = refs or plan.ledger_budget_ref
    if review.risk_level:
        plan.risk_level = review.risk_level
    schedule_reviews(plan, rules, review.held_on or day)


@effect("give_notice")
def _give_notice(actor: User, plan: SupportPlan, reason: str, data: Mapping[str, Any], day: dt.date) -> None:
    review = plan.reviews.filter(held_on__isnull=False).order_by("-held_on", "-pk").first()
    unmet = review is not None and review.answers.filter(progress=Progress.NOT_AT_ALL).exists()
    if not unmet:
        raise TransitionRefused(
            "Funding can be withdrawn only after a review finds outcomes are not being met"
        )
    rules, _ = current_rules(plan.authority)
    plan.withdrawal_reason = reason
    plan.funding_ends_on = day + dt.timedelta(days=rules.withdrawal_notice_days)


@effect("rescind_notice")
def _rescind(actor: User, plan: SupportPlan, reason: str, data: Mapping[str, Any], day: dt.date) -> None:
    plan.funding_ends_on, plan.withdrawal_reason = None, ""


@effect("end")
def _end(actor: User | None, plan: SupportPlan, reason: str, data: Mapping[str, Any], day: dt.date) -> None:
    if actor is None and not notice_expired(plan, day):
        raise TransitionRefused(
            "A plan ends by itself only when its withdrawal notice has run out: a worker ends it otherwise"
        )
    stop_money(actor, plan, day if plan.funding_ends_on is None else min(plan.funding_ends_on, day), reason)
    plan.review_on = None
    plan.reviews.filter(held_on__isnull=True).delete()
    plan.visits.filter(visited_on__isnull=True).delete()


def notice_expired(plan: SupportPlan, day: dt.date) -> bool:
    """Whether the plan's withdrawal notice has run out by ``day``: funding ends on
    ``funding_ends_on``, so the plan ends on that day."""
    return (
        plan.state == PlanState.WITHDRAWAL_NOTICE
        and plan.funding_ends_on is not None
        and plan.funding_ends_on <= day
    )


@effect("return", "redraft")
def _nothing(actor: User, plan: SupportPlan, reason: str, data: Mapping[str, Any], day: dt.date) -> None:
    return None


# Every transition in the table has its effect and every effect its transition; checked here when
# the services are imported, in code that ``python -O`` keeps (tests/plans/test_plans_effects.py).
check_effects(EFFECTS)
