"""Every query reporting makes of the other apps' models, in one place.

Each function takes a :class:`Scope` (authority, dates, filters, caseload) and returns plain
numbers or rows from aggregate queries (Count/Sum with filters, values().annotate()), so the
number of queries stays the same however much data there is.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.text import slugify

from selfdirect.allocation.models import Allocation, PolicyVersion
from selfdirect.allocation.services import newest_first, policy_for, version_in_force
from selfdirect.assessment.models import Assessment
from selfdirect.core.models import Authority
from selfdirect.ledger.constants import AccountKind, BudgetStatus, Route, Side, TxnKind
from selfdirect.ledger.models import Budget, CloseLine, Deployment, Leg, Payment, Spend, Transaction
from selfdirect.people.constants import FacsBand
from selfdirect.people.models import Person, Team
from selfdirect.plans.constants import PlanState, Progress
from selfdirect.plans.models import PanelReferral, Refusal, Review, ReviewOutcome, SupportPlan

from .models import BudgetOffer, MoveOn, OfferMadeAt, OfferOutcome

DEFAULT_FUNDED_BANDS: tuple[str, ...] = (FacsBand.CRITICAL, FacsBand.SUBSTANTIAL)
"""Eligible when no allocation policy of the authority is in force on the day counted: the
bands most councils funded (seed 002, "Access routes": "In many authorities, only people with
critical and substantial needs ... could be entitled to Social Care")."""
LIVE_BUDGET = (BudgetStatus.AGREED, BudgetStatus.ACTIVE)
LIVE_PLAN = (PlanState.ACTIVE, PlanState.UNDER_REVIEW, PlanState.WITHDRAWAL_NOTICE)
ACHIEVED = (Progress.MOSTLY, Progress.FULLY)
NI142_CODES = ("Stay Safe 4a",)
AGE_BANDS = (("18-64", 18, 65), ("65-74", 65, 75), ("75-84", 75, 85), ("85 and over", 85, 200))
# Up to this many people recorded after a period's end (imported or entered late) are left out of
# its whole-authority figures by their ids; more (an older period) by an anti-join.
LATER_LISTED = 1000


@dataclass(frozen=True)
class FundedBands:
    """The FACS bands an authority funds on a day, and the policy version that says so (None:
    no published version is in force that day, so the default bands are used)."""

    bands: tuple[str, ...]
    version: str | None = None  # the version as people name it (its title and date)


@dataclass(frozen=True)
class Scope:
    authority: Authority
    start: dt.date
    end: dt.date  # inclusive
    client_group: str = ""
    team_id: int | None = None
    caseload: QuerySet[Person] | None = None  # None: the whole authority

    @cached_property
    def recorded_later(self) -> list[int] | None:
        """The people in the authority recorded after the period's end (imported or entered late):
        their ids if there are at most LATER_LISTED, else None (many). One query, once per report."""
        later = Person.objects.filter(recorded_after(self.end), authority=self.authority)
        ids = list(later.values_list("pk", flat=True)[: LATER_LISTED + 1])
        return ids if len(ids) <= LATER_LISTED else None

    @cached_property
    def policy_versions(self) -> list[PolicyVersion]:
        """The authority's published allocation policy versions, newest first: one query per report."""
        return list(newest_first(self.authority))

    def funded_bands(self, on: dt.date) -> FundedBands:
        """The bands the authority funds on ``on``: those of its allocation policy version in force
        that day (each authority sets its own, and may change them from one version to the next),
        else :data:`DEFAULT_FUNDED_BANDS`."""
        version = version_in_force(self.policy_versions, on)
        if version is None:
            return FundedBands(DEFAULT_FUNDED_BANDS)
        bands = policy_for(version).model.eligibility.funded_bands
        # In FACS order (critical first), however the policy lists them.
        return FundedBands(tuple(b for b in FacsBand.values if b in bands), version.label)


def start_of(day: dt.date) -> dt.datetime:
    """The instant ``day`` begins in the current time zone (settings.TIME_ZONE), as Django's
    ``__date`` lookups read a date-time."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def recorded_by(day: dt.date, path: str = "") -> Q:
    """Created (the person at ``path``, or the record itself) by the end of ``day``: the same as
    ``created_at__date__lte=day``, but a comparison with an instant, which reads the column as
    it is (no time zone conversion per row) and which an index can serve."""
    prefix = f"{path}__" if path else ""
    return Q(**{f"{prefix}created_at__lt": start_of(day + dt.timedelta(days=1))})


def recorded_after(day: dt.date) -> Q:
    """Created after the end of ``day``: exactly the records recorded_by(day) leaves out."""
    return Q(created_at__gte=start_of(day + dt.timedelta(days=1)))


def recorded_in(start: dt.date, end: dt.date) -> Q:
    """Created from the start of ``start`` to the end of ``end`` (``created_at__date__range``)."""
    return Q(created_at__gte=start_of(start)) & recorded_by(end)


def people(scope: Scope) -> QuerySet[Person]:
    """The people the report counts: in the authority, known by the period's end, filtered."""
    qs = Person.objects.filter(recorded_by(scope.end), authority=scope.authority)
    if scope.client_group:
        qs = qs.filter(client_group=scope.client_group)
    if scope.team_id is not None:
        qs = qs.filter(team_id=scope.team_id)
    if scope.caseload is not None:
        qs = qs.filter(pk__in=scope.caseload.values("pk"))
    return qs


def filtered(scope: Scope) -> bool:
    return bool(scope.client_group) or scope.team_id is not None or scope.caseload is not None


def among(scope: Scope, path: str) -> Q:
    """Records whose person (at ``path``) the report counts: those of people(scope). With no
    filter that is everyone in the authority recorded by the period's end. The records' own
    authority already says the first part (no subquery of 100,000 people). For the second, the
    people recorded after the end (the same cut-off as people() uses, looked up once per report):
    usually none, and nothing to add; a few, left out by their ids (a hashed NOT IN list); many,
    left out by an anti-join (NOT EXISTS). Records with no person at ``path`` stay in."""
    if filtered(scope):
        return Q(**{f"{path}__in": people(scope)})
    later = scope.recorded_later
    if later == []:
        return Q()
    if later is not None:
        return ~Q(**{f"{path}__in": later})
    return Q(~Exists(Person.objects.filter(recorded_after(scope.end), pk=OuterRef(path))))


def teams(authority: Authority) -> list[tuple[int, str]]:
    return list(Team.objects.filter(authority=authority).order_by("name").values_list("pk", "name"))


def _live_budgets(scope: Scope, on: dt.date | None = None) -> QuerySet[Budget]:
    """Agreed or active budgets running at some point in the period (or on ``on``)."""
    first, last = (on, on) if on else (scope.start, scope.end)
    return Budget.objects.filter(
        authority=scope.authority, status__in=LIVE_BUDGET, period_start__lte=last, period_end__gte=first
    )


def _on_pb(scope: Scope, on: dt.date) -> Q:
    """On a personal budget on ``on``: uncorrelated IN subqueries, which PostgreSQL hashes once
    rather than probing per person."""
    budgets = _live_budgets(scope, on).values("person")
    plans = SupportPlan.objects.filter(authority=scope.authority, state__in=LIVE_PLAN).values("person")
    return Q(pk__in=budgets) | Q(pk__in=plans)


def _on_dp(scope: Scope, on: dt.date) -> Q:
    dp = Deployment.objects.filter(
        route=Route.DIRECT_PAYMENT,
        budget__authority=scope.authority,
        budget__status__in=LIVE_BUDGET,
        budget__period_start__lte=on,
        budget__period_end__gte=on,
    ).values("budget__person")
    return Q(pk__in=dp)


def cohort(scope: Scope, name: str) -> QuerySet[Person]:
    """The people behind a headline number (for drill-down), by name."""
    base = people(scope)
    eligible = base.filter(facs_band__in=scope.funded_bands(scope.end).bands)
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
    if name == "refusals_recorded":
        recorded = _refusals(scope).filter(recorded_on__range=(scope.start, scope.end))
        return base.filter(pk__in=recorded.values("person"))
    if name in ("reviews_due", "reviews_done"):
        field = "due_on" if name == "reviews_due" else "held_on"
        found = _reviews(scope).filter(**{f"{field}__range": (scope.start, scope.end)})
        return base.filter(pk__in=found.values("plan__person"))
    if name.startswith("route_") and name[6:] in Route.values:
        deployed = Deployment.objects.filter(route=name[6:], budget__in=_live_budgets(scope).values("pk"))
        return base.filter(pk__in=deployed.values("budget__person"))
    if name.startswith("stream_"):
        running = _live_budgets(scope).filter(stream=name[len("stream_") :])
        return base.filter(pk__in=running.values("person"))
    for dimension in EQUITY_DIMENSIONS:
        if name.startswith(f"equity_{dimension}_"):
            key = name[len(f"equity_{dimension}_") :]
            if dimension == "age_band":
                key = age_band_label(key) or ""
            if not key:
                return base.none()
            latest = _latest_allocations(scope, dimension).filter(group=key)
            return base.filter(pk__in=latest.values("person"))
    if name.startswith("offers_review_"):
        review_parts = _review_offer_parts(scope)
        part = name[len("offers_review_") :]
        if part not in review_parts:
            return base.none()
        return base.filter(pk__in=_review_offers(scope).filter(review_parts[part]).values("person"))
    if name in ("offers_follow_up_due", "offers_followed_up"):
        new, accepted, declined = _offer_filters(scope)
        refusals = _first_contact_refusals(scope).filter(follow_up_on__lte=scope.end)
        if name == "offers_followed_up":
            refusals = refusals.filter(followed_up_on__lte=scope.end)
        return new.filter(declined & ~accepted, pk__in=refusals.values("person"))
    if name.startswith("offers_"):
        new, accepted, declined = _offer_filters(scope)
        parts = {
            "offers_made": Q(),
            "offers_accepted": accepted,
            "offers_declined": declined & ~accepted,
            "offers_undecided": ~accepted & ~declined,
        }
        return new.filter(parts[name]) if name in parts else base.none()
    if name.startswith("journey_") and name[8:] in ("assessment", "budget", "payment"):
        records, person, _ = _journey_steps(scope)[name[8:]]
        return base.filter(pk__in=records.values(person))
    if name.startswith("panel_"):
        decision = "" if name == "panel_undecided" else name[6:]
        referred = PanelReferral.objects.filter(
            authority=scope.authority, referred_at__date__range=(scope.start, scope.end), decision=decision
        )
        return base.filter(pk__in=referred.values("plan__person"))
    if name == "moved_on":
        left = MoveOn.objects.filter(authority=scope.authority, left_on__range=(scope.start, scope.end))
        return base.filter(pk__in=left.values("person"))
    if name == "ni142":
        reviewed = _ni142_answers(scope)
        return base.filter(pk__in=reviewed.values("review__plan__person"))
    return base.none()


def take_up(scope: Scope, on: dt.date) -> dict[str, int]:
    """Eligible people on ``on`` (in a band the authority funds that day), and how many of them
    hold a personal budget or direct payment."""
    base = people(scope).filter(facs_band__in=scope.funded_bands(on).bands)
    base = base.filter(recorded_by(on))
    return base.aggregate(
        eligible=Count("pk"),
        personal_budget=Count("pk", filter=_on_pb(scope, on)),
        direct_payment=Count("pk", filter=_on_dp(scope, on)),
    )


def people_by_route(scope: Scope) -> list[dict[str, Any]]:
    # The budget's conditions on the join itself (not budget IN (live budgets)): one join, not two.
    rows = (
        Deployment.objects.filter(
            among(scope, "budget__person"),
            budget__authority=scope.authority,
            budget__status__in=LIVE_BUDGET,
            budget__period_start__lte=scope.end,
            budget__period_end__gte=scope.start,
        )
        .values("route")
        .annotate(people=Count("budget__person", distinct=True))
        .order_by("route")
    )
    return [dict(r) for r in rows]


def people_by_stream(scope: Scope) -> list[dict[str, Any]]:
    rows = (
        _live_budgets(scope)
        .filter(among(scope, "person"))
        .values("stream")
        .annotate(people=Count("person", distinct=True), agreed=Sum("agreed_annual_pence"))
        .order_by("stream")
    )
    return [dict(r) for r in rows]


def _reviews(scope: Scope) -> QuerySet[Review]:
    return Review.objects.filter(among(scope, "plan__person"), authority=scope.authority)


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
            among(scope, "plan__person"),
            authority=scope.authority,
            referred_at__date__range=(scope.start, scope.end),
        )
        .values("decision")
        .annotate(plans=Count("plan", distinct=True))
        .order_by("decision")
    )
    return [dict(r) for r in rows]


def _refusals(scope: Scope) -> QuerySet[Refusal]:
    return Refusal.objects.filter(among(scope, "person"), authority=scope.authority)


def refusals(scope: Scope) -> dict[str, int]:
    s, e = scope.start, scope.end
    return _refusals(scope).aggregate(
        recorded=Count("pk", filter=Q(recorded_on__range=(s, e))),
        follow_ups_due=Count("pk", filter=Q(follow_up_on__lte=e, recorded_on__lte=e)),
        followed_up=Count("pk", filter=Q(follow_up_on__lte=e, followed_up_on__lte=e)),
    )


def offers(scope: Scope) -> dict[str, int]:
    """People referred in the period (each offered a personal budget at first contact, seed 001),
    and by the period's end: accepted (a support plan at any stage, or an agreed budget), declined
    (a refusal recorded, not accepted since)."""
    new, accepted, declined = _offer_filters(scope)
    return new.aggregate(
        offered=Count("pk"),
        accepted=Count("pk", filter=accepted),
        declined=Count("pk", filter=declined & ~accepted),
    )


def _offer_filters(scope: Scope) -> tuple[QuerySet[Person], Q, Q]:
    """People referred in the period, and the filters for accepted and declined by its end."""
    e = scope.end
    new = people(scope).filter(recorded_in(scope.start, e))
    accepted = Q(
        pk__in=SupportPlan.objects.filter(authority=scope.authority, created_at__date__lte=e).values("person")
    ) | Q(
        pk__in=Budget.objects.filter(
            authority=scope.authority, status__in=LIVE_BUDGET, agreed_at__date__lte=e
        ).values("person")
    )
    declined = Q(pk__in=_first_contact_refusals(scope).values("person"))
    return new, accepted, declined


def _first_contact_refusals(scope: Scope) -> QuerySet[Refusal]:
    """Refusals recorded by the period's end that are not the answer to an offer at a review."""
    return Refusal.objects.filter(
        authority=scope.authority, recorded_on__lte=scope.end, budget_offer__isnull=True
    )


def offer_follow_ups(scope: Scope) -> dict[str, Any]:
    """For people offered a budget at first contact in the period who declined (and have not
    accepted since): how many declined for each reason, how many had a follow-up due by the
    period's end and how many were followed up by then (people, not refusals)."""
    # The period's referrals are few: correlated EXISTS lets the database look up each one's
    # plans, budgets and refusals by index, rather than hash every plan and budget (as offers()
    # does once, for all its counts).
    e = scope.end
    a = scope.authority
    accepted = Exists(
        SupportPlan.objects.filter(person=OuterRef("pk"), authority=a, created_at__date__lte=e)
    ) | Exists(
        Budget.objects.filter(
            person=OuterRef("pk"), authority=a, status__in=LIVE_BUDGET, agreed_at__date__lte=e
        )
    )
    declined = Exists(_first_contact_refusals(scope).filter(person=OuterRef("pk")))
    who = people(scope).filter(recorded_in(scope.start, e)).filter(declined & ~accepted)
    theirs = Q(budget_refusals__recorded_on__lte=e, budget_refusals__budget_offer__isnull=True)
    reasons = {
        r["budget_refusals__reason"]: r["n"]
        for r in who.filter(theirs)
        .values("budget_refusals__reason")
        .annotate(n=Count("pk", distinct=True))
        .order_by("budget_refusals__reason")
    }
    due = theirs & Q(budget_refusals__follow_up_on__lte=e)
    agg = who.aggregate(
        due=Count("pk", distinct=True, filter=due),
        done=Count("pk", distinct=True, filter=due & Q(budget_refusals__followed_up_on__lte=e)),
    )
    return {"reasons": reasons, "due": agg["due"], "done": agg["done"]}


def _review_offers(scope: Scope) -> QuerySet[Any]:

    return BudgetOffer.objects.filter(
        among(scope, "person"),
        authority=scope.authority,
        made_at=OfferMadeAt.REVIEW,
        offered_on__range=(scope.start, scope.end),
    )


def _review_offer_parts(scope: Scope) -> dict[str, Q]:
    """Offers at reviews by their outcome as it stood at the period's end."""

    e = scope.end
    accepted = Q(outcome=OfferOutcome.ACCEPTED, decided_on__lte=e)
    declined = Q(outcome=OfferOutcome.DECLINED, decided_on__lte=e)
    return {
        "made": Q(),
        "accepted": accepted,
        "declined": declined,
        "undecided": ~accepted & ~declined,
        "follow_up_due": declined & Q(refusal__follow_up_on__lte=e),
        "followed_up": declined & Q(refusal__follow_up_on__lte=e, refusal__followed_up_on__lte=e),
    }


def review_offers(scope: Scope) -> dict[str, Any]:
    """Offers of a personal budget made at reviews in the period: how many, their outcome by the
    period's end, declines by reason and their follow-ups."""
    parts = _review_offer_parts(scope)
    offers = _review_offers(scope)
    out: dict[str, Any] = offers.aggregate(**{k: Count("pk", filter=q) for k, q in parts.items()})
    out["reasons"] = {
        r["refusal__reason"]: r["n"]
        for r in offers.filter(parts["declined"], refusal__isnull=False)
        .values("refusal__reason")
        .annotate(n=Count("pk"))
        .order_by("refusal__reason")
    }
    return out


def refusal_reasons(scope: Scope) -> list[dict[str, Any]]:
    """Refusals recorded in the period by reason, and how many were followed up by its end."""
    e = scope.end
    rows = (
        _refusals(scope)
        .filter(recorded_on__range=(scope.start, e))
        .values("reason")
        .annotate(declined=Count("pk"), followed_up=Count("pk", filter=Q(followed_up_on__lte=e)))
        .order_by("reason")
    )
    return [dict(r) for r in rows]


def journey(scope: Scope) -> dict[str, tuple[int, Decimal | None]]:
    """Days from referral (the person's record created) to first assessment, agreed budget and
    payment: how many people reached each step by the period's end, and the median days. On
    PostgreSQL each step is one query (first dates grouped per person, joined to the people,
    median by percentile_cont); elsewhere (SQLite in tests) the days are fetched and the median
    taken in Python, with the same result."""
    firsts: dict[str, QuerySet[Any]] = {
        key: qs.values(person).annotate(d=Min(day))
        for key, (qs, person, day) in _journey_steps(scope).items()
    }
    who = people(scope).order_by().annotate(referred=TruncDate("created_at")).values("pk", "referred")
    out: dict[str, tuple[int, Decimal | None]] = {}
    if connection.vendor == "postgresql":
        who_sql, who_params = who.query.sql_with_params()
        with connection.cursor() as cursor:
            for key, qs in firsts.items():
                sql, params = qs.query.sql_with_params()
                # Both parts are SQL compiled by Django from the querysets above; values are parameters.
                joined = f"FROM ({who_sql}) AS p(id, referred) JOIN ({sql}) AS f(person_id, d) ON f.person_id = p.id"
                median = "percentile_cont(0.5) WITHIN GROUP (ORDER BY GREATEST(f.d - p.referred, 0))"
                cursor.execute(f"SELECT COUNT(*), {median} {joined}", [*who_params, *params])  # noqa: S608
                n, median = cursor.fetchone()
                out[key] = (n, _tenth(median))
        return out
    referred = dict(who.values_list("pk", "referred"))
    for key, qs in firsts.items():
        days = [max((d - referred[pk]).days, 0) for pk, d in qs.values_list(qs.query.values_select[0], "d")
                if pk in referred and d is not None]  # fmt: skip
        out[key] = (len(days), _tenth(statistics.median(days)) if days else None)
    return out


def _journey_steps(scope: Scope) -> dict[str, tuple[QuerySet[Any], str, Any]]:
    """Each step of the journey by the period's end: its records, the path to their person, and
    the step's date."""
    a, e = scope.authority, scope.end
    return {
        "assessment": (Assessment.objects.filter(authority=a, on__lte=e), "person", "on"),
        "budget": (
            Budget.objects.filter(authority=a, agreed_at__isnull=False, agreed_at__date__lte=e),
            "person",
            TruncDate("agreed_at"),
        ),
        "payment": (
            Transaction.objects.filter(authority=a, kind=TxnKind.PAYMENT, on__lte=e, budget__isnull=False),
            "budget__person",
            "on",
        ),
    }


def _tenth(value: float | int | None) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


EQUITY_DIMENSIONS = ("client_group", "age_band", "sex")
AGE_BAND_LABELS = tuple(label for label, _, _ in AGE_BANDS) + ("Under 18",)


def group_key(group: str) -> str:
    """A group's name in a drill-down address: client groups and sexes are codes already; age
    bands ('85 and over') are written like 85-and-over."""
    return slugify(group)


def age_band_label(key: str) -> str | None:
    """The age band whose name in a drill-down address is ``key``, or None."""
    return next((label for label in AGE_BAND_LABELS if group_key(label) == key), None)


def allocations_by(scope: Scope, dimension: str) -> list[dict[str, Any]]:
    """People with an indicative budget (their latest allocation by the period's end), counted and
    summed by ``dimension`` and FACS band. 'Latest' is an anti-join (no later allocation of the same
    person), which PostgreSQL runs as one hash anti-join rather than a lookup per person."""
    rows = (
        _latest_allocations(scope, dimension)
        .annotate(need=F("person__facs_band"))
        .values("group", "need")
        .annotate(people=Count("pk"), total=Sum("total_annual_pence"))
        .order_by("group", "need")
    )
    return [
        {"group": r["group"], "facs_band": r["need"], "people": r["people"], "total": r["total"]}
        for r in rows
    ]


def _latest_allocations(scope: Scope, dimension: str) -> QuerySet[Any]:
    """Each counted person's latest allocation by the period's end, with its ``group``."""
    e = scope.end
    later = Allocation.objects.filter(person=OuterRef("person"), on__lte=e).filter(
        Q(on__gt=OuterRef("on")) | Q(on=OuterRef("on"), pk__gt=OuterRef("pk"))
    )
    # among() leaves out people recorded after the period's end, as everywhere else.
    qs = Allocation.objects.filter(among(scope, "person"), authority=scope.authority, on__lte=e)
    qs = qs.filter(~Exists(later))
    if dimension == "age_band":
        whens = [
            When(
                person__date_of_birth__gt=_years_before(e, hi),
                person__date_of_birth__lte=_years_before(e, lo),
                then=Value(label),
            )
            for label, lo, hi in AGE_BANDS
        ]
        qs = qs.annotate(group=Case(*whens, default=Value("Under 18"), output_field=CharField()))
    else:
        qs = qs.annotate(group=F(f"person__{dimension}"))
    return qs


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def outcomes(scope: Scope) -> list[dict[str, Any]]:
    """Outcome answers at reviews held in the period, per framework outcome."""
    rows = (
        ReviewOutcome.objects.filter(
            among(scope, "review__plan__person"),
            review__authority=scope.authority,
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
    return _ni142_answers(scope, codes).aggregate(
        people=Count("review__plan__person", distinct=True),
        achieved=Count("review__plan__person", distinct=True, filter=Q(progress__in=ACHIEVED)),
    )


def _ni142_answers(scope: Scope, codes: tuple[str, ...] = NI142_CODES) -> QuerySet[ReviewOutcome]:
    """Answers at reviews held in the period on outcomes linked to ``codes`` (NI 142's measure)."""
    return ReviewOutcome.objects.filter(
        among(scope, "review__plan__person"),
        review__authority=scope.authority,
        review__held_on__range=(scope.start, scope.end),
        outcome__framework_outcomes__code__in=codes,
    )


def move_ons(scope: Scope) -> dict[str, int]:
    """NI 141: people who left short-term support in the period, and how many moved on in a planned way."""

    return MoveOn.objects.filter(
        among(scope, "person"), authority=scope.authority, left_on__range=(scope.start, scope.end)
    ).aggregate(left=Count("pk"), planned=Count("pk", filter=Q(planned=True)))


MONEY_DIMENSIONS = {"stream": "stream", "route": "route", "client_group": "person__client_group"}


def money_by(scope: Scope, dimension: str) -> dict[str, dict[str, int]]:
    """Agreed a year (budgets running in the period), paid and spent in the period, by ``dimension``."""
    s, e = scope.start, scope.end
    out: dict[str, dict[str, int]] = {}

    def put(key: str | None, field: str, value: int | None) -> None:
        out.setdefault(key or "", {"agreed": 0, "paid": 0, "spent": 0})[field] += value or 0

    if dimension == "route":
        agreed_rows = (
            Deployment.objects.filter(
                budget__in=_live_budgets(scope).filter(among(scope, "person")).values("pk")
            )
            .values("route")
            .annotate(v=Sum("budget__agreed_annual_pence"))
        )
        for r in agreed_rows:
            put(r["route"], "agreed", r["v"])
        spend_key = "route"
    else:
        path = MONEY_DIMENSIONS[dimension]
        for r in (
            _live_budgets(scope)
            .filter(among(scope, "person"))
            .values(path)
            .annotate(v=Sum("agreed_annual_pence"))
        ):
            put(r[path], "agreed", r["v"])
        spend_key = f"budget__{path}"
        pay_key = f"instalment__budget__{path}"
        paid = (
            Payment.objects.filter(
                among(scope, "instalment__budget__person"),
                instalment__budget__authority=scope.authority,
                transaction__on__range=(s, e),
                # A payment is dated inside its run's month (ledger services clamp it there), so
                # this only narrows the search to the period's runs, through the run index.
                run__period__start__lte=e,
                run__period__end__gte=s,
            )
            .values(pay_key)
            .annotate(v=Sum("amount_pence"))
        )
        for r in paid:
            put(r[pay_key], "paid", r["v"])
    spent = (
        Spend.objects.filter(
            among(scope, "budget__person"), budget__authority=scope.authority, on__range=(s, e)
        )
        .values(spend_key)
        .annotate(v=Sum("amount_pence"))
    )
    for r in spent:
        put(r[spend_key], "spent", r["v"])
    return out


def close_totals(scope: Scope) -> dict[str, int]:
    agg = CloseLine.objects.filter(
        among(scope, "budget__person"),
        period__authority=scope.authority,
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
    legs = legs.filter(among(scope, "transaction__budget__person"))
    agg = legs.aggregate(
        charged=Sum("amount", filter=Q(account__kind=AccountKind.CONTRIBUTION_INCOME, side=Side.CREDIT)),
        invoiced=Sum("amount", filter=Q(account__kind=AccountKind.CONTRIBUTION_DUE, side=Side.DEBIT)),
        received=Sum("amount", filter=Q(account__kind=AccountKind.CONTRIBUTION_DUE, side=Side.CREDIT)),
    )
    return {k: v or 0 for k, v in agg.items()}
