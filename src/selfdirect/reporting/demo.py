"""Demo reporting data: each demo authority's personal budget target (seed 004 Q1: 30%),
people leaving short-term housing-related support over the year to the demo day, three in four
in a planned way (NI 141), and personal budgets offered at reviews of traditional services
(seed 001) in the months after it: accepted, declined with a reason (one followed up) or not
decided yet. Deterministic and idempotent: run it twice and nothing changes."""

from __future__ import annotations

import datetime as dt

from selfdirect.core.models import Authority
from selfdirect.people.constants import ClientGroup
from selfdirect.people.models import Person
from selfdirect.plans.constants import RefusalReason
from selfdirect.plans.models import Refusal, SupportPlan

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
DEMO_DAY = dt.date(2026, 4, 1)


def load_reporting_demo() -> None:
    for authority in Authority.objects.filter(slug__in=["northshire", "southvale"]):
        ReportingSettings.objects.get_or_create(
            authority=authority, defaults={"pb_target_percent": DEFAULT_TARGET_PERCENT}
        )
        load_review_offers(authority)
        if MoveOn.objects.filter(authority=authority).exists():
            continue
        leavers = Person.objects.filter(authority=authority, client_group__in=SHORT_TERM_GROUPS).order_by(
            "reference"
        )
        MoveOn.objects.bulk_create(
            [MoveOn(authority=authority, person=p,
                    service=ShortTermService.SUPPORTED_ACCOMMODATION if i % 3 else ShortTermService.FLOATING_SUPPORT,
                    left_on=DEMO_DAY - dt.timedelta(days=1 + (i * 7) % 365), planned=i % 4 != 0,
                    destination=DESTINATIONS[i % len(DESTINATIONS)] if i % 4 else "")
             for i, p in enumerate(leavers[:60])]
        )  # fmt: skip


OFFER_OUTCOMES = (OfferOutcome.ACCEPTED, OfferOutcome.DECLINED, OfferOutcome.UNDECIDED, OfferOutcome.DECLINED)
OFFER_REASONS = (RefusalReason.PREFERS_SERVICES, RefusalReason.MONEY_WORRIES, RefusalReason.NOT_NOW)


def load_review_offers(authority: Authority) -> None:
    """Eight offers at reviews of people on traditional services (no support plan), a fortnight
    apart from the demo day: two accepted, four declined (each with a reason, the first followed
    up), two not decided yet."""
    if BudgetOffer.objects.filter(authority=authority).exists():
        return
    from selfdirect.plans.services import current_rules

    follow_up_days = current_rules(authority)[0].refusal_follow_up_days
    planned = SupportPlan.objects.filter(authority=authority).values("person")
    reviewed = Person.objects.filter(authority=authority).exclude(pk__in=planned).order_by("reference")[10:18]
    declines = 0
    for i, person in enumerate(reviewed):
        day = DEMO_DAY + dt.timedelta(days=14 * i)
        outcome = OFFER_OUTCOMES[i % len(OFFER_OUTCOMES)]
        refusal = None
        if outcome == OfferOutcome.DECLINED:
            follow_up = day + dt.timedelta(days=follow_up_days)
            refusal = Refusal.objects.create(
                authority=authority, person=person, reason=OFFER_REASONS[declines % len(OFFER_REASONS)],
                notes="Demo: declined at a review", recorded_on=day, follow_up_on=follow_up,
                followed_up_on=follow_up if declines == 0 else None,
                follow_up_notes="Demo: still happy with their services" if declines == 0 else "",
            )  # fmt: skip
            declines += 1
        BudgetOffer.objects.create(
            authority=authority, person=person, made_at=OfferMadeAt.REVIEW, offered_on=day, outcome=outcome,
            decided_on=None if outcome == OfferOutcome.UNDECIDED else day, refusal=refusal,
            notes="Demo: offered at a review of their services",
        )  # fmt: skip
