"""A small, known data set for reporting tests, on top of make_world(). Every figure the tests
expect is worked out by hand from what is built here (see the comments in the tests).

Northshire, period 2026-05 (everyone's record created on 1 January 2026):
- self_person (older, substantial, home team): budget 2026-04-01..2027-03-31 £5,200 a year,
  direct payment; assessed 11 Jan; budget agreed 2 Mar; first payment 1 May (£400).
- caseload_person (older, substantial, home team): budget £5,200, council-managed; assessed
  21 Jan; agreed 1 Apr; a plan referred to the panel on 6 May (no decision yet).
- other_person (older, substantial, other team): only a draft budget (not counted).
- ld (severe learning disabilities, critical, other team): no budget but an active plan;
  assessed 31 Jan; reviews; referral approved on 5 May; a referral in April (outside).
- moderate (older, moderate): not eligible; declined a budget.
- low (physical and sensory, low): a direct-payment budget of £5,200, but not eligible.
- Move-ons from short-term support (NI 141): in May ld (supported accommodation, 5 May, planned),
  moderate (floating support, 20 May, not planned), low (supported accommodation, 31 May,
  planned); outside May: moderate on 30 April (planned); in Southvale: self_person (planned).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from helpers import World, make_person
from selfdirect.allocation.models import Allocation, PolicyVersion
from selfdirect.assessment.models import Assessment
from selfdirect.core.constants import Role
from selfdirect.core.models import Authority
from selfdirect.ledger.constants import AccountKind, BudgetStatus, Route, Side, TxnKind
from selfdirect.ledger.models import (
    Account,
    Budget,
    CloseLine,
    Deployment,
    Instalment,
    Leg,
    Payment,
    PaymentRun,
    Period,
    Spend,
    Transaction,
)
from selfdirect.people.constants import ClientGroup, FacsBand
from selfdirect.people.models import Person
from selfdirect.plans.constants import PanelDecision, PlanState, Progress, RefusalReason
from selfdirect.plans.models import (
    FrameworkOutcome,
    OutcomeFramework,
    PanelReferral,
    PlanOutcome,
    Refusal,
    Review,
    ReviewOutcome,
    SupportPlan,
)
from selfdirect.reporting.models import MoveOn, ShortTermService

JAN1 = dt.date(2026, 1, 1)


def aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, 12))


def backdate(authority: Authority, day: dt.date = JAN1) -> None:
    Person.objects.filter(authority=authority).update(created_at=aware(day))


def budget(person: Person, route: str | None, status: str = BudgetStatus.AGREED, agreed_on: dt.date | None = None,
           pence: int = 520000) -> Budget:  # fmt: skip
    b = Budget.objects.create(
        authority=person.authority, person=person, stream="social_care", period_start=dt.date(2026, 4, 1),
        period_end=dt.date(2027, 3, 31), agreed_annual_pence=pence, starts_on=dt.date(2026, 4, 1), status=status,
        agreed_at=aware(agreed_on) if agreed_on else None,
    )  # fmt: skip
    if route:
        Deployment.objects.create(budget=b, route=route, payee_name="Payee", payee_account="00-00-00 0000")
    return b


# Plans are recorded as written on this day: after every month the tests look at, inside 2026
# (never "today", which the suite runs on more than one of).
PLANS_WRITTEN = dt.date(2026, 11, 30)


def plan(person: Person, state: str) -> SupportPlan:
    made = SupportPlan.objects.create(
        authority=person.authority,
        person=person,
        state=state,
        indicative_budget_pence=520000,
        budget_source="test",
    )
    SupportPlan.objects.filter(pk=made.pk).update(created_at=aware(PLANS_WRITTEN))
    made.refresh_from_db()
    return made


def policy(authority: Authority) -> PolicyVersion:
    return PolicyVersion.objects.create(
        authority=authority, policy_id=f"{authority.slug}-test", title="Test", effective_from=JAN1,
        content_hash=f"{authority.slug}hash", version_id=f"{authority.slug}-test@hash", filename="t.yaml", yaml_text="x",
    )  # fmt: skip


def assess(person: Person, pv: PolicyVersion, on: dt.date) -> Assessment:
    return Assessment.objects.create(authority=person.authority, person=person, policy_version=pv, on=on)


def allocate(person: Person, pv: PolicyVersion, pence: int, on: dt.date = dt.date(2026, 2, 1)) -> Allocation:
    a = assess(person, pv, on)
    return Allocation.objects.create(
        authority=person.authority, person=person, assessment=a, policy_version=pv, on=on, source="assessor",
        band=person.facs_band, route="direct_payment", total_annual_pence=pence, total_weekly_pence=pence // 52,
        explanation={},
    )  # fmt: skip


def account(authority: Authority, kind: str) -> Account:
    return Account.objects.create(authority=authority, code=kind, name=kind, kind=kind)


@dataclass
class North:
    ld: Person
    moderate: Person
    low: Person
    ld_plan: SupportPlan


def build_north(world: World) -> North:
    side = world.north
    a = side.authority
    ld = make_person(a, side.other_team, "Leon", "Day", client_group=ClientGroup.SEVERE_LEARNING_DISABILITIES,
                     facs_band=FacsBand.CRITICAL, date_of_birth=dt.date(1990, 1, 1))  # fmt: skip
    moderate = make_person(a, side.home_team, "Mo", "Derate", facs_band=FacsBand.MODERATE)
    low = make_person(a, side.other_team, "Lo", "Band", facs_band=FacsBand.LOW,
                      client_group=ClientGroup.PHYSICAL_SENSORY)  # fmt: skip
    backdate(a)
    own = budget(side.self_person, Route.DIRECT_PAYMENT, agreed_on=dt.date(2026, 3, 2))
    case = budget(side.caseload_person, Route.COUNCIL_MANAGED, agreed_on=dt.date(2026, 4, 1))
    budget(side.other_person, Route.DIRECT_PAYMENT, status=BudgetStatus.DRAFT)
    budget(low, Route.DIRECT_PAYMENT)
    ld_plan = plan(ld, PlanState.ACTIVE)
    case_plan = plan(side.caseload_person, PlanState.REFERRED)
    pv = policy(a)
    assess(side.self_person, pv, dt.date(2026, 1, 11))
    assess(side.caseload_person, pv, dt.date(2026, 1, 21))
    assess(ld, pv, dt.date(2026, 1, 31))
    # Reviews of the LD plan
    r_a = Review.objects.create(
        authority=a, plan=ld_plan, due_on=dt.date(2026, 5, 10), held_on=dt.date(2026, 5, 12)
    )
    Review.objects.create(authority=a, plan=ld_plan, due_on=dt.date(2026, 5, 20))
    r_c = Review.objects.create(
        authority=a, plan=ld_plan, due_on=dt.date(2026, 4, 1), held_on=dt.date(2026, 5, 2)
    )
    Review.objects.create(authority=a, plan=ld_plan, due_on=dt.date(2026, 6, 10))
    sp = OutcomeFramework.objects.create(authority=a, key="sp", title="Supporting People")
    safe = FrameworkOutcome.objects.create(
        authority=a, framework=sp, code="Stay Safe 4a", title="Keep my home"
    )
    enjoy = FrameworkOutcome.objects.create(
        authority=a, framework=sp, code="Enjoy and Achieve 2b", title="Leisure"
    )
    o1 = PlanOutcome.objects.create(authority=a, plan=ld_plan, text="Keep my flat")
    o1.framework_outcomes.add(safe)
    o2 = PlanOutcome.objects.create(authority=a, plan=ld_plan, text="Go to the club")
    o2.framework_outcomes.add(enjoy)
    ReviewOutcome.objects.create(review=r_a, outcome=o1, progress=Progress.FULLY)
    ReviewOutcome.objects.create(review=r_a, outcome=o2, progress=Progress.PARTLY)
    ReviewOutcome.objects.create(review=r_c, outcome=o1, progress=Progress.MOSTLY)
    ReviewOutcome.objects.create(review=r_c, outcome=o2, progress=Progress.NOT_AT_ALL)
    # Panel
    PanelReferral.objects.create(authority=a, plan=ld_plan, referred_at=aware(dt.date(2026, 5, 5)),
                                 decision=PanelDecision.APPROVED)  # fmt: skip
    PanelReferral.objects.create(authority=a, plan=case_plan, referred_at=aware(dt.date(2026, 5, 6)))
    PanelReferral.objects.create(authority=a, plan=ld_plan, referred_at=aware(dt.date(2026, 4, 6)),
                                 decision=PanelDecision.NOT_APPROVED)  # fmt: skip
    # Refusals
    Refusal.objects.create(authority=a, person=moderate, reason=RefusalReason.NOT_NOW, recorded_on=dt.date(2026, 5, 3),
                           follow_up_on=dt.date(2026, 5, 20), followed_up_on=dt.date(2026, 5, 21))  # fmt: skip
    Refusal.objects.create(authority=a, person=side.other_person, reason=RefusalReason.OTHER,
                           recorded_on=dt.date(2026, 4, 1), follow_up_on=dt.date(2026, 5, 1))  # fmt: skip
    Refusal.objects.create(authority=a, person=low, reason=RefusalReason.OTHER, recorded_on=dt.date(2026, 5, 10),
                           follow_up_on=dt.date(2026, 6, 10))  # fmt: skip
    # Leaving short-term support (NI 141)
    for who, service, day, planned in (
        (ld, ShortTermService.SUPPORTED_ACCOMMODATION, dt.date(2026, 5, 5), True),
        (moderate, ShortTermService.FLOATING_SUPPORT, dt.date(2026, 5, 20), False),
        (low, ShortTermService.SUPPORTED_ACCOMMODATION, dt.date(2026, 5, 31), True),
        (moderate, ShortTermService.FLOATING_SUPPORT, dt.date(2026, 4, 30), True),
    ):
        MoveOn.objects.create(authority=a, person=who, service=service, left_on=day, planned=planned)
    MoveOn.objects.create(authority=world.south.authority, person=world.south.self_person,
                          service=ShortTermService.SUPPORTED_ACCOMMODATION, left_on=dt.date(2026, 5, 6), planned=True)  # fmt: skip
    # Money in May: one payment of £400 to self_person; spending £250 (self) and £100 (caseload)
    may = Period.objects.create(authority=a, start=dt.date(2026, 5, 1), end=dt.date(2026, 5, 31))
    run = PaymentRun.objects.create(authority=a, period=may, started_by=side.users[Role.FINANCE])
    inst = Instalment.objects.create(budget=own, seq=1, due_on=dt.date(2026, 5, 1), covers_from=dt.date(2026, 5, 1),
                                     covers_to=dt.date(2026, 5, 28), amount_pence=40000)  # fmt: skip
    pay_txn = Transaction.objects.create(authority=a, period=may, on=dt.date(2026, 5, 1), kind=TxnKind.PAYMENT,
                                         memo="pay", budget=own)  # fmt: skip
    Payment.objects.create(instalment=inst, run=run, transaction=pay_txn, amount_pence=40000)
    for b, route, pence, day in (
        (own, Route.DIRECT_PAYMENT, 25000, 10),
        (case, Route.COUNCIL_MANAGED, 10000, 12),
    ):
        txn = Transaction.objects.create(authority=a, period=may, on=dt.date(2026, 5, day), kind=TxnKind.SPEND,
                                         memo="spend", budget=b)  # fmt: skip
        Spend.objects.create(budget=b, route=route, on=txn.on, category="care", description="Care", amount_pence=pence,
                             transaction=txn, recorded_by=side.users[Role.FINANCE])  # fmt: skip
    CloseLine.objects.create(period=may, budget=own, unspent_pence=5000, kept_pence=3000, clawed_back_pence=2000,
                             rule="keep up to 60%")  # fmt: skip
    due, income, bank = (account(a, k) for k in (AccountKind.CONTRIBUTION_DUE, AccountKind.CONTRIBUTION_INCOME,
                                                 AccountKind.BANK))  # fmt: skip
    for legs in (
        [(due, Side.DEBIT, 1000), (income, Side.CREDIT, 1000)],  # gross contribution invoiced
        [(bank, Side.DEBIT, 500), (income, Side.CREDIT, 500)],  # net contribution deducted
        [(bank, Side.DEBIT, 600), (due, Side.CREDIT, 600)],  # money received against the invoice
    ):
        txn = Transaction.objects.create(authority=a, period=may, on=dt.date(2026, 5, 15), kind=TxnKind.CONTRIBUTION,
                                         memo="contribution", budget=own)  # fmt: skip
        for acc, side_, amount in legs:
            Leg.objects.create(transaction=txn, account=acc, side=side_, amount=amount)
    # Something in Southvale that must never show in Northshire's figures
    s = world.south
    budget(s.self_person, Route.DIRECT_PAYMENT)
    budget(s.caseload_person, Route.DIRECT_PAYMENT)
    backdate(s.authority)
    return North(ld, moderate, low, ld_plan)


def build_south_equity(world: World) -> None:
    """Southvale allocations: substantial older £1,000 and £2,000, LD £6,000; critical older
    £4,000, LD £8,000 (the LD people born 1990, everyone else 1950)."""
    s = world.south
    a = s.authority
    pv = policy(a)
    ld_sub = make_person(a, s.other_team, "Lee", "Sub", client_group=ClientGroup.SEVERE_LEARNING_DISABILITIES,
                         date_of_birth=dt.date(1990, 1, 1))  # fmt: skip
    old_crit = make_person(a, s.other_team, "Olive", "Crit", facs_band=FacsBand.CRITICAL)
    ld_crit = make_person(a, s.other_team, "Lara", "Crit", client_group=ClientGroup.SEVERE_LEARNING_DISABILITIES,
                          facs_band=FacsBand.CRITICAL, date_of_birth=dt.date(1990, 1, 1))  # fmt: skip
    backdate(a)
    allocate(s.self_person, pv, 100000)
    allocate(s.caseload_person, pv, 200000)
    allocate(ld_sub, pv, 600000)
    allocate(old_crit, pv, 400000)
    allocate(ld_crit, pv, 800000)
    # A later allocation (July) must not count for a May report.
    allocate(s.caseload_person, pv, 250000, on=dt.date(2026, 7, 1))
