"""Withdrawal notices: the plans whose notice is running out, and ending those whose notice has run
out (the background job in tasks.py, and the CLI), each through the workflow's "end" step."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from selfdirect.core.errors import ServiceError
from selfdirect.core.models import Authority

from ..constants import PlanState
from ..models import SupportPlan
from ..workflow import TransitionRefused
from .common import local_day
from .transitions import apply_transition


@dataclass(frozen=True)
class EndedPlan:
    plan_id: int
    person: str
    funding_ended_on: dt.date
    outcome: str  # "ended" or "refused: <why>"


def end_withdrawn_plans(
    authority: Authority | None = None, *, today: dt.date | None = None
) -> list[EndedPlan]:
    """End every plan whose withdrawal notice has run out by ``today`` (all authorities unless one
    is named), each through the workflow's "end" step made by the system (actor None), each in its
    own transaction. Running it again ends nothing more: an ended plan is no longer under notice.
    Returns one line per plan found, ended or refused with the reason."""
    day = local_day(today)
    due = SupportPlan.objects.filter(
        state=PlanState.WITHDRAWAL_NOTICE, funding_ends_on__isnull=False, funding_ends_on__lte=day
    ).select_related("person")
    if authority is not None:
        due = due.filter(authority=authority)
    done: list[EndedPlan] = []
    for plan in due.order_by("funding_ends_on", "pk"):
        ends_on = plan.funding_ends_on
        assert ends_on is not None
        why = f"The withdrawal notice ran out on {ends_on:%-d %B %Y}"
        if plan.withdrawal_reason:
            why += f": {plan.withdrawal_reason}"
        try:
            step = apply_transition(None, plan, "end", why, today=day)
        except (TransitionRefused, ServiceError) as refused:
            done.append(EndedPlan(plan.pk, str(plan.person), ends_on, f"refused: {refused}"))
            continue
        done.append(EndedPlan(plan.pk, str(plan.person), ends_on, "ended" if step else "already ended"))
    return done


def notices_ending(
    authority: Authority, *, today: dt.date | None = None, within_days: int = 14
) -> QuerySet[SupportPlan]:
    """Plans under a withdrawal notice whose funding ends within ``within_days`` (ran out included)."""
    limit = local_day(today) + dt.timedelta(days=within_days)
    return (
        SupportPlan.objects.filter(
            authority=authority, state=PlanState.WITHDRAWAL_NOTICE, funding_ends_on__lte=limit
        )
        .select_related("person")
        .order_by("funding_ends_on", "pk")
    )
