"""Months close in order, a second close changes nothing, claw-back never takes what is not there,
and payments follow the books: whatever order finance does things in, the money comes out right.

The demo case that found it (issue 16): the £30,000 ISF paid £2,500 in April and in May, nothing
spent; May closed while April was open, then April: £7,000 clawed back of £5,000 paid, and the
holder left at -£2,000."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from ledger_support import make_budget

from helpers import client_for, token_for
from selfdirect.core.constants import Role
from selfdirect.core.errors import ServiceError
from selfdirect.ledger import books, services, tasks
from selfdirect.ledger.models import CloseLine, Instalment, Payment, PaymentRun, Period, Transaction

ISF = [{"route": "isf", "payee_name": "Riverside Support Ltd", "payee_account": "PROV-0042"}]


def _pay(side, *months):
    for month in months:
        services.execute_run(services.start_run(side.users[Role.FINANCE], side.authority, month).pk)


def _holder(side, budget, route="isf"):
    return books.balance(books.Chart(side.authority).holder(budget.pk, route))


@pytest.fixture
def isf(world):
    """The £30,000 ISF (seed 004 glossary), monthly: £2,500 paid in April and in May, nothing spent."""
    side = world.north
    budget = make_budget(side.self_person, 3000000, routes=ISF)
    _pay(side, "2026-04", "2026-05")
    return budget


def test_may_cannot_close_while_april_is_open_and_nothing_is_written(world, isf):
    side = world.north
    with pytest.raises(ServiceError, match="Close April 2026 first") as refused:
        services.close_period(side.users[Role.FINANCE], side.authority, "2026-05")
    assert list(refused.value.errors) == ["period"]
    assert not CloseLine.objects.exists()
    assert not Transaction.objects.filter(kind="clawback").exists()
    assert Period.objects.get(authority=side.authority, start=dt.date(2026, 5, 1)).status == "open"


def test_closing_in_order_claws_back_only_what_is_unspent_once(world, isf):
    side = world.north
    finance = side.users[Role.FINANCE]
    april = services.close_period(finance, side.authority, "2026-04")
    may = services.close_period(finance, side.authority, "2026-05")
    assert april.changed and may.changed
    lines = list(CloseLine.objects.filter(budget=isf).order_by("period__start"))
    # April: £2,500 unspent, 10% of April's £2,500 rolls over (£250), £2,250 back.
    # May: £250 carried in + £2,500 paid = £2,750 unspent; keep £250 + 10% of £2,500 = £500, £2,250 back.
    assert [(x.unspent_pence, x.kept_pence, x.clawed_back_pence) for x in lines] == [
        (250000, 25000, 225000),
        (275000, 50000, 225000),
    ]
    clawed = sum(x.clawed_back_pence for x in lines)
    assert clawed == 450000 <= 500000  # never more than was paid and left unspent
    assert _holder(side, isf) == 50000  # what was kept, and never below nothing
    assert (
        april.message
        == "April 2026 is closed: 1 budget, £250.00 kept by budget holders, £2,250.00 clawed back"
    )


def test_a_second_close_changes_nothing_and_says_so_everywhere(world, isf):
    side = world.north
    finance = side.users[Role.FINANCE]
    services.close_period(finance, side.authority, "2026-04")
    written = (Transaction.objects.count(), CloseLine.objects.count())

    again = services.close_period(finance, side.authority, "2026-04")
    assert not again.changed
    assert (
        again.message.startswith("April 2026 was already closed on ")
        and "nothing has changed" in again.message
    )
    assert (again.budgets, again.kept_pence, again.clawed_back_pence) == (1, 25000, 225000)

    token = token_for(finance, side.authority)
    response = client_for(finance).post(
        "/api/v1/ledger/periods/2026-04/close", data=json.dumps({"reason": "again"}),
        content_type="application/json", headers={"authorization": f"Bearer {token}"},
    )  # fmt: skip
    assert response.status_code == 200
    assert response.json()["changed"] is False and "already closed" in response.json()["message"]

    page = client_for(finance).post("/money/periods/2026-04/close/", {"reason": "again"}, follow=True)
    assert "April 2026 was already closed" in page.content.decode()

    call_command("close_period", "--authority", "northshire", "--period", "2026-04", "--as", finance.username)
    assert (Transaction.objects.count(), CloseLine.objects.count()) == written


def test_out_of_order_close_is_refused_on_the_page_the_api_and_the_cli(world, isf):
    side = world.north
    finance = side.users[Role.FINANCE]
    page = client_for(finance).get("/money/periods/2026-05/close/")
    assert "Close April 2026 first" in page.content.decode()
    assert 'type="submit"' not in page.content.decode().split("Close April 2026 first")[1]
    posted = client_for(finance).post("/money/periods/2026-05/close/", {"reason": "month end"})
    assert posted.status_code == 400 and "Close April 2026 first" in posted.content.decode()

    token = token_for(finance, side.authority)
    response = client_for(finance).post(
        "/api/v1/ledger/periods/2026-05/close", data=json.dumps({"reason": "month end"}),
        content_type="application/json", headers={"authorization": f"Bearer {token}"},
    )  # fmt: skip
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == ["body", "period"]

    with pytest.raises(CommandError, match="Close April 2026 first"):
        call_command(
            "close_period", "--authority", "northshire", "--period", "2026-05", "--as", finance.username
        )
    assert not CloseLine.objects.exists()

    home = client_for(finance).get("/money/").content.decode()
    assert (
        'href="/money/periods/2026-04/close/"' in home and 'href="/money/periods/2026-05/close/"' not in home
    )


def test_a_month_cannot_close_while_its_run_is_queued(world):
    side = world.north
    make_budget(side.self_person)
    services.start_run(side.users[Role.FINANCE], side.authority, "2026-04")  # queued, not yet paid
    with pytest.raises(ServiceError, match="payment run for April 2026 has not finished"):
        services.close_period(side.users[Role.FINANCE], side.authority, "2026-04")


def test_spending_since_the_month_end_counts_as_spent_so_no_holder_goes_below_nothing(world):
    side = world.north
    budget = make_budget(side.self_person, 624000, routes=[{"route": "direct_payment"}])  # £520 a month
    _pay(side, "2026-04")
    services.record_spend(
        side.users[Role.PERSON], budget, on=dt.date(2026, 5, 3), category="personal_assistant",
        description="PA wages for early May", amount_pence=30000,
    )  # fmt: skip
    services.close_period(side.users[Role.FINANCE], side.authority, "2026-04")
    line = CloseLine.objects.get(budget=budget)
    # £520 unspent on 30 April, £300 of it spent since: £220 counts; keep 10% of £520 = £52, £168 back.
    assert (line.unspent_pence, line.kept_pence, line.clawed_back_pence) == (22000, 5200, 16800)
    assert "£300.00 spent since the month end counts as spent" in line.rule
    assert _holder(side, budget, "direct_payment") == 5200


def test_payments_into_a_closed_month_or_one_before_it_are_refused(world):
    side = world.north
    finance = side.users[Role.FINANCE]
    budget = make_budget(side.self_person)
    _pay(side, "2026-04")
    services.close_period(finance, side.authority, "2026-04")
    with pytest.raises(ServiceError, match="April 2026 is closed"):
        services.start_run(finance, side.authority, "2026-04")
    with pytest.raises(ServiceError, match="the books are closed up to the end of April 2026"):
        services.start_run(finance, side.authority, "2026-03")
    assert not Period.objects.filter(start=dt.date(2026, 3, 1)).exists()  # nothing half-written
    with pytest.raises(ServiceError, match="April 2026 is closed") as refused:
        services.record_spend(
            side.users[Role.PERSON], budget, on=dt.date(2026, 4, 20), category="other",
            description="Too late", amount_pence=100,
        )  # fmt: skip
    assert list(refused.value.errors) == ["on"]
    with pytest.raises(CommandError, match="April 2026 is closed"):
        call_command(
            "payment_run", "--authority", "northshire", "--period", "2026-04", "--as", finance.username
        )


def test_a_run_whose_month_was_closed_before_it_finished_is_refused_by_the_worker(world):
    side = world.north
    finance = side.users[Role.FINANCE]
    for person in (side.self_person, side.caseload_person, side.other_person):
        make_budget(person)
    run = services.start_run(finance, side.authority, "2026-04")
    with pytest.raises(RuntimeError):
        services.execute_run(run.pk, batch_size=1, crash_after=1)  # stopped part way: one paid
    services.close_period(finance, side.authority, "2026-04")  # a stopped run does not hold the close
    assert tasks.pay_run.call(run.pk) == -1
    run.refresh_from_db()
    assert run.status == "failed" and "April 2026 is closed" in run.error
    assert Payment.objects.count() == 1
    # What the stopped run did not pay is paid by the next month's run, dated in that month.
    may = services.start_run(finance, side.authority, "2026-05")
    services.execute_run(may.pk)
    april_due = Instalment.objects.filter(due_on=dt.date(2026, 4, 1))
    assert all(hasattr(i, "payment") for i in april_due)
    late = Payment.objects.filter(run=may, instalment__due_on=dt.date(2026, 4, 1))
    assert late.count() == 2 and {p.transaction.on for p in late} == {dt.date(2026, 5, 1)}


def test_a_budget_agreed_after_its_first_months_run_is_paid_what_it_missed(world):
    side = world.north
    finance = side.users[Role.FINANCE]
    make_budget(side.caseload_person)
    _pay(side, "2026-04")
    late = make_budget(side.self_person, 624000)  # starts 1 April, agreed after April's run
    may = services.start_run(finance, side.authority, "2026-05")
    services.execute_run(may.pk)
    may.refresh_from_db()
    paid = Payment.objects.filter(instalment__budget=late).order_by("instalment__due_on")
    assert [(p.instalment.due_on, p.amount_pence, p.run_id) for p in paid] == [
        (dt.date(2026, 4, 1), 52000, may.pk),
        (dt.date(2026, 5, 1), 52000, may.pk),
    ]
    assert may.due_count == may.paid_count == 3  # May's two and the April instalment it missed
    assert PaymentRun.objects.get(period__start=dt.date(2026, 4, 1)).paid_count == 1


def test_a_month_cannot_close_before_it_ends_and_can_from_the_next_day(world, time_machine):
    """Seed 001's rule claws back what is unspent "at month end": closing December on 8 December
    clawed back money the holder could still spend on its last 23 days."""
    side = world.north
    finance = side.users[Role.FINANCE]
    budget = make_budget(side.self_person, 3000000, routes=ISF)
    _pay(side, "2026-04")
    time_machine.move_to(dt.datetime(2026, 4, 30, 12, tzinfo=dt.UTC), tick=False)
    with pytest.raises(ServiceError, match="April 2026 has not ended: it can be closed from 1 May 2026"):
        services.close_period(finance, side.authority, "2026-04")
    page = client_for(finance).get("/money/periods/2026-04/close/").content.decode()
    assert "April 2026 has not ended" in page
    assert not CloseLine.objects.exists()
    time_machine.move_to(dt.datetime(2026, 5, 1, 9, tzinfo=dt.UTC), tick=False)
    assert services.close_period(finance, side.authority, "2026-04").changed
    assert CloseLine.objects.get(budget=budget).kept_pence == 25000  # 10% of the £2,500 paid in April
