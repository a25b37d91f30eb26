"""Helpers for the plans tests: a plan written in full by the broker, ready to submit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from selfdirect.core.constants import Role
from selfdirect.plans import services
from selfdirect.plans.constants import Deployment, Frequency, Helper, LineKind, RiskLevel
from selfdirect.plans.models import FrameworkOutcome, SupportPlan

DAY = dt.date(2026, 4, 1)  # a Wednesday: Northshire's panel meets on Wednesdays


def write_plan(
    side, person=None, *, budget=500000, pa_hours="7", pa_rate=1100, risk=RiskLevel.LOW, extra_lines=()
):
    """Mrs W's plan (seed 001): a PA for an hour each day, plus a community alarm."""
    person = person or side.caseload_person
    broker = side.users[Role.PLANNER]
    plan = services.create_plan(broker, person, today=DAY)
    services.update_plan(side.users[Role.ASSESSOR], plan, {"indicative_budget_pence": budget}, "test")
    services.update_plan(broker, plan, {
        "what_matters": "Reading my post and getting to hospital appointments",
        "helper": Helper.BROKER, "deployment": Deployment.DIRECT_PAYMENT,
        "risk_want": "Help each day", "risk_buy": "Employ a PA", "risk_risks": "PA off sick",
        "risk_manage": "Agency cover", "risk_level": risk, "contingency": "Extra hours from the 10% rollover",
        "starts_on": DAY,
    }, "test")  # fmt: skip
    sp = FrameworkOutcome.objects.get(authority=side.authority, code="Stay Safe 4a")
    services.save_outcome(broker, plan, "Keep my flat", "No arrears", [sp.pk])
    services.save_line(broker, plan, {
        "kind": LineKind.PERSONAL_ASSISTANT, "category": "personal_care", "description": "PA an hour each day",
        "supplier": "", "unit": "hour", "quantity": Decimal(pa_hours), "frequency": Frequency.WEEK, "unit_cost_pence": pa_rate,
    })  # fmt: skip
    for line in extra_lines:
        services.save_line(broker, plan, line)
    return SupportPlan.objects.get(pk=plan.pk)


def activate(side, plan, day=DAY):
    """Submit, approve and activate a plan as the side's assessor (money deployed from ``day``)."""
    assessor = side.users[Role.ASSESSOR]
    for step in ("submit", "approve", "activate"):
        services.apply_transition(assessor, plan, step, today=day)


def make_market(side, suffix=""):
    """A small market register for one authority: a home-care service whose rate table changed on
    1 January 2026 (£17.00 an hour before, £18.50 from then), a PA at £12.00 an hour and a broker
    at £30.00 an hour."""
    from selfdirect.market.models import Broker, PersonalAssistant, Provider, RateTable, Service

    provider = Provider.objects.create(authority=side.authority, name=f"Kelby Care{suffix}")
    service = Service.objects.create(
        authority=side.authority,
        provider=provider,
        name="Home care",
        support_type="personal_care",
        unit="hour",
    )
    RateTable.objects.create(authority=side.authority, service=service, starts_on=dt.date(2025, 1, 1),
                             ends_on=dt.date(2025, 12, 31), standard_pence=1700)  # fmt: skip
    RateTable.objects.create(authority=side.authority, service=service, starts_on=dt.date(2026, 1, 1),
                             standard_pence=1850)  # fmt: skip
    pa = PersonalAssistant.objects.create(
        authority=side.authority, name=f"Ann Lee{suffix}", hourly_rate_pence=1200
    )
    broker = Broker.objects.create(
        authority=side.authority, name=f"Plan Well{suffix}", fee_pence=3000, fee_basis="hour"
    )
    return service, pa, broker
