"""Work queues on the home page, one section each, registered from PlansConfig.ready()."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from selfdirect.core.constants import Role
from selfdirect.core.http import AuthedRequest

from . import services
from .access import meeting_scope, money_scope, plans_scope, referral_scope
from .constants import PlanState

Section = tuple[str, dict[str, Any]] | None


def my_plan(request: AuthedRequest) -> Section:
    if not request.roles & {Role.PERSON, Role.REPRESENTATIVE}:
        return None
    plans = (
        plans_scope(request.user, request.authority).exclude(state=PlanState.ENDED).select_related("person")
    )
    return "plans/home/my_plan.html", {"plans": list(plans[:10])}


def sign_off(request: AuthedRequest) -> Section:
    if Role.ASSESSOR not in request.roles:
        return None
    waiting = (
        plans_scope(request.user, request.authority)
        .filter(state=PlanState.SUBMITTED)
        .select_related("person")
    )
    return "plans/home/sign_off.html", {"plans": list(waiting[:20]), "count": waiting.count()}


def reviews(request: AuthedRequest) -> Section:
    if Role.ASSESSOR not in request.roles or request.authority is None:
        return None
    visible = plans_scope(request.user, request.authority)
    due = services.reviews_due(request.authority).filter(plan__in=visible)
    visits = services.visits_due(request.authority).filter(plan__in=visible)
    ending = services.notices_ending(request.authority).filter(pk__in=visible.values("pk"))
    return "plans/home/reviews.html", {
        "reviews": list(due[:20]),
        "count": due.count(),
        "visits": list(visits[:20]),
        "notices_ending": list(ending[:20]),
        "today": timezone.localdate(),
    }


PANEL_NEWS_DAYS = 30


def panel_decisions(request: AuthedRequest) -> Section:
    """A worker's plans at the risk enablement panel: those waiting for its decision, and what it
    decided in the last PANEL_NEWS_DAYS days (a decision with conditions, or a plan not approved, is
    the worker's to take up with the person)."""
    if not request.roles & {Role.ASSESSOR, Role.PLANNER} or request.authority is None:
        return None
    visible = plans_scope(request.user, request.authority)
    referrals = referral_scope(request.user, request.authority).filter(plan__in=visible)
    waiting = referrals.filter(decision="", plan__state=PlanState.REFERRED).select_related("plan__person", "meeting")
    since = timezone.now() - dt.timedelta(days=PANEL_NEWS_DAYS)
    decided = (
        referrals.exclude(decision="").filter(decided_at__gte=since).select_related("plan__person")
        .order_by("-decided_at", "-pk")
    )  # fmt: skip
    if not waiting.exists() and not decided.exists():
        return None
    return "plans/home/panel_decisions.html", {
        "waiting": list(waiting[:20]), "waiting_count": waiting.count(),
        "decided": list(decided[:20]), "days": PANEL_NEWS_DAYS,
    }  # fmt: skip


def to_deploy(request: AuthedRequest) -> Section:
    """Finance: approved plans whose money is waiting to be deployed."""
    if Role.FINANCE not in request.roles or request.authority is None:
        return None
    waiting = (
        money_scope(request.user, request.authority).filter(state=PlanState.APPROVED).select_related("person")
    )
    return "plans/home/to_deploy.html", {"plans": list(waiting[:20]), "count": waiting.count()}


def refusals(request: AuthedRequest) -> Section:
    if not request.roles & {Role.ASSESSOR, Role.PLANNER} or request.authority is None:
        return None
    due = [
        r
        for r in services.refusals_due(request.authority)
        if request.user.has_perm("plans.add_refusal", r.person)
    ]
    if not due:
        return None
    return "plans/home/refusals.html", {"refusals": due[:20], "today": timezone.localdate()}


def panel(request: AuthedRequest) -> Section:
    if Role.PANEL not in request.roles or request.authority is None:
        return None
    today = timezone.localdate()
    meeting = meeting_scope(request.user, request.authority).filter(meets_on__gte=today).first()
    waiting = (
        referral_scope(request.user, request.authority)
        .filter(decision="", plan__state=PlanState.REFERRED)
        .select_related("plan__person", "meeting")
    )
    return "plans/home/panel.html", {
        "meeting": meeting,
        "waiting": list(waiting[:20]),
        "count": waiting.count(),
    }


def appeals(request: AuthedRequest) -> Section:
    if not request.roles & {Role.PANEL, Role.ADMIN}:
        return None
    waiting = (
        plans_scope(request.user, request.authority).filter(state=PlanState.APPEALED).select_related("person")
    )
    if not waiting.exists() and Role.PANEL not in request.roles:
        return None
    return "plans/home/appeals.html", {"plans": list(waiting[:20]), "count": waiting.count()}
