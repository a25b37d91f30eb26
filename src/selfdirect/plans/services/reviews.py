"""Reviews and light-touch visits of a running plan: scheduling them from the rules, recording a
review's progress on each outcome, and the visits between reviews."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from selfdirect.core import audit
from selfdirect.core.constants import AuditAction, Role
from selfdirect.core.dates import add_months
from selfdirect.core.errors import ServiceError
from selfdirect.core.models import Authority, User

from .. import access, policy
from ..constants import PlanState, Progress, RiskLevel
from ..models import MonitoringVisit, Review, ReviewOutcome, SupportPlan
from ..workflow import TransitionForbidden, TransitionRefused
from .common import local_day
from .money import reassessed_budget_source


def open_review(plan: SupportPlan) -> Review | None:
    return plan.reviews.filter(held_on__isnull=True).order_by("due_on", "pk").first()


def schedule_reviews(plan: SupportPlan, rules: policy.PlansPolicy, start: dt.date) -> None:
    """Set the next review and the light-touch visits until then, from the rules."""
    total = plan.annual_total_pence
    months, why = rules.review_interval_months(total, plan.risk_level)
    plan.review_on = add_months(start, months)
    plan.review_reason = f"Every {months} months: {why}, under {rules.label}"
    plan.visits_per_year = rules.visits_per_year(total, plan.risk_level)
    plan.reviews.filter(held_on__isnull=True).delete()
    Review.objects.create(authority=plan.authority, plan=plan, due_on=plan.review_on)
    plan.visits.filter(visited_on__isnull=True).delete()
    if plan.visits_per_year:
        step = 12 // plan.visits_per_year if plan.visits_per_year <= 12 else 1
        day = add_months(start, step)
        while day < plan.review_on:
            MonitoringVisit.objects.create(authority=plan.authority, plan=plan, due_on=day)
            day = add_months(day, step)


def record_review(
    actor: User,
    review: Review,
    answers: Mapping[int, tuple[str, str]],
    *,
    risk_level: str,
    money_notes: str = "",
    notes: str = "",
    reassessment_needed: bool = False,
    new_budget_pence: int | None = None,
    held_on: dt.date | None = None,
) -> Review:
    """Record a review: progress on every outcome ('Have you achieved it?') and what follows."""
    plan = SupportPlan.objects.select_related("person").get(pk=review.plan_id)
    if Role.ASSESSOR.value not in access.capacities(actor, plan):
        raise TransitionForbidden("Only the person's co-ordinator records a review")
    if plan.state != PlanState.UNDER_REVIEW:
        raise TransitionRefused("Start the review first")
    errors: dict[str, list[str]] = {}
    outcome_ids = set(plan.outcomes.values_list("pk", flat=True))
    missing = outcome_ids - {k for k, (p, _) in answers.items() if p}
    if missing:
        errors["answers"] = [f"Say how far each outcome has been achieved ({len(missing)} not answered)"]
    if any(p not in Progress.values for p, _ in answers.values() if p):
        errors["answers"] = ["Progress must be not at all, partly, mostly or fully"]
    if set(answers) - outcome_ids:
        errors["answers"] = ["Answer only this plan's outcomes"]
    if risk_level not in RiskLevel.values:
        errors["risk_level"] = ["Choose the risk level now"]
    if new_budget_pence is not None and (new_budget_pence < 0 or not reassessment_needed):
        errors["new_budget_pence"] = ["A new budget follows a reassessment, and cannot be negative"]
    if errors:
        raise ServiceError(errors)
    with transaction.atomic():
        review.held_on, review.reviewer, review.risk_level = (
            held_on or timezone.localdate(),
            actor,
            risk_level,
        )
        review.money_notes, review.notes = money_notes.strip(), notes.strip()
        review.reassessment_needed, review.new_budget_pence = reassessment_needed, new_budget_pence
        if new_budget_pence is not None:
            review.new_budget_source = reassessed_budget_source(plan.person, new_budget_pence, review.held_on)
        review.save()
        review.answers.all().delete()
        ReviewOutcome.objects.bulk_create(
            ReviewOutcome(review=review, outcome_id=k, progress=p, notes=n.strip())
            for k, (p, n) in answers.items()
        )
        audit.record(
            actor=actor, authority=plan.authority, action=AuditAction.CHANGE, obj=review, reason="Review recorded",
            changes={"progress": [None, {str(k): p for k, (p, _) in answers.items()}], "risk_level": [None, risk_level]},
            person_id=plan.person_id,
        )  # fmt: skip
        return review


VISITABLE = {PlanState.ACTIVE, PlanState.UNDER_REVIEW, PlanState.WITHDRAWAL_NOTICE}


def schedule_visit(
    actor: User, plan: SupportPlan, due_on: dt.date, reason: str, *, today: dt.date | None = None
) -> MonitoringVisit:
    """Add a light-touch visit to a running plan's schedule (the regular ones follow the rules:
    ``_schedule`` sets them from budget size and last risk level at activation and at each review)."""
    if Role.ASSESSOR.value not in access.capacities(actor, plan):
        raise TransitionForbidden("Only the person's co-ordinator schedules a visit")
    if plan.state not in VISITABLE:
        raise TransitionRefused(
            f"The plan is {plan.get_state_display().lower()}: visits are for plans whose money is deployed"
        )
    errors: dict[str, list[str]] = {}
    if due_on < local_day(today):
        errors["due_on"] = ["The visit date must be today or later"]
    if not reason.strip():
        errors["reason"] = ["Say why the visit is needed"]
    if errors:
        raise ServiceError(errors)
    with transaction.atomic():
        visit = MonitoringVisit.objects.create(authority=plan.authority, plan=plan, due_on=due_on)
        audit.record(
            actor=actor, authority=plan.authority, action=AuditAction.CREATE, obj=visit,
            reason=f"Light-touch visit scheduled: {reason.strip()}", changes={"due_on": [None, str(due_on)]},
            person_id=plan.person_id,
        )  # fmt: skip
        return visit


def record_visit(
    actor: User, visit: MonitoringVisit, visited_on: dt.date, notes: str, *, today: dt.date | None = None
) -> None:
    """Record that a light-touch visit happened, when, and what was found."""
    plan = visit.plan
    if Role.ASSESSOR.value not in access.capacities(actor, plan):
        raise TransitionForbidden("Only the person's co-ordinator records a visit")
    if plan.state not in VISITABLE:
        raise TransitionRefused(f"The plan is {plan.get_state_display().lower()}: its visits are closed")
    errors: dict[str, list[str]] = {}
    if visited_on > local_day(today):
        errors["visited_on"] = ["The visit date cannot be in the future"]
    if plan.starts_on is not None and visited_on < plan.starts_on:
        errors["visited_on"] = [
            f"The visit date must be on or after the plan started ({plan.starts_on:%-d %B %Y})"
        ]
    if not notes.strip():
        errors["notes"] = ["Say what you found"]
    if errors:
        raise ServiceError(errors)
    with transaction.atomic():
        before = audit.snapshot(visit, ["visited_on", "notes"])
        visit.visited_on, visit.notes = visited_on, notes.strip()
        visit.save()
        audit.record(actor=actor, authority=visit.authority, action=AuditAction.CHANGE, obj=visit,
                     reason="Light-touch visit recorded", changes=audit.diff(before, audit.snapshot(visit, ["visited_on", "notes"])),
                     person_id=plan.person_id)  # fmt: skip


def visits_due(
    authority: Authority, *, today: dt.date | None = None, within_days: int = 30
) -> QuerySet[MonitoringVisit]:
    """Light-touch visits not yet made that fall due within ``within_days`` (overdue included)."""
    limit = local_day(today) + dt.timedelta(days=within_days)
    return MonitoringVisit.objects.filter(
        authority=authority, visited_on__isnull=True, due_on__lte=limit, plan__state__in=VISITABLE
    ).select_related("plan", "plan__person")


def reviews_due(
    authority: Authority, *, today: dt.date | None = None, within_days: int = 30
) -> QuerySet[Review]:
    """Reviews not yet held that fall due within ``within_days`` (overdue ones included)."""
    limit = local_day(today) + dt.timedelta(days=within_days)
    return (
        Review.objects.filter(authority=authority, held_on__isnull=True, due_on__lte=limit)
        .exclude(plan__state=PlanState.ENDED)
        .select_related("plan", "plan__person")
        .order_by("due_on", "pk")  # the most overdue first, in a fixed order a list can page through
    )
