"""Demo support plans: for each demo authority, plans in every main state on the assessor's
team's caseload, a panel meeting with an agenda, reviews due and a refusal to follow up.
Deterministic (fixed people, dates and figures) and idempotent (skipped once plans exist).
Margaret Okafor, the demo person, is left without a plan so she can write her own."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction

from selfdirect.core.constants import Role
from selfdirect.core.models import Authority, Membership, User
from selfdirect.people.models import Person

from . import services
from .constants import Deployment, Frequency, Helper, LineKind, RefusalReason, RiskLevel
from .models import FrameworkOutcome, SupportPlan

DEMO_DAY = dt.date(2026, 4, 1)


def _user(authority: Authority, role: str) -> User:
    membership = (
        Membership.objects.filter(authority=authority, role=role)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    assert membership is not None, f"{authority.slug} has no {role}"
    return membership.user


def _market_entry(plan: SupportPlan, model_name: str) -> Any:
    """The first entry (by name) of one of the authority's market registers, or None."""
    rows = services.market_register(plan.authority_id, model_name)
    return None if rows is None else rows.order_by("name", "pk").first()


def _write(
    broker: User, plan: SupportPlan, *, hours: str, rate_pence: int, risk: str, extra: bool = False
) -> None:
    services.update_plan(broker, plan, {
        "what_matters": "Staying in my own home near my daughter, getting to the lunch club on Thursdays.",
        "helper": Helper.BROKER, "helper_name": "Northgate Brokerage",
        "deployment": Deployment.MIX, "deployment_notes": "Most commissioned by the council; a small direct payment for the PA.",
        "risk_want": "Help to get up and washed each morning, and company to go out.",
        "risk_buy": "An agency for personal care and a personal assistant I choose.",
        "risk_risks": "The PA may be ill; I may fall when alone.",
        "risk_manage": "The agency covers the PA's absence; a community alarm for falls.",
        "risk_level": risk, "contingency": "Up to two extra agency hours a week when I am unwell, from the 10% kept back.",
        "starts_on": DEMO_DAY, "duration_months": 12,
    }, "Demo data")  # fmt: skip
    codes = {o.code: o.pk for o in FrameworkOutcome.objects.filter(authority=plan.authority)}
    services.save_outcome(broker, plan, "Keep my tenancy and stay living at home", "No rent arrears; repairs reported",
                          [codes["Stay Safe 4a"], codes["SC2"]])  # fmt: skip
    services.save_outcome(broker, plan, "See friends at the lunch club every week", "I go most weeks",
                          [codes["Enjoy and Achieve 2b"]])  # fmt: skip
    # Linked to the market register when the market demo is loaded (the typed rate is kept, so the
    # demo's figures do not depend on the register), with the register's broker as who helped.
    pa, market_broker = _market_entry(plan, "PersonalAssistant"), _market_entry(plan, "Broker")
    if market_broker is not None:
        services.update_plan(broker, plan, {"market_broker": market_broker}, "Demo data")
    services.save_line(broker, plan, {
        "kind": LineKind.PERSONAL_ASSISTANT, "category": "personal_care", "description": "Personal assistant: washing, dressing, reading post",
        "supplier": "Chosen PA", "unit": "hour", "quantity": Decimal(hours), "frequency": Frequency.WEEK, "unit_cost_pence": rate_pence,
        "personal_assistant": pa,
    })  # fmt: skip
    services.save_line(broker, plan, {
        "kind": LineKind.EQUIPMENT, "category": "equipment", "description": "Community alarm",
        "supplier": "Careline", "unit": "month", "quantity": Decimal(1), "frequency": Frequency.MONTH, "unit_cost_pence": 450,
    })  # fmt: skip
    if extra:
        services.save_line(broker, plan, {
            "kind": LineKind.ONE_OFF, "category": "holidays" if plan.authority.slug == "northshire" else "other",
            "description": "A week's holiday with support", "supplier": "", "unit": "week", "quantity": Decimal(1),
            "frequency": Frequency.ONE_OFF, "unit_cost_pence": 60000,
        })  # fmt: skip


@transaction.atomic
def load_plans_demo() -> list[str]:
    done: list[str] = []
    for authority in Authority.objects.filter(slug__in=["northshire", "southvale"]).order_by("slug"):
        services.load_policies(None, authority)
        if SupportPlan.objects.filter(authority=authority).exists():
            continue
        assessor, broker, panel = (_user(authority, r) for r in (Role.ASSESSOR, Role.PLANNER, Role.PANEL))
        team = assessor.teams.filter(authority=authority).order_by("pk").first()
        people = list(
            Person.objects.filter(authority=authority, team=team, user__isnull=True).order_by("reference")[
                :10
            ]
        )
        budgets = [780000, 650000, 520000, 910000, 1200000, 700000, 830000, 600000]

        def start(
            person: Person, budget: int, broker: User = broker, assessor: User = assessor
        ) -> SupportPlan:
            plan = services.create_plan(broker, person, "Demo data", today=DEMO_DAY)
            services.update_plan(assessor, plan, {"indicative_budget_pence": budget,
                                                 "budget_source": "Demo: indicative budget given by the co-ordinator"}, "Demo data")  # fmt: skip
            return SupportPlan.objects.get(pk=plan.pk)

        def step(plan: SupportPlan, who: User, action: str, reason: str = "", **data: str) -> None:
            services.apply_transition(who, plan, action, reason, data=data, today=DEMO_DAY)

        # 0: a draft, half written; 1: a draft over budget
        plan = start(people[0], budgets[0])
        services.update_plan(broker, plan, {"what_matters": "My garden and my cat."}, "Demo data")
        plan = start(people[1], budgets[1])
        _write(broker, plan, hours="10", rate_pence=1400, risk=RiskLevel.LOW)
        # 2: submitted, waiting for sign-off
        plan = start(people[2], budgets[2])
        _write(broker, plan, hours="7", rate_pence=1100, risk=RiskLevel.LOW)
        step(plan, assessor, "submit")
        # 3: referred to the panel (high risk, holiday outside the usual categories), on the agenda
        plan = start(people[3], budgets[3])
        _write(broker, plan, hours="7", rate_pence=1100, risk=RiskLevel.HIGH, extra=True)
        step(plan, assessor, "submit")
        step(plan, assessor, "refer", "High risk: lives alone and has fallen twice")
        # 4: approved by the panel with a condition, ready for the money to be deployed
        plan = start(people[4], budgets[4])
        _write(broker, plan, hours="12", rate_pence=1100, risk=RiskLevel.HIGH)
        step(plan, assessor, "submit")
        step(plan, assessor, "refer", "High risk")
        step(
            plan,
            panel,
            "panel_conditions",
            "Risks understood",
            conditions="A falls assessment within 4 weeks",
        )
        # 5, 6: active; 7: under review
        # Plan 5 started in December 2025, so its yearly review falls due on 1 December 2026.
        for i, hours, began in ((5, "8", dt.date(2025, 12, 1)), (6, "9", DEMO_DAY), (7, "6", DEMO_DAY)):
            plan = start(people[i], budgets[i])
            _write(
                broker, plan, hours=hours, rate_pence=1100, risk=RiskLevel.MEDIUM if i == 6 else RiskLevel.LOW
            )
            services.update_plan(broker, plan, {"starts_on": began}, "Demo data")
            step(plan, assessor, "submit")
            step(plan, assessor, "approve")
            services.apply_transition(assessor, plan, "activate", "Demo data", today=began)
            if i == 7:
                step(plan, assessor, "start_review", "Asked for a review: needs have changed")
        # A refusal to follow up (seed 001: Lincolnshire asks people who refused why)
        services.record_refusal(assessor, people[8], RefusalReason.MONEY_WORRIES,
                                "Worried about managing the money", today=dt.date(2026, 6, 1))  # fmt: skip
        done.append(f"{authority.slug}: 8 plans, 1 panel referral waiting, 1 refusal")
    return done
