"""Demo support plans over the demo's year of history (selfdirect.core.demo), for people on the
assessor's team's caseload, each written a little after the person was referred (after their
self-assessment where they had one):

- every month, one plan signed off by the co-ordinator and started, given a first review the month after
  (one reassessed there, which changes its budget); and one high-risk plan referred to the risk
  enablement panel at its next weekly meeting, approved, approved with conditions or not approved
  in turn, the approved ones started and reviewed when their (shorter) review interval comes round
  — some late, and those falling due in the last two months left for the co-ordinator, so some are
  overdue;
- light-touch visits made as they fell due;
- every month, someone who declined a personal budget, most followed up when the rules say;
- and the plans the README's tour walks through, in every main state: a draft half written, a
  draft over budget, one waiting for sign-off, one on the panel's next agenda, one approved by the
  panel last month with a condition and ready for the money, one active since the history began
  (its yearly review due now), one active since two months ago and one under review.

Deterministic (fixed people, days and figures for a given load day) and idempotent (skipped once
plans exist). Margaret Okafor, the demo person, is left without a plan so she can write her own."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.models import Min

from selfdirect.core.constants import Role
from selfdirect.core.demo import THIS_MONTH, DemoCalendar, backdate
from selfdirect.core.models import Authority, Membership, User
from selfdirect.people.constants import FacsBand
from selfdirect.people.models import Person

from . import services
from .constants import Deployment, Frequency, Helper, LineKind, PlanState, Progress, RefusalReason, RiskLevel
from .models import FrameworkOutcome, MonitoringVisit, PanelReferral, PlanTransition, SupportPlan

PA_RATE_PENCE = 1100  # an hour: what the plans' personal assistants are paid (typed, not the register's)
ALARM_PENCE = 450  # a month
HOLIDAY_PENCE = 60000
# Indicative budgets a co-ordinator gives when the person has no self-assessment (or one outside
# what a personal-assistant plan here is written for).
BUDGETS = [780000, 650000, 520000, 910000, 1200000, 700000, 830000, 600000, 1040000, 1480000]
PANEL_BUDGETS = [1450000, 1800000, 1250000, 2100000]
PANEL_DECISIONS = ["panel_approve", "panel_conditions", "panel_approve", "panel_decline"]
PROGRESS = [Progress.MOSTLY, Progress.FULLY, Progress.PARTLY, Progress.MOSTLY, Progress.NOT_AT_ALL]
REFUSALS = [
    (RefusalReason.MONEY_WORRIES, "Worried about managing the money"),
    (RefusalReason.PREFERS_SERVICES, "Happy with the day centre and home care they have"),
    (RefusalReason.NOT_NOW, "Just out of hospital: asked us to come back later"),
    (RefusalReason.TOO_COMPLICATED, "Found the forms too much"),
    (RefusalReason.MISINFORMED, "Thought a budget would mean losing their carer"),
]
ELIGIBLE = (FacsBand.CRITICAL, FacsBand.SUBSTANTIAL)  # the bands the demo policies fund
LEFT_FOR_NOW = THIS_MONTH - 2  # reviews falling due from this month on are left for the co-ordinator


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


def _hours(budget: int, extra: bool) -> Decimal:
    """The personal assistant's hours a week (in halves) that the budget pays for with the alarm
    (and the holiday), so the plan is within its budget."""
    spare = budget - ALARM_PENCE * 12 - (HOLIDAY_PENCE if extra else 0)
    return Decimal(max(4, spare * 2 // (PA_RATE_PENCE * 52))) / 2


def _write(
    broker: User, plan: SupportPlan, *, hours: str | Decimal, rate_pence: int, risk: str, starts_on: dt.date,
    extra: bool = False,
) -> None:  # fmt: skip
    services.update_plan(broker, plan, {
        "what_matters": "Staying in my own home near my daughter, getting to the lunch club on Thursdays.",
        "helper": Helper.BROKER, "helper_name": "Northgate Brokerage",
        "deployment": Deployment.MIX, "deployment_notes": "Most commissioned by the council; a small direct payment for the PA.",
        "risk_want": "Help to get up and washed each morning, and company to go out.",
        "risk_buy": "An agency for personal care and a personal assistant I choose.",
        "risk_risks": "The PA may be ill; I may fall when alone.",
        "risk_manage": "The agency covers the PA's absence; a community alarm for falls.",
        "risk_level": risk, "contingency": "Up to two extra agency hours a week when I am unwell, from the 10% kept back.",
        "starts_on": starts_on, "duration_months": 12,
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
        "supplier": "Careline", "unit": "month", "quantity": Decimal(1), "frequency": Frequency.MONTH, "unit_cost_pence": ALARM_PENCE,
    })  # fmt: skip
    if extra:
        services.save_line(broker, plan, {
            "kind": LineKind.ONE_OFF, "category": "holidays" if plan.authority.slug == "northshire" else "other",
            "description": "A week's holiday with support", "supplier": "", "unit": "week", "quantity": Decimal(1),
            "frequency": Frequency.ONE_OFF, "unit_cost_pence": HOLIDAY_PENCE,
        })  # fmt: skip


class _Story:
    """One authority's plans, written and moved on through the workflow on the days they happened."""

    def __init__(self, authority: Authority, cal: DemoCalendar) -> None:
        self.authority, self.cal = authority, cal
        self.assessor, self.broker, self.panel = (
            _user(authority, r) for r in (Role.ASSESSOR, Role.PLANNER, Role.PANEL)
        )
        team = self.assessor.teams.filter(authority=authority).order_by("pk").first()
        self.pool = list(
            Person.objects.filter(authority=authority, team=team, user__isnull=True).order_by(
                "created_at", "reference"
            )
        )
        Allocation = (
            apps.get_model("allocation", "Allocation") if apps.is_installed("selfdirect.allocation") else None
        )
        self.assessed: dict[int, dt.date] = (
            {}
            if Allocation is None
            else dict(
                Allocation.objects.filter(authority=authority)
                .values("person")
                .annotate(first=Min("on"))
                .values_list("person", "first")
            )
        )
        self.used: set[int] = set()
        self.moments = itertools.count()
        self.budgets = itertools.cycle(BUDGETS)
        self.plans = 0

    # --- who, and when -------------------------------------------------------------------------

    def person(self, written: dt.date) -> Person | None:
        """The person a plan written on ``written`` is for: on the caseload without a plan, referred
        by a few days before; best someone eligible (FACS critical or substantial), self-assessed
        by then, referred within the previous few months (the most recently referred first)."""

        def rank(person: Person) -> tuple[bool, bool, bool, int]:
            referred = person.created_at.date()
            assessed = self.assessed.get(person.pk)
            return (
                person.facs_band not in ELIGIBLE,
                assessed is None or assessed > written - dt.timedelta(days=2),
                not written - dt.timedelta(days=150) <= referred <= written - dt.timedelta(days=20),
                -referred.toordinal(),
            )

        latest = written - dt.timedelta(days=3)
        free = [p for p in self.pool if p.pk not in self.used and p.created_at.date() <= latest]
        # Someone assessed only after the plan was written is left out: the plan would be written
        # against an indicative budget from its future.
        free = [p for p in free if self.assessed.get(p.pk, written) <= written]
        if not free:
            return None
        chosen = min(free, key=rank)
        self.used.add(chosen.pk)
        return chosen

    def moment(self, day: dt.date) -> dt.datetime:
        n = next(self.moments)
        return self.cal.at(day, 9 + (n // 60) % 8, n % 60)

    # --- the workflow ----------------------------------------------------------------------------

    def start(self, person: Person, written: dt.date, budget: int | None = None) -> SupportPlan:
        plan = services.create_plan(self.broker, person, "Demo data", today=written)
        backdate(SupportPlan, plan.pk, created_at=self.moment(written))
        if (
            budget is not None
            or plan.allocation_id is None
            or not 300000 <= plan.indicative_budget_pence <= 2400000
        ):
            services.update_plan(self.assessor, plan, {
                "indicative_budget_pence": budget or next(self.budgets),
                "budget_source": "Demo: indicative budget given by the co-ordinator"}, "Demo data")  # fmt: skip
        self.plans += 1
        return SupportPlan.objects.get(pk=plan.pk)

    def write(
        self, plan: SupportPlan, risk: str, starts_on: dt.date, extra: bool = False, hours: str = "",
        rate_pence: int = PA_RATE_PENCE,
    ) -> None:  # fmt: skip
        budget = SupportPlan.objects.get(pk=plan.pk).indicative_budget_pence
        _write(self.broker, plan, hours=hours or _hours(budget, extra), rate_pence=rate_pence, risk=risk,
               starts_on=starts_on, extra=extra)  # fmt: skip

    def step(
        self, plan: SupportPlan, who: User, action: str, day: dt.date, reason: str = "", **data: str
    ) -> None:
        done = services.apply_transition(who, plan, action, reason, data=data, today=day)
        if done is not None:
            backdate(PlanTransition, done.pk, at=self.moment(day))
        if action == "refer":
            referral = PanelReferral.objects.filter(plan=plan).order_by("-pk").first()
            if referral is not None:
                backdate(PanelReferral, referral.pk, referred_at=self.moment(day))
        elif action.startswith("panel_"):
            referral = PanelReferral.objects.filter(plan=plan).order_by("-pk").first()
            if referral is not None:
                backdate(PanelReferral, referral.pk, decided_at=self.moment(day))

    def activate(self, plan: SupportPlan, day: dt.date) -> None:
        self.step(plan, self.assessor, "activate", day, "Demo data")
        self._date_budgets(plan, day)

    def _date_budgets(self, plan: SupportPlan, day: dt.date) -> None:
        """The ledger budgets the plan's money went into were agreed that day."""
        if not apps.is_installed("selfdirect.ledger"):
            return
        Budget = apps.get_model("ledger", "Budget")
        ref = SupportPlan.objects.get(pk=plan.pk).ledger_budget_ref
        for pk in (int(p) for p in ref.split(",") if p.strip().isdigit()):
            moment = self.moment(day)
            Budget.objects.filter(pk=pk, agreed_at__isnull=False).update(agreed_at=moment, created_at=moment)

    def visits(self, plan: SupportPlan, before: dt.date) -> None:
        """Make the light-touch visits that fell due before ``before``, a few days after each."""
        for n, visit in enumerate(
            MonitoringVisit.objects.filter(plan=plan, visited_on__isnull=True, due_on__lt=before)
        ):
            visited = min(visit.due_on + dt.timedelta(days=n % 6), before - dt.timedelta(days=1))
            services.record_visit(self.assessor, visit, visited, "Demo: all well; the alarm tested",
                                  today=self.cal.today)  # fmt: skip

    def review(
        self, plan: SupportPlan, held: dt.date, n: int, requested: bool = False, new_budget: int | None = None
    ) -> None:
        """Hold the plan's next review on ``held``: progress on each outcome, then finish it."""
        self.visits(plan, held)
        if requested:
            self.step(
                plan,
                self.assessor,
                "start_review",
                held,
                "A first review, a month or so after the plan started",
            )
        else:
            self.step(plan, self.assessor, "start_review", held)
        review = services.open_review(SupportPlan.objects.get(pk=plan.pk))
        assert review is not None
        outcomes = list(plan.outcomes.order_by("pk").values_list("pk", flat=True))
        answers = {
            pk: (PROGRESS[(n + k) % len(PROGRESS)], "Demo: talked it through")
            for k, pk in enumerate(outcomes)
        }
        services.record_review(
            self.assessor, review, answers, risk_level=plan.risk_level, held_on=held,
            money_notes="Spent as planned" if new_budget is None else "More help needed in the mornings",
            reassessment_needed=new_budget is not None, new_budget_pence=new_budget,
        )  # fmt: skip
        self.step(plan, self.assessor, "complete_review", held)
        if new_budget is not None:
            self._date_budgets(plan, held)

    def carry_on(self, plan: SupportPlan, n: int, *, late_days: int = 0) -> None:
        """Hold each scheduled review as it fell due (``late_days`` late), up to the last couple of
        months, whose reviews are left for the co-ordinator; make the visits due before then."""
        leave_from = self.cal.month_start(LEFT_FOR_NOW)
        for _ in range(6):
            plan = SupportPlan.objects.get(pk=plan.pk)
            due = services.open_review(plan)
            if due is None or due.due_on >= leave_from:
                break
            self.review(
                plan, min(due.due_on + dt.timedelta(days=late_days), leave_from - dt.timedelta(days=1)), n
            )
            n += 1
        self.visits(SupportPlan.objects.get(pk=plan.pk), self.cal.today - dt.timedelta(days=7))

    # --- the year ----------------------------------------------------------------------------------

    def signed_off(self, month: int) -> None:
        """A plan signed off by the co-ordinator this month and started; given a first review the month after."""
        cal = self.cal
        written = cal.day(month, 5 + (month * 5) % 11)
        person = self.person(written)
        if person is None:
            return
        started = written + dt.timedelta(days=10)
        plan = self.start(person, written)
        self.write(plan, RiskLevel.MEDIUM if month % 4 == 3 else RiskLevel.LOW, started)
        self.step(plan, self.assessor, "submit", written + dt.timedelta(days=4))
        self.step(plan, self.assessor, "approve", written + dt.timedelta(days=8))
        self.activate(plan, started)
        if month < THIS_MONTH - 1:
            # A first review the month after it started; one person's needs had grown by then, so
            # they were reassessed there.
            grown = (
                SupportPlan.objects.get(pk=plan.pk).indicative_budget_pence * 112 // 100
                if month == 4
                else None
            )
            self.review(plan, cal.day(month + 1, 22 + month % 5), month, requested=True, new_budget=grown)
        self.carry_on(plan, month)

    def referred(self, month: int) -> None:
        """A high-risk plan referred to the panel this month and decided at its next meeting."""
        cal = self.cal
        written = cal.day(month, 7 + (month * 3) % 7)
        person = self.person(written)
        if person is None:
            return
        plan = self.start(person, written, PANEL_BUDGETS[month % len(PANEL_BUDGETS)])
        self.write(plan, RiskLevel.HIGH, written + dt.timedelta(days=20), extra=month % 2 == 0)
        self.step(plan, self.assessor, "submit", written + dt.timedelta(days=3))
        self.step(
            plan,
            self.assessor,
            "refer",
            written + dt.timedelta(days=5),
            "High risk: lives alone and has fallen",
        )
        referral = PanelReferral.objects.filter(plan=plan).select_related("meeting").order_by("-pk").first()
        assert referral is not None and referral.meeting is not None
        meets = referral.meeting.meets_on
        if meets >= cal.today:
            return
        decision = PANEL_DECISIONS[month % len(PANEL_DECISIONS)]
        reasons = {
            "panel_approve": "Risks understood and managed",
            "panel_decline": "The plan does not manage the risk of falls at night",
        }
        self.step(plan, self.panel, decision, meets, reasons.get(decision, "Risks understood"),
                  **({"conditions": "A falls assessment within 4 weeks"} if decision == "panel_conditions" else {}))  # fmt: skip
        started = meets + dt.timedelta(days=6)
        if decision == "panel_decline" or started >= cal.today:
            return
        self.activate(plan, started)
        self.carry_on(plan, month, late_days=38 if month % 3 == 0 else (month * 4) % 15)

    def refusal(self, month: int) -> None:
        """Someone referred this month declined a personal budget; followed up when due, mostly."""
        cal = self.cal
        person = next(
            (p for p in self.pool if p.pk not in self.used and cal.month_of(p.created_at.date()) == month),
            None,
        )
        if person is None:
            return
        self.used.add(person.pk)
        day = min(person.created_at.date() + dt.timedelta(days=10), cal.month_end(month), cal.today)
        reason, notes = REFUSALS[month % len(REFUSALS)]
        refusal = services.record_refusal(self.assessor, person, reason, notes, today=day)
        followed = refusal.follow_up_on + dt.timedelta(days=3)
        if month % 3 != 2 and followed < cal.today:
            services.follow_up_refusal(
                self.assessor, refusal, "Demo: still happy as things are", today=followed
            )

    def tour(self) -> None:
        """The plans the README's tour walks through, in every main state."""
        cal, today = self.cal, self.cal.today

        def plan_for(written: dt.date, budget: int) -> SupportPlan | None:
            person = self.person(written)
            return None if person is None else self.start(person, written, budget)

        # Active since the history began: its yearly review falls due this month.
        plan = plan_for(cal.day(0, 6), 830000)
        if plan is not None:
            self.write(plan, RiskLevel.LOW, cal.day(0, 15), hours="8")
            self.step(plan, self.assessor, "submit", cal.day(0, 9))
            self.step(plan, self.assessor, "approve", cal.day(0, 12))
            self.activate(plan, cal.day(0, 15))
            self.visits(plan, today - dt.timedelta(days=7))
        # Under review: started in month 4, the person asked for a review this week.
        plan = plan_for(cal.day(3, 8), 600000)
        if plan is not None:
            self.write(plan, RiskLevel.LOW, cal.day(4, 1), hours="6")
            self.step(plan, self.assessor, "submit", cal.day(3, 12))
            self.step(plan, self.assessor, "approve", cal.day(3, 20))
            self.activate(plan, cal.day(4, 1))
            self.visits(plan, today - dt.timedelta(days=7))
            self.step(plan, self.assessor, "start_review", today - dt.timedelta(days=3),
                      "Asked for a review: needs have changed")  # fmt: skip
        # Active since two months ago, medium risk.
        plan = plan_for(cal.day(THIS_MONTH - 3, 20), 700000)
        if plan is not None:
            self.write(plan, RiskLevel.MEDIUM, cal.day(THIS_MONTH - 2, 2), hours="9")
            self.step(plan, self.assessor, "submit", cal.day(THIS_MONTH - 3, 24))
            self.step(plan, self.assessor, "approve", cal.day(THIS_MONTH - 2, 1))
            self.activate(plan, cal.day(THIS_MONTH - 2, 2))
            self.visits(plan, today - dt.timedelta(days=7))
        # Approved by the panel last month with a condition, ready for the money to be deployed.
        plan = plan_for(cal.day(THIS_MONTH - 1, 1), 1200000)
        if plan is not None:
            self.write(plan, RiskLevel.HIGH, cal.day(THIS_MONTH, 1), hours="12")
            self.step(plan, self.assessor, "submit", cal.day(THIS_MONTH - 1, 3))
            self.step(plan, self.assessor, "refer", cal.day(THIS_MONTH - 1, 4), "High risk")
            referral = (
                PanelReferral.objects.filter(plan=plan).select_related("meeting").order_by("-pk").first()
            )
            if referral is not None and referral.meeting is not None:
                self.step(plan, self.panel, "panel_conditions", referral.meeting.meets_on, "Risks understood",
                          conditions="A falls assessment within 4 weeks")  # fmt: skip
        # On the agenda of the panel's next meeting: high risk, and a holiday outside the usual categories.
        plan = plan_for(today - dt.timedelta(days=20), 910000)
        if plan is not None:
            self.write(plan, RiskLevel.HIGH, today + dt.timedelta(days=21), hours="7", extra=True)
            self.step(plan, self.assessor, "submit", today - dt.timedelta(days=6))
            self.step(plan, self.assessor, "refer", today, "High risk: lives alone and has fallen twice")
        # Submitted, waiting for sign-off.
        plan = plan_for(today - dt.timedelta(days=15), 520000)
        if plan is not None:
            self.write(plan, RiskLevel.LOW, today + dt.timedelta(days=14), hours="7")
            self.step(plan, self.assessor, "submit", today - dt.timedelta(days=4))
        # A draft over budget, and a draft half written.
        plan = plan_for(today - dt.timedelta(days=8), 650000)
        if plan is not None:
            self.write(plan, RiskLevel.LOW, today + dt.timedelta(days=28), hours="10", rate_pence=1400)
        plan = plan_for(today - dt.timedelta(days=2), 780000)
        if plan is not None:
            services.update_plan(self.broker, plan, {"what_matters": "My garden and my cat."}, "Demo data")


@transaction.atomic
def load_plans_demo(today: dt.date | None = None) -> list[str]:
    cal = DemoCalendar.on(today)
    done: list[str] = []
    for authority in Authority.objects.filter(slug__in=["northshire", "southvale"]).order_by("slug"):
        services.load_policies(None, authority)
        if SupportPlan.objects.filter(authority=authority).exists():
            continue
        story = _Story(authority, cal)
        story.tour()
        for month in range(THIS_MONTH):
            story.signed_off(month)
            story.referred(month)
            story.refusal(month)
        active = SupportPlan.objects.filter(authority=authority, state=PlanState.ACTIVE).count()
        done.append(f"{authority.slug}: {story.plans} plans ({active} active)")
    return done
