"""A fresh demo has a history: `load_demo` dates its people, assessments, plans, budgets, payment
runs, closes and reviews over the 12 months before the day it is loaded (here the suite's frozen
day, and in CI a second one), so the README's examples print figures on any day."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.template.loader import render_to_string

from selfdirect.core.demo import THIS_MONTH, DemoCalendar
from selfdirect.core.models import Authority
from selfdirect.ledger import books
from selfdirect.ledger.constants import PeriodStatus, RunStatus
from selfdirect.ledger.models import Leg, PaymentRun, Period
from selfdirect.plans.constants import PlanState
from selfdirect.plans.models import SupportPlan
from selfdirect.reporting.indicators import TABLE_KEYS, build_report, parse_period
from selfdirect.reporting.services import pack_context

pytestmark = pytest.mark.django_db


def everything() -> dict[str, object]:
    """Every table's row count, and the ledger's totals: what a second load must leave alone."""
    counts: dict[str, object] = {m._meta.label: m._default_manager.count() for m in apps.get_models()}
    counts["legs"] = Leg.objects.aggregate(total=Sum("amount"))["total"]
    return counts


def test_a_fresh_demo_has_a_year_of_history_and_a_second_load_changes_nothing(today):
    call_command("load_demo", "--quiet-logins")
    cal = DemoCalendar(today)
    last = cal.last_month
    assert last == f"{cal.month_start(THIS_MONTH - 1):%Y-%m}" and cal.month_start(THIS_MONTH) <= today

    # (a) The README's example prints figures for last month, in every table.
    out = io.StringIO()
    call_command("indicators", "--authority", "northshire", "--period", last, stdout=out)
    text = out.getvalue()
    assert "Nothing to show" not in text
    assert "Eligible people | People: " in text and "Rollover, claw-back and contributions (close)" in text

    for slug in ("northshire", "southvale"):
        authority = Authority.objects.get(slug=slug)
        report = build_report(authority, parse_period(last))
        # (b) The 12-month trend has people on personal budgets in (at least) 10 of its 12 months.
        trend = report.table("trend").rows
        assert [row[0] for row in trend] == [f"{cal.month_start(m):%B %Y}" for m in range(THIS_MONTH)]
        assert sum(1 for row in trend if row[2]) >= 10, trend
        # (c) Last month's report pack has something in every section.
        assert [t.key for t in report.tables if t.empty] == []
        html = render_to_string("reporting/pack_pdf.html", pack_context(authority, last))
        assert "Nothing to show" not in html and html.count("<section>") == len(TABLE_KEYS)

        # (d) The books balance; every month before this one was paid and closed, in order, and
        # this month is open with its run not made.
        trial = books.trial_balance(authority)
        assert trial and sum(r["debits"] for r in trial) == sum(r["credits"] for r in trial)
        past = [cal.label(m) for m in range(THIS_MONTH)]
        periods = list(Period.objects.filter(authority=authority).order_by("start"))
        assert [p.label for p in periods if p.start < cal.month_start(THIS_MONTH)] == past
        assert all(p.status == PeriodStatus.CLOSED for p in periods if p.start < cal.month_start(THIS_MONTH))
        assert all(p.status == PeriodStatus.OPEN for p in periods if p.start >= cal.month_start(THIS_MONTH))
        closed_at = [p.closed_at for p in periods if p.closed_at is not None]
        assert len(closed_at) == THIS_MONTH and closed_at == sorted(closed_at)
        runs = PaymentRun.objects.filter(authority=authority).order_by("period__start")
        assert [(r.period.label, r.status) for r in runs] == [(m, RunStatus.DONE) for m in past]
        # Closes kept and clawed back different amounts from month to month.
        kept = [p.close_lines.aggregate(k=Sum("kept_pence"))["k"] for p in periods[:THIS_MONTH]]
        assert len(set(kept)) > 6

        # The README's tour: a plan on the panel's next agenda, one waiting for sign-off, reviews due.
        plans = SupportPlan.objects.filter(authority=authority)
        assert plans.filter(state=PlanState.REFERRED, referrals__meeting__meets_on__gte=today).exists()
        assert plans.filter(state=PlanState.SUBMITTED).exists()
        assert not plans.filter(person__user__isnull=False).exists()  # Margaret writes her own
        assert plans.filter(state=PlanState.ACTIVE).count() >= 15

    # (e) Loading again (the README's ./run does, every time) changes nothing.
    before = everything()
    call_command("load_demo", "--quiet-logins")
    assert everything() == before


def test_load_demo_dates_its_history_back_from_the_day_it_is_told(today):
    day = today - dt.timedelta(days=100)
    out = io.StringIO()
    call_command("load_demo", "--people", "30", "--today", day.isoformat(), stdout=out)
    cal = DemoCalendar(day)
    assert f"Reports for last month: --period {cal.last_month}." in out.getvalue()
    runs = PaymentRun.objects.filter(authority__slug="northshire").order_by("period__start")
    assert [r.period.label for r in runs] == [cal.label(m) for m in range(THIS_MONTH)]
    with pytest.raises(CommandError, match="--today"):
        call_command("load_demo", "--today", "yesterday")
