"""Demo budgets: a few agreed budgets per demo authority (including the £30,000 ISF from seed
004's glossary and a mix-and-match budget), and one completed payment run for April 2026; the
person user has an assessed contribution and an open dispute about it.
Deterministic and safe to run twice."""

from __future__ import annotations

import datetime as dt
from typing import Any

from selfdirect.core.models import Authority, User
from selfdirect.people.models import Person

from . import services
from .models import Budget

DEMO_SOURCE = "Demo budget"
YEAR = (dt.date(2026, 4, 1), dt.date(2027, 3, 31))
SHAPES: list[tuple[int, str, list[dict[str, Any]]]] = [
    # (annual pence, frequency, routes)
    (3000000, "monthly", [{"route": "isf", "payee_name": "Riverside Support Ltd", "payee_account": "PROV-0042"}]),
    (624000, "four_weekly", [{"route": "direct_payment"}]),
    (1040000, "monthly", [{"route": "council_managed", "share": 85, "payee_name": "Council-managed account",
                           "payee_account": "INTERNAL-CMA"},
                          {"route": "direct_payment", "share": 15}]),
    (780000, "weekly", [{"route": "third_party", "payee_name": "Age Concern brokerage", "payee_account": "PROV-0107",
                         "fee_percent": "4"}]),
    (416000, "monthly", [{"route": "virtual", "payee_name": "Preferred provider list", "payee_account": "PROV-0200"}]),
]  # fmt: skip


def load_ledger_demo() -> None:
    for authority in Authority.objects.filter(slug__in=["northshire", "southvale"]).order_by("slug"):
        if Budget.objects.filter(authority=authority, source__startswith=DEMO_SOURCE).exists():
            continue
        finance = User.objects.filter(username=f"{authority.slug}-finance").first()
        if finance is None:
            continue
        people = list(Person.objects.filter(authority=authority).order_by("reference")[: len(SHAPES)])
        own = Person.objects.filter(authority=authority, user__isnull=False).order_by("reference").first()
        if own is not None and own not in people:
            people[-1] = own
        for person, (annual, frequency, routes) in zip(people, SHAPES, strict=False):
            budget = services.create_budget(
                finance, person, stream="adult_social_care", period_start=YEAR[0], period_end=YEAR[1],
                agreed_annual_pence=annual, indicative_pence=annual, starts_on=YEAR[0], frequency=frequency,
                deployments=[{**r, "payee_name": r.get("payee_name") or str(person)} for r in routes],
                source=f"{DEMO_SOURCE}: indicative budget agreed unchanged", reason="Demo data",
            )  # fmt: skip
            services.agree_budget(finance, budget, "Demo support plan", "Demo data")
        if own is not None:  # the person user's assessed contribution (net or gross by policy)
            charge = services.assess_charge(
                finance, own, weekly_pence=1250, starts_on=YEAR[0], reason="Demo financial assessment"
            )
        run = services.start_run(finance, authority, "2026-04")
        services.execute_run(run.pk)
        if own is not None:  # and a dispute about it, open, for finance to decide (seed 004 Q8)
            services.open_dispute(
                finance, own, subject="My disability-related costs were left out of the assessment",
                raised_by=str(own), amount_pence=1250, charge=charge, on=dt.date(2026, 4, 20),
            )  # fmt: skip
