"""Demo money over the demo's year of history (selfdirect.core.demo).

Finance agrees a few budgets per demo authority at dates through the year — the £30,000 ISF from
seed 004's glossary, a mix-and-match budget, a brokered one, a direct payment, and the demo
person's own — each for the financial year it starts in, renewed from 1 April. The person user
has an assessed contribution and an open dispute about it. Support plans (plans/demo.py, loaded
first) have agreed theirs when they started.

Then each month of the history, oldest first, is run as finance would: its payment run made and
paid, spending recorded against most budgets (not every direct payment sends in a statement every
month, so some months keep more and some claw back more), and the month closed under the
authority's rollover rule. This month is left open, its payment run not made yet, for finance to
try. Only the ledger's services write to the books.

Deterministic (fixed people, figures and seeds for a given load day) and safe to run twice."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db.models import Case, Sum, When

from selfdirect.core.demo import THIS_MONTH, DemoCalendar, backdate, financial_year
from selfdirect.core.models import Authority, User
from selfdirect.core.money import split_pence
from selfdirect.people.constants import FacsBand
from selfdirect.people.models import Person

from . import books, policy, services
from .models import Budget, Leg, Payment, PaymentRun

DEMO_SOURCE = "Demo budget"
# (annual pence, frequency, routes, first agreed in: month of the history, day)
SHAPES: list[tuple[int, str, list[dict[str, Any]], int, int]] = [
    (3000000, "monthly", [{"route": "isf", "payee_name": "Riverside Support Ltd", "payee_account": "PROV-0042"}], 0, 1),
    (624000, "four_weekly", [{"route": "direct_payment"}], 1, 10),
    (1040000, "monthly", [{"route": "council_managed", "share": 85, "payee_name": "Council-managed account",
                           "payee_account": "INTERNAL-CMA"},
                          {"route": "direct_payment", "share": 15}], 2, 3),
    (780000, "weekly", [{"route": "third_party", "payee_name": "Age Concern brokerage", "payee_account": "PROV-0107",
                         "fee_percent": "4"}], 4, 15),
    (416000, "monthly", [{"route": "virtual", "payee_name": "Preferred provider list", "payee_account": "PROV-0200"}], 3, 1),
]  # fmt: skip
# What the money held each way is mostly spent on.
SPENT_ON = {
    "isf": "agency_care", "council_managed": "agency_care", "third_party": "agency_care",
    "virtual": "day_activities", "direct_payment": "personal_assistant",
}  # fmt: skip
# Routes whose spending the council or a provider records every month (no statement to wait for).
INVOICED = {"isf", "council_managed", "virtual"}
ELIGIBLE = (FacsBand.CRITICAL, FacsBand.SUBSTANTIAL)  # the bands the demo policies fund
LINE_PENCE = 90000  # spending is recorded in lines of about this much at most (invoices, wages)


def _years(first: dt.date, today: dt.date) -> list[tuple[dt.date, dt.date, dt.date]]:
    """(starts on, period start, period end): the financial year ``first`` falls in, then each year
    after it, renewed from 1 April, until one runs past ``today``."""
    out = []
    starts = first
    while True:
        begin, end = financial_year(starts)
        out.append((starts, begin, end))
        if end >= today:
            return out
        starts = end + dt.timedelta(days=1)


def _agree(finance: User, person: Person, shape: tuple[int, str, list[dict[str, Any]], int, int],
           cal: DemoCalendar) -> list[Budget]:  # fmt: skip
    annual, frequency, routes, month, day = shape
    made = []
    for n, (starts, begin, end) in enumerate(_years(cal.day(month, day), cal.today)):
        source = f"{DEMO_SOURCE}: indicative budget agreed unchanged" + (
            f" (renewed for {begin.year}/{end:%y})" if n else ""
        )
        budget = services.create_budget(
            finance, person, stream="adult_social_care", period_start=begin, period_end=end,
            agreed_annual_pence=annual, indicative_pence=annual, starts_on=starts, frequency=frequency,
            deployments=[{**r, "payee_name": r.get("payee_name") or str(person)} for r in routes],
            source=source, reason="Demo data",
        )  # fmt: skip
        services.agree_budget(
            finance, budget, "Demo support plan" if not n else "Demo yearly renewal", "Demo data"
        )
        agreed = cal.at(starts - dt.timedelta(days=14 if n else 0), 14, n)
        backdate(Budget, budget.pk, created_at=agreed, agreed_at=agreed)
        made.append(budget)
    return made


def _held(budget_ids: list[int]) -> dict[int, dict[str, int]]:
    """What each budget's holders hold now, by route."""
    out: dict[int, dict[str, int]] = {}
    rows = (
        Leg.objects.filter(account__budget_id__in=budget_ids, account__code__startswith="holder:")
        .values("account__budget_id", "account__code")
        .annotate(total=Sum(books.SIGNED))
    )
    for r in rows:
        out.setdefault(r["account__budget_id"], {})[r["account__code"].rsplit(":", 1)[1]] = int(r["total"])
    return out


def _spend(finance: User, authority: Authority, run: PaymentRun, cal: DemoCalendar, month: int,
           rng: random.Random) -> None:  # fmt: skip
    """Record the month's spending against the budgets its run paid."""
    categories = policy.load(authority.slug).spending.categories
    paid = sorted(set(Payment.objects.filter(run=run).values_list("instalment__budget_id", flat=True)))
    held = _held(paid)
    for budget in Budget.objects.filter(pk__in=paid).order_by("pk"):
        if not budget.is_payable:  # ended this month (replaced at a reassessment): nothing more to spend
            continue
        rows = []
        for route, balance in sorted(held.get(budget.pk, {}).items()):
            if balance <= 0 or (route not in INVOICED and rng.random() < 0.2):
                continue  # no statement sent in this month: more is unspent at the close
            amount = balance * rng.randint(78, 97) // 100
            category = SPENT_ON.get(route, "other")
            category = category if category in categories else next(iter(categories))
            lines = min(4, -(-amount // LINE_PENCE))
            for k, part in enumerate(split_pence(amount, [1] * lines) if lines else []):
                # Never before the budget starts, nor after its period (a budget starting mid-month).
                on = min(max(cal.day(month, 6 + k * 7), budget.starts_on), budget.period_end)
                rows.append({"on": on, "category": category, "amount_pence": part,
                             "description": f"{categories[category]} (demo)", "payee": "", "route": route})  # fmt: skip
        if rows:
            services.record_spends(finance, budget, rows)


CLOSING_HOUR = 9  # finance closes the month first thing on its first working day after the end


def closing_day(month_end: dt.date, today: dt.date) -> dt.date:
    """The day the demo closes a month: the first working day after its end (a Saturday or Sunday
    moves to the Monday), since a month can only be closed once it has ended. Never after ``today``:
    loaded on a weekend 1st or 2nd, last month was closed that day (bank holidays are not modelled)."""
    day = month_end + dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return min(day, today)


def run_the_year(finance: User, authority: Authority, cal: DemoCalendar) -> None:
    """Each past month in order: pay its run, record its spending, close it. This month stays open."""
    rng = random.Random(f"spending-{authority.slug}")
    for month in range(THIS_MONTH):
        if cal.month_end(month) >= cal.today:  # the month holding today has not ended: never closed
            break
        label = cal.label(month)
        first = cal.month_start(month)
        run = services.start_run(finance, authority, label)
        services.execute_run(run.pk)
        backdate(PaymentRun, run.pk, created_at=cal.at(first, 7), finished_at=cal.at(first, 7, 4))
        _spend(finance, authority, run, cal, month, rng)
        closes = closing_day(cal.month_end(month), cal.today)
        services.close_period(
            finance, authority, label, "Demo: month end", closed_at=cal.at(closes, CLOSING_HOUR)
        )


def load_ledger_demo(today: dt.date | None = None) -> None:
    cal = DemoCalendar.on(today)
    for authority in Authority.objects.filter(slug__in=["northshire", "southvale"]).order_by("slug"):
        if Budget.objects.filter(authority=authority, source__startswith=DEMO_SOURCE).exists():
            continue
        finance = User.objects.filter(username=f"{authority.slug}-finance").first()
        if finance is None:
            continue
        # People with no budget or plan yet, brought in with the caseload: eligible ones first.
        free = list(
            Person.objects.filter(authority=authority, user__isnull=True, budgets__isnull=True,
                                  support_plans__isnull=True)
            .annotate(funded=Case(When(facs_band__in=ELIGIBLE, then=0), default=1))
            .order_by("funded", "created_at", "reference")[: len(SHAPES) - 1]
        )  # fmt: skip
        own = Person.objects.filter(authority=authority, user__isnull=False).order_by("reference").first()
        people: list[Person | None] = [*free, *([None] * (len(SHAPES) - 1 - len(free))), own]
        agreed: dict[int, list[Budget]] = {}
        for n, (person, shape) in enumerate(zip(people, SHAPES, strict=True)):
            if person is not None:
                agreed[n] = _agree(finance, person, shape, cal)
        charge = None
        if own is not None:  # the person user's assessed contribution (net or gross by policy)
            starts = agreed[len(SHAPES) - 1][0].starts_on
            charge = services.assess_charge(
                finance, own, weekly_pence=1250, starts_on=starts, reason="Demo financial assessment"
            )
        if free and 1 in agreed:  # and the direct payment's
            services.assess_charge(
                finance,
                free[1],
                weekly_pence=2000,
                starts_on=agreed[1][0].starts_on,
                reason="Demo financial assessment",
            )
        run_the_year(finance, authority, cal)
        if own is not None and charge is not None:
            # and a dispute about it, open, for finance to decide (seed 004 Q8)
            services.open_dispute(
                finance, own, subject="My disability-related costs were left out of the assessment",
                raised_by=str(own), amount_pence=1250, charge=charge, on=charge.starts_on + dt.timedelta(days=19),
            )  # fmt: skip
