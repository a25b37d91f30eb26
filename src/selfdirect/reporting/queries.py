"""Every query reporting makes of the other apps' models, in one place.

Each function takes a :class:`Scope` (authority, dates, filters, caseload) and returns plain
numbers or rows from aggregate queries (Count/Sum with filters, values().annotate()), so the
number of queries stays the same however much data there is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)

from selfdirect.allocation.models import Allocation
from selfdirect.assessment.models import Assessment
from selfdirect.core.models import Authority
from selfdirect.ledger.constants import AccountKind, BudgetStatus, Route, Side
from selfdirect.ledger.models import Budget, CloseLine, Deployment, Leg, Payment, Spend
from selfdirect.people.constants import FacsBand
from selfdirect.people.models import Person, Team
from selfdirect.plans.constants import PlanState, Progress
from selfdirect.plans.models import PanelReferral, Refusal, Review, ReviewOutcome, SupportPlan

ELIGIBLE_BANDS = (FacsBand.CRITICAL, FacsBand.SUBSTANTIAL)
LIVE_BUDGET = (BudgetStatus.AGREED, BudgetStatus.ACTIVE)
LIVE_PLAN = (PlanState.ACTIVE, PlanState.UNDER_REVIEW, PlanState.WITHDRAWAL_NOTICE)
ACHIEVED = (Progress.MOSTLY, Progress.FULLY)
AGE_BANDS = (("18-64", 18, 65), ("65-74", 65, 75), ("75-84", 75, 85), ("85 and over", 85, 200))


@dataclass(frozen=True)
class Scope:
    authority: Authority
    start: dt.date
    end: dt.date  # inclusive
    client_group: str = ""
    team_id: int | None = None
    caseload: QuerySet[Person] | None = None  # None: the whole authority


def people(scope: Scope) -> QuerySet[Person]:
    """The people the report counts: in the authority, known by the period's end, filtered."""
    qs = Person.objects.filter(authority=scope.authority, created_at__date__lte=scope.end)
    if scope.client_group:
        qs = qs.filter(client_group=scope.client_group)
    if scope.team_id is not None:
        qs = qs.filter(team_id=scope.team_id)
    if scope.caseload is not None:
        qs = qs.filter(pk__in=scope.caseload.values("pk"))
    return qs


def teams(authority: Authority) -> list[tuple[int, str]]:
    return list(Team.objects.filter(authority=authority).order_by("name").values_list("pk", "name"))


def _live_budgets(scope: Scope, on: dt.date | None = None) -> QuerySet[Budget]:
    """Agreed or active budgets running at some point in the period (or on ``on``)."""
    first, last = (on, on) if on else (scope.start, scope.end)
    return Budget.objects.filter(
        authority=scope.authority, status__in=LIVE_BUDGET, period_start__lte=last, period_end__gte=first
    )


def _on_pb(scope: Scope, on: dt.date) -> Q:
    budgets = _live_budgets(scope, on).filter(person=OuterRef("pk"))
    plans = SupportPlan.objects.filter(person=OuterRef("pk"), state__in=LIVE_PLAN)
    return Q(Exists(budgets)) | Q(Exists(plans))


def _on_dp(scope: Scope, on: dt.date) -> Q:
    dp = Deployment.objects.filter(
        budget__in=_live_budgets(scope, on).filter(person=OuterRef(OuterRef("pk"))).values("pk"),
        route=Route.DIRECT_PAYMENT,
    )
    return Q(Exists(dp))


def cohort(scope: Scope, name: str) -> QuerySet[Person]:
    """The people behind a headline number (for drill-down), by name."""
    base = people(scope)
    eligible = base.filter(facs_band__in=ELIGIBLE_BANDS)
    if name == "eligible":
        return eligible
    if name == "personal_budget":
        return eligible.filter(_on_pb(scope, scope.end))
    if name == "direct_payment":
        return eligible.filter(_on_dp(scope, scope.end))
    if name == "reviews_overdue":
        overdue = (
            _reviews(scope)
            .filter(due_on__lte=scope.end)
            .filter(Q(held_on__isnull=True) | Q(held_on__gt=scope.end))
        )
        return base.filter(pk__in=overdue.values("plan__person"))
    if name == "refusals_open":
        late = _refusals(scope).filter(follow_up_on__lte=scope.end, recorded_on__lte=scope.end)
        late = late.filter(Q(followed_up_on__isnull=True) | Q(followed_up_on__gt=scope.end))
        return base.filter(pk__in=late.values("person"))
    return base.none()


def take_up(scope: Scope, on: dt.date) -> dict[str, int]:
    """Eligible people on ``on``, and how many of them hold a personal budget or direct payment."""
    base = people(scope).filter(facs_band__in=ELIGIBLE_BANDS)
    base = base.filter(created_at__date__lte=on)
    return base.aggregate(
        eligible=Count("pk"),
        personal_budget=Count("pk", filter=_on_pb(scope, on)),
        direct_payment=Count("pk", filter=_on_dp(scope, on)),
    )


def people_by_route(scope: Scope) -> list[dict[str, Any]]:
    rows = (
        Deployment.objects.filter(
            budget__in=_live_budgets(scope).values("pk"), budget__person__in=people(scope)
        )
        .values("route")
        .annotate(people=Count("budget__person", distinct=True))
        .order_by("route")
    )
    return [dict(r) for r in rows]


def people_by_stream(scope: Scope) -> list[dict[str, Any]]:
    rows = (
        _live_budgets(scope)
        .filter(person__in=people(scope))
        .values("stream")
        .annotate(people=Count("person", distinct=True), agreed=Sum("agreed_annual_pence"))
        .order_by("stream")
    )
    return [dict(r) for r in rows]


def _reviews(scope: Scope) -> QuerySet[Review]:
    return Review.objects.filter(authority=scope.authority, plan__person__in=people(scope))


def reviews(scope: Scope) -> dict[str, int]:
    s, e = scope.start, scope.end
    return _reviews(scope).aggregate(
        due=Count("pk", filter=Q(due_on__range=(s, e))),
        done=Count("pk", filter=Q(held_on__range=(s, e))),
        overdue=Count("pk", filter=Q(due_on__lte=e) & (Q(held_on__isnull=True) | Q(held_on__gt=e))),
    )


def panel(scope: Scope) -> list[dict[str, Any]]:
    rows = (
        PanelReferral.objects.filter(
            authority=scope.authority,
            plan__person__in=people(scope),
            referred_at__date__range=(scope.start, scope.end),
        )
        .values("decision")
        .annotate(plans=Count("plan", distinct=True))
        .order_by("decision")
    )
    return [dict(r) for r in rows]


def _refusals(scope: Scope) -> QuerySet[Refusal]:
    return Refusal.objects.filter(authority=scope.authority, person__in=people(scope))


def refusals(scope: Scope) -> dict[str, int]:
    s, e = scope.start, scope.end
    return _refusals(scope).aggregate(
        recorded=Count("pk", filter=Q(recorded_on__range=(s, e))),
        follow_ups_due=Count("pk", filter=Q(follow_up_on__lte=e, recorded_on__lte=e)),
        followed_up=Count("pk", filter=Q(follow_up_on__lte=e, followed_up_on__lte=e)),
    )


def journey_days(scope: Scope) -> dict[str, list[int]]:
    """Days from referral (the person's record created) to first assessment, agreed budget and payment."""
    e = scope.end
    first_assessment = (
        Assessment.objects.filter(person=OuterRef("pk"), on__lte=e).order_by("on").values("on")[:1]
    )
    first_budget = (
        Budget.objects.filter(person=OuterRef("pk"), agreed_at__date__lte=e)
        .order_by("agreed_at")
        .values("agreed_at")[:1]
    )
    first_payment = (
        Payment.objects.filter(instalment__budget__person=OuterRef("pk"), transaction__on__lte=e)
        .order_by("transaction__on")
        .values("transaction__on")[:1]
    )
    rows = (
        people(scope)
        .annotate(a=Subquery(first_assessment), b=Subquery(first_budget), p=Subquery(first_payment))
        .values_list("created_at", "a", "b", "p")
    )
    out: dict[str, list[int]] = {"assessment": [], "budget": [], "payment": []}
    for created, a, b, p in rows:
        start = created.date()
        for key, value in (("assessment", a), ("budget", b), ("payment", p)):
            if value is not None:
                day = value.date() if isinstance(value, dt.datetime) else value
                out[key].append(max((day - start).days, 0))
    return out


def allocations_by(scope: Scope, dimension: str) -> list[dict[str, Any]]:
    """People with an indicative budget, counted and summed by ``dimension`` and FACS band."""
    qs = people(scope).annotate(
        amount=Subquery(
            Allocation.objects.filter(person=OuterRef("pk"), on__lte=scope.end)
            .order_by("-on", "-pk")
            .values("total_annual_pence")[:1]
        )
    )
    qs = qs.filter(amount__isnull=False)
    if dimension == "age_band":
        whens = [
            When(
                date_of_birth__gt=_years_before(scope.end, hi),
                date_of_birth__lte=_years_before(scope.end, lo),
                then=Value(label),
            )
            for label, lo, hi in AGE_BANDS
        ]
        qs = qs.annotate(group=Case(*whens, default=Value("Under 18"), output_field=CharField()))
    else:
        qs = qs.annotate(group=F(dimension))
    rows = qs.values("group", "facs_band").annotate(people=Count("pk"), total=Sum("amount")).order_by("group")
    return [dict(r) for r in rows]


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def outcomes(scope: Scope) -> list[dict[str, Any]]:
    """Outcome answers at reviews held in the period, per framework outcome."""
    rows = (
        ReviewOutcome.objects.filter(
            review__authority=scope.authority,
            review__plan__person__in=people(scope),
            review__held_on__range=(scope.start, scope.end),
            outcome__framework_outcomes__isnull=False,
        )
        .values(
            "outcome__framework_outcomes__framework__title",
            "outcome__framework_outcomes__code",
            "outcome__framework_outcomes__title",
        )
        .annotate(answers=Count("pk"), achieved=Count("pk", filter=Q(progress__in=ACHIEVED)))
        .order_by("outcome__framework_outcomes__framework__title", "outcome__framework_outcomes__code")
    )
    return [
        {
            "framework": r["outcome__framework_outcomes__framework__title"],
            "code": r["outcome__framework_outcomes__code"],
            "title": r["outcome__framework_outcomes__title"],
            "answers": r["answers"],
            "achieved": r["achieved"],
        }
        for r in rows
    ]


def independent_living(scope: Scope, codes: tuple[str, ...]) -> dict[str, int]:
    """People reviewed in the period on outcomes about keeping their home (codes), and how many
    of them achieved at least one mostly or fully."""
    base = ReviewOutcome.objects.filter(
        review__authority=scope.authority,
        review__plan__person__in=people(scope),
        review__held_on__range=(scope.start, scope.end),
        outcome__framework_outcomes__code__in=codes,
    )
    return base.aggregate(
        people=Count("review__plan__person", distinct=True),
        achieved=Count("review__plan__person", distinct=True, filter=Q(progress__in=ACHIEVED)),
    )


MONEY_DIMENSIONS = {"stream": "stream", "route": "route", "client_group": "person__client_group"}


def money_by(scope: Scope, dimension: str) -> dict[str, dict[str, int]]:
    """Agreed a year (budgets running in the period), paid and spent in the period, by ``dimension``."""
    who = people(scope)
    s, e = scope.start, scope.end
    out: dict[str, dict[str, int]] = {}

    def put(key: str | None, field: str, value: int | None) -> None:
        out.setdefault(key or "", {"agreed": 0, "paid": 0, "spent": 0})[field] += value or 0

    if dimension == "route":
        agreed_rows = (
            Deployment.objects.filter(budget__in=_live_budgets(scope).filter(person__in=who).values("pk"))
            .values("route")
            .annotate(v=Sum("budget__agreed_annual_pence"))
        )
        for r in agreed_rows:
            put(r["route"], "agreed", r["v"])
        spend_key = "route"
    else:
        path = MONEY_DIMENSIONS[dimension]
        for r in (
            _live_budgets(scope).filter(person__in=who).values(path).annotate(v=Sum("agreed_annual_pence"))
        ):
            put(r[path], "agreed", r["v"])
        spend_key = f"budget__{path}"
        pay_key = f"instalment__budget__{path}"
        paid = (
            Payment.objects.filter(
                instalment__budget__authority=scope.authority,
                instalment__budget__person__in=who,
                transaction__on__range=(s, e),
            )
            .values(pay_key)
            .annotate(v=Sum("amount_pence"))
        )
        for r in paid:
            put(r[pay_key], "paid", r["v"])
    spent = (
        Spend.objects.filter(budget__authority=scope.authority, budget__person__in=who, on__range=(s, e))
        .values(spend_key)
        .annotate(v=Sum("amount_pence"))
    )
    for r in spent:
        put(r[spend_key], "spent", r["v"])
    return out


def close_totals(scope: Scope) -> dict[str, int]:
    agg = CloseLine.objects.filter(
        period__authority=scope.authority,
        budget__person__in=people(scope),
        period__start__range=(scope.start, scope.end),
    ).aggregate(unspent=Sum("unspent_pence"), kept=Sum("kept_pence"), clawed_back=Sum("clawed_back_pence"))
    return {k: v or 0 for k, v in agg.items()}


def contributions(scope: Scope) -> dict[str, int]:
    """Charged (credited to contributions), invoiced (debited to receivable) and received
    (credited to receivable) in the period. Net contributions are collected when charged."""
    legs = Leg.objects.filter(
        transaction__authority=scope.authority,
        transaction__on__range=(scope.start, scope.end),
    )
    if scope.client_group or scope.team_id is not None or scope.caseload is not None:
        legs = legs.filter(transaction__budget__person__in=people(scope))
    agg = legs.aggregate(
        charged=Sum("amount", filter=Q(account__kind=AccountKind.CONTRIBUTION_INCOME, side=Side.CREDIT)),
        invoiced=Sum("amount", filter=Q(account__kind=AccountKind.CONTRIBUTION_DUE, side=Side.DEBIT)),
        received=Sum("amount", filter=Q(account__kind=AccountKind.CONTRIBUTION_DUE, side=Side.CREDIT)),
    )
    return {k: v or 0 for k, v in agg.items()}
