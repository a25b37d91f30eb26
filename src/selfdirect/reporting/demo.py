"""Demo reporting data over the demo's year of history (selfdirect.core.demo): each demo
authority's personal budget target (seed 004 Q1: 30%); people leaving short-term housing-related
support through the year, three in four in a planned way (NI 141);
and personal budgets offered at reviews of traditional services (seed 001) through the year to
people brought in with the caseload: accepted, declined with a reason (one followed up) or not
decided yet. Deterministic and idempotent: run it twice and nothing changes."""

from __future__ import annotations

import datetime as dt

from selfdirect.core.demo import DemoCalendar, backdate
from selfdirect.core.models import Authority
from selfdirect.people.constants import ClientGroup
from selfdirect.people.models import Person
from selfdirect.plans.constants import RefusalReason
from selfdirect.plans.models import Refusal, SupportPlan
from selfdirect.plans.services import current_rules

from .models import (
    DEFAULT_TARGET_PERCENT,
    BudgetOffer,
    MoveOn,
    OfferMadeAt,
    OfferOutcome,
    ReportingSettings,
    ShortTermService,
)

SHORT_TERM_GROUPS = (
    ClientGroup.SINGLE_HOMELESS, ClientGroup.YOUNG_AT_RISK, ClientGroup.DOMESTIC_VIOLENCE,
    ClientGroup.EX_OFFENDERS, ClientGroup.DRUG_ALCOHOL, ClientGroup.TEENAGE_PARENTS,
)  # fmt: skip
DESTINATIONS = ("Own council tenancy", "Private rented flat", "Housing association tenancy", "Back to family")


def load_reporting_demo(today: dt.date | None = None) -> None:
    cal = DemoCalendar.on(today)
    for authority in Authority.objects.filter(slug__in=["northshire", "southvale"]):
        ReportingSettings.objects.get_or_create(
            authority=authority, defaults={"pb_target_percent": DEFAULT_TARGET_PERCENT}
        )
        load_review_offers(authority, cal)
        if MoveOn.objects.filter(authority=authority).exists():
            continue
        leavers = Person.objects.filter(authority=authority, client_group__in=SHORT_TERM_GROUPS).order_by(
            "created_at", "reference"
        )
        moves = []
        for i, p in enumerate(leavers[:60]):
            # Spread over the months: the caseload brought in at go-live leaves through the year,
            # people referred since leave at the earliest three weeks after.
            left = max(cal.day(i % 12, 1 + (i * 11) % 27), p.created_at.date() + dt.timedelta(days=21))
            if left >= cal.today:
                continue
            moves.append(MoveOn(
                authority=authority, person=p, left_on=left, planned=i % 4 != 0,
                service=ShortTermService.SUPPORTED_ACCOMMODATION if i % 3 else ShortTermService.FLOATING_SUPPORT,
                destination=DESTINATIONS[i % len(DESTINATIONS)] if i % 4 else "",
            ))  # fmt: skip
        for move in MoveOn.objects.bulk_create(moves):
            backdate(
                MoveOn, move.pk, recorded_at=cal.at(min(move.left_on + dt.timedelta(days=2), cal.today), 12)
            )


OFFER_OUTCOMES = (OfferOutcome.ACCEPTED, OfferOutcome.DECLINED, OfferOutcome.UNDECIDED, OfferOutcome.DECLINED)
OFFER_REASONS = (RefusalReason.PREFERS_SERVICES, RefusalReason.MONEY_WORRIES, RefusalReason.NOT_NOW)
OFFERS = 8


def load_review_offers(authority: Authority, cal: DemoCalendar | None = None) -> None:
    """Eight offers at reviews of people on traditional services (no support plan, budget or
    refusal), known for a while (most brought in with the caseload), spread over the year: two
    accepted, four declined (each with a reason, the first followed up), two not decided yet."""
    cal = cal or DemoCalendar.on()
    if BudgetOffer.objects.filter(authority=authority).exists():
        return

    follow_up_days = current_rules(authority)[0].refusal_follow_up_days
    planned = SupportPlan.objects.filter(authority=authority).values("person")
    candidates = list(
        Person.objects.filter(
            authority=authority, user__isnull=True, budgets__isnull=True, budget_refusals__isnull=True
        )
        .exclude(pk__in=planned)
        .order_by("created_at", "reference")[: OFFERS * 2]
    )
    first = cal.start + dt.timedelta(days=20)
    span = max((cal.today - dt.timedelta(days=30) - first).days, 0)
    declines = 0
    for i in range(OFFERS):
        day = first + dt.timedelta(days=i * span // (OFFERS - 1))
        # Someone known for a while by then (their services are being reviewed).
        person = next((p for p in candidates if p.created_at.date() <= day - dt.timedelta(days=14)), None)
        if person is None:
            continue
        candidates.remove(person)
        outcome = OFFER_OUTCOMES[i % len(OFFER_OUTCOMES)]
        refusal = None
        if outcome == OfferOutcome.DECLINED:
            follow_up = day + dt.timedelta(days=follow_up_days)
            followed = declines == 0 and follow_up < cal.today
            refusal = Refusal.objects.create(
                authority=authority, person=person, reason=OFFER_REASONS[declines % len(OFFER_REASONS)],
                notes="Demo: declined at a review", recorded_on=day, follow_up_on=follow_up,
                followed_up_on=follow_up if followed else None,
                follow_up_notes="Demo: still happy with their services" if followed else "",
            )  # fmt: skip
            declines += 1
        offer = BudgetOffer.objects.create(
            authority=authority, person=person, made_at=OfferMadeAt.REVIEW, offered_on=day, outcome=outcome,
            decided_on=None if outcome == OfferOutcome.UNDECIDED else day, refusal=refusal,
            notes="Demo: offered at a review of their services",
        )  # fmt: skip
        backdate(BudgetOffer, offer.pk, recorded_at=cal.at(day, 16))
