"""What a reviewer found walking the money pages: a payment run waiting to start showed "0 of 0
instalments", "Attempts 0" and a payment file to download before one existed; and the demo closed
each month on its last day, before it had ended."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from ledger_support import make_budget

from helpers import client_for
from selfdirect.core.models import User
from selfdirect.ledger import services
from selfdirect.ledger.demo import closing_day
from selfdirect.ledger.models import PaymentRun, Period

LONDON = zoneinfo.ZoneInfo("Europe/London")


def _run_page(world, run: PaymentRun) -> str:
    return client_for(world.north.users["finance"]).get(f"/money/runs/{run.pk}/").content.decode()


def _row(page: str, testid: str) -> str:
    return page.split(f'data-testid="{testid}">')[1].split("</dd>")[0]


def test_a_run_waiting_to_start_shows_no_counts_and_no_file(world):
    make_budget(world.north.caseload_person)
    run = services.start_run(world.north.users["finance"], world.north.authority, "2026-04")
    page = _run_page(world, run)
    assert _row(page, "run-progress") == "Not started yet"
    assert "Waiting to start" in page
    for zero in ("0 of 0", "Attempts", "£0.00 to 0 payees", "Download the payment file"):
        assert zero not in page, zero
    assert "The payment file can be downloaded here once the run has finished." in page
    assert "Nobody has been paid yet: the run has not started." in page


def test_a_running_run_shows_its_progress_but_offers_no_file_yet(world):
    make_budget(world.north.caseload_person)
    run = services.start_run(world.north.users["finance"], world.north.authority, "2026-04")
    PaymentRun.objects.filter(pk=run.pk).update(status="running", attempts=1, due_count=3, paid_count=1)
    page = _run_page(world, run)
    assert "1 of 3 instalments paid" in _row(page, "run-progress")
    assert _row(page, "run-attempts") == "1"
    assert "Download the payment file" not in page
    assert "The payment file can be downloaded here once the run has finished." in page


def test_a_finished_run_offers_its_payment_file(world):
    make_budget(world.north.caseload_person)
    run = services.execute_run(
        services.start_run(world.north.users["finance"], world.north.authority, "2026-04").pk
    )
    page = _run_page(world, run)
    assert "1 of 1 instalment paid" in _row(page, "run-progress")
    assert f'href="/money/runs/{run.pk}/payments.csv">Download the payment file (CSV)</a>' in page
    assert "once the run has finished" not in page


@pytest.mark.parametrize(
    ("month_end", "today", "closes"),
    [
        (dt.date(2026, 11, 30), dt.date(2026, 12, 7), dt.date(2026, 12, 1)),  # 1 December a Tuesday
        (dt.date(2027, 4, 30), dt.date(2027, 5, 10), dt.date(2027, 5, 3)),  # 1 May a Saturday: Monday
        (dt.date(2026, 10, 31), dt.date(2026, 12, 7), dt.date(2026, 11, 2)),  # 1 November a Sunday: Monday
        (dt.date(2027, 4, 30), dt.date(2027, 5, 1), dt.date(2027, 5, 1)),  # never after the day it loads
    ],
)  # fmt: skip
def test_the_demo_closes_a_month_on_the_first_working_day_after_it_ends(month_end, today, closes):
    assert closing_day(month_end, today) == closes


@pytest.mark.django_db
def test_the_demo_closes_each_past_month_after_it_ends_and_leaves_this_month_open():
    from selfdirect.ledger.demo import load_ledger_demo
    from selfdirect.people.demo import load_demo

    # Monday 3 May 2027, after the early-morning close: 1 May was a Saturday.
    with time_machine.travel(dt.datetime(2027, 5, 3, 10, 0, tzinfo=LONDON), tick=False):
        load_demo(8)
        load_ledger_demo()
        periods = {p.label: p for p in Period.objects.filter(authority__slug="northshire")}
        closed = {label: timezone_local(p.closed_at) for label, p in periods.items() if p.closed_at}
        assert closed["2027-04"] == dt.datetime(2027, 5, 3, 9, 0, tzinfo=LONDON)  # Friday's month, Monday
        assert closed["2027-03"] == dt.datetime(2027, 4, 1, 9, 0, tzinfo=LONDON)  # a Thursday
        assert closed["2027-01"] == dt.datetime(2027, 2, 1, 9, 0, tzinfo=LONDON)  # 1 February a Monday
        assert closed["2026-10"] == dt.datetime(2026, 11, 2, 9, 0, tzinfo=LONDON)  # 1 November a Sunday
        assert len(closed) == 12 and "2027-05" not in closed
        assert all(p.status == "open" for label, p in periods.items() if label >= "2027-05")
        finance = User.objects.get(username="northshire-finance")
        page = client_for(finance).get("/money/periods/2027-04/close/").content.decode()
        assert "April 2027 was closed on 3 May 2027 under" in page


def timezone_local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(LONDON)
