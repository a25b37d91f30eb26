"""The finance officer's month, page by page: the open month and its next step on the home page and
the money page, the run form offering the open months, a run waiting on a worker that is not there,
who a run paid (remittances with bank details, references explained and totals), closing the month
and finding its results again, the budget list's periods and the statement's plan-cost rule."""

from __future__ import annotations

import datetime as dt
import re

import time_machine
from django.utils import timezone
from ledger_support import make_budget

from helpers import client_for
from selfdirect.core.constants import Role
from selfdirect.core.dates import add_months
from selfdirect.core.runs import RunStatus
from selfdirect.ledger import services, views
from selfdirect.ledger.models import PaymentRun, Period


def _name(day: dt.date) -> str:
    return f"{day:%B %Y}"


def _on(day: dt.date) -> time_machine.travel:
    """Travel to ``day`` (10:00 UTC: the same day in London all year)."""
    return time_machine.travel(dt.datetime.combine(day, dt.time(10, 0), tzinfo=dt.UTC), tick=True)


def _visible(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_open_month_and_its_next_step_are_on_the_home_and_money_pages(world, today):
    side = world.north
    finance = client_for(side.users[Role.FINANCE])
    month = today.replace(day=1)
    label, name = f"{month:%Y-%m}", _name(month)
    make_run = f'<a class="govuk-link" href="/money/runs/?period={label}">Make the payment run for {name}</a>'
    # Nothing has been posted this month: no month of the books exists yet, and still it is offered.
    home = finance.get("/").content.decode()
    assert make_run in home and "Payment runs and month end" in home
    money = finance.get("/money/").content.decode()
    assert make_run in money
    row = money.split('data-testid="months"')[1].split("</tr>", 2)[1]
    assert name in row and "Open" in row and "Not made yet" in row and make_run in row
    # The run form offers the open months to choose from, the one the link names already chosen.
    assert f'type="radio" value="{label}"' in money
    form = finance.get(f"/money/runs/?period={label}")
    assert form.status_code == 200
    assert f'type="radio" value="{label}" checked' in form.content.decode()
    assert f">{name}</label>" in form.content.decode()
    empty = finance.post("/money/runs/", {})
    assert empty.status_code == 400 and "Select the month to pay" in empty.content.decode()
    # A month typed as people write it is still taken (older pages, scripts).
    assert finance.post("/money/runs/", {"period": name}).status_code == 302
    run = PaymentRun.objects.get(authority=side.authority)
    waiting = finance.get("/").content.decode()
    assert f'<a class="govuk-link" href="/money/runs/{run.pk}/">See the payment run for {name} (waiting to start)</a>' in waiting
    services.execute_run(run.pk)
    # Once the month has ended, its finished run leaves closing it to do; the next month is open too.
    following = add_months(month, 1)
    with _on(following):
        finance = client_for(side.users[Role.FINANCE])  # a session does not last a month
        close = f'<a class="govuk-link" href="/money/periods/{label}/close/">Close {name}</a>'
        done = finance.get("/").content.decode()
        assert close in done and f"Make the payment run for {_name(following)}</a>" in done
        assert close in finance.get("/money/").content.decode()
        assert close in finance.get(f"/money/runs/{run.pk}/").content.decode()
    # A person's home page has no money steps.
    assert "Payment runs and month end" not in client_for(side.users[Role.PERSON]).get("/").content.decode()


def test_months_close_oldest_first_and_a_closed_month_keeps_a_link_to_its_results(world, today):
    side = world.north
    actor = side.users[Role.FINANCE]
    finance = client_for(actor)
    month = today.replace(day=1)
    before = add_months(month, -1)
    for m in (before, month):
        services.execute_run(services.start_run(actor, side.authority, f"{m:%Y-%m}").pk)
    with _on(add_months(month, 1)):  # both months have ended
        steps = client_for(actor).get("/").content.decode().split('data-testid="open-months"')[1].split("</ul>")[0]
        assert f'<a class="govuk-link" href="/money/periods/{before:%Y-%m}/close/">Close {_name(before)}</a>' in steps
        assert (f"Close {_name(before)} first: months are closed in order, oldest first, and {_name(before)} is "
                "still open.") in steps  # fmt: skip
        assert f">Close {_name(month)}</a>" not in steps
    closed = finance.post(f"/money/periods/{before:%Y-%m}/close/", {"reason": "month end"}, follow=True)
    page = closed.content.decode()
    assert f"{_name(before)} is closed: 0 budgets, £0.00 kept by budget holders, £0.00 clawed back" in page
    assert f'<h1 class="govuk-heading-l">{_name(before)} is closed</h1>' in page
    assert f"<title>{_name(before)} is closed" in page
    money = finance.get("/money/").content.decode()
    assert (f'<a class="govuk-link" href="/money/periods/{before:%Y-%m}/close/">Results of closing {_name(before)}</a>'
            in money)  # fmt: skip
    with _on(add_months(month, 1)):
        money = client_for(actor).get("/money/").content.decode()
        assert f'<a class="govuk-link" href="/money/periods/{month:%Y-%m}/close/">Close {_name(month)}</a>' in money


def test_close_message_counts_budgets_in_words():
    period = Period(start=dt.date(2026, 4, 1), end=dt.date(2026, 4, 30))
    one = services.CloseResult(period, True, 1, 25000, 225000)
    many = services.CloseResult(period, True, 41, 723807, 2103767)
    assert views.close_message(one) == "April 2026 is closed: 1 budget, £250.00 kept by budget holders, £2,250.00 clawed back"
    assert views.close_message(many).startswith("April 2026 is closed: 41 budgets, £7,238.07 kept")


def test_a_run_waiting_on_a_worker_that_is_not_there_says_so(world):
    side = world.north
    finance = client_for(side.users[Role.FINANCE])
    run = services.start_run(side.users[Role.FINANCE], side.authority, "2026-04")  # no worker takes it
    page = finance.get(f"/money/runs/{run.pk}/").content.decode()
    assert "Waiting to start" in page and "This page refreshes every 5 seconds." in page
    assert 'data-testid="run-stuck"' not in page  # just started: nothing to say yet
    PaymentRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - dt.timedelta(minutes=7, seconds=5))
    page = finance.get(f"/money/runs/{run.pk}/").content.decode()
    assert (
        "This run has waited 7 minutes to start. The background worker that makes payment runs may not be "
        "running: ask whoever runs this service to check it." in page
    )
    # A worker that took the run and stopped: its lease ran out 3 minutes ago, 5 since it last wrote.
    PaymentRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, lease_expires_at=timezone.now() - dt.timedelta(minutes=3, seconds=5)
    )
    page = finance.get(f"/money/runs/{run.pk}/").content.decode()
    assert "This run has not moved for 5 minutes. The background worker making it may have stopped" in page
    assert "Start the run for April 2026 again</button>" in page


def test_how_long_a_run_has_waited_reads_as_words():
    assert views._how_long(dt.timedelta(minutes=1, seconds=30)) == "1 minute"
    assert views._how_long(dt.timedelta(minutes=119)) == "119 minutes"
    assert views._how_long(dt.timedelta(hours=5, minutes=10)) == "5 hours"
    assert views._how_long(dt.timedelta(days=3, hours=2)) == "3 days"


def test_the_run_page_says_who_is_paid_and_the_remittances_explain_themselves(world):
    side = world.north
    finance = client_for(side.users[Role.FINANCE])
    own = make_budget(side.self_person)  # a direct payment, drafted without bank details
    isf = make_budget(
        side.caseload_person, 3000000,
        routes=[{"route": "isf", "payee_name": "Riverside Support", "payee_account": "PROV-0042"}],
    )  # fmt: skip
    run = services.start_run(side.users[Role.FINANCE], side.authority, "2026-04")
    waiting = finance.get(f"/money/runs/{run.pk}/remittances/").content.decode()
    assert "The run has not finished yet" in waiting and "Nothing was paid in this run" not in waiting
    assert f'<a href="/money/runs/{run.pk}/" class="govuk-back-link">Back to the payment run for April 2026</a>' in waiting
    services.execute_run(run.pk)

    page = finance.get(f"/money/runs/{run.pk}/").content.decode()
    # 624000 / 12 = £520.00 to Margaret's direct payment, 3000000 / 12 = £2,500.00 to the provider.
    assert (f'<a class="govuk-link" href="/money/runs/{run.pk}/remittances/">See who is paid: 2 payees, '
            "£3,020.00 in all</a>") in page  # fmt: skip
    assert '<a class="govuk-link" href="/money/periods/2026-04/close/">Close April 2026</a>' in page

    remit = finance.get(f"/money/runs/{run.pk}/remittances/").content.decode()
    text = _visible(remit)
    assert "The run has not finished yet" not in text
    assert "£3,020.00 to 2 payees." in text
    assert "00-00-00" not in text and "No bank details held" in text
    assert "Paid into the account held for them: PROV-0042" in text
    assert "Payment reference (on the payee’s bank statement)" in text
    assert "The payment reference is what the payee sees on their bank statement" in text
    assert "DIR: Direct payment; ISF: Individual Service Fund (held by a provider)" in text
    assert f"SD{own.pk}-1-DIR" in text and f"SD{isf.pk}-1-ISF" in text
    assert f"Total to {side.self_person} £520.00" in text and "Total to Riverside Support £2,500.00" in text
    assert 'aria-label="Remittance to Riverside Support"' in remit
    assert "1 April 2026 to 30 April 2026" in text


def test_a_finished_run_that_paid_nothing_says_so(world):
    side = world.north
    run = services.execute_run(services.start_run(side.users[Role.FINANCE], side.authority, "2026-04").pk)
    finance = client_for(side.users[Role.FINANCE])
    assert "Nothing was paid in this run." in finance.get(f"/money/runs/{run.pk}/remittances/").content.decode()
    assert "Nobody was paid in this run." in finance.get(f"/money/runs/{run.pk}/").content.decode()


def test_bank_details_placeholder_reads_as_none_held():
    assert views.bank_details("00-00-00 00000000") == ""
    assert views.bank_details("") == ""
    assert views.bank_details("12-34-56 12345678") == "12-34-56 12345678"


def test_the_budget_list_shows_each_budgets_period(world):
    side = world.north
    make_budget(side.self_person)
    services.create_budget(
        side.users[Role.FINANCE], side.self_person, stream="adult_social_care",
        period_start=dt.date(2027, 4, 1), period_end=dt.date(2028, 3, 31), agreed_annual_pence=650000,
        starts_on=dt.date(2027, 4, 1), frequency="monthly",
        deployments=[{"route": "direct_payment", "payee_name": str(side.self_person)}],
    )  # fmt: skip
    page = client_for(side.users[Role.FINANCE]).get("/money/budgets/").content.decode()
    periods = re.findall(r'data-testid="budget-period">([^<]+)<', page)
    assert periods == ["1 April 2027 to 31 March 2028", "1 April 2026 to 31 March 2027"]


def test_the_statement_says_what_the_plan_cost_rule_is_in_words(world):
    side = world.north
    finance = client_for(side.users[Role.FINANCE])
    within = make_budget(side.self_person, 1000000, plan_cost_pence=988000)
    page = _visible(finance.get(f"/money/budgets/{within.pk}/").content.decode())
    assert (
        "£9,880.00 a year. The plan costs £120.00 less than the agreed budget. Under the money rules in force "
        "from 1 April 2026, a plan may cost up to 5% of the budget (£500.00) more or less than it, so this is "
        "allowed." in page
    )
    assert "tolerance" not in page
    over = make_budget(side.caseload_person, 1000000, plan_cost_pence=1060000)
    page = _visible(finance.get(f"/money/budgets/{over.pk}/").content.decode())
    assert "The plan costs £600.00 more than the agreed budget." in page
    assert "(£500.00) more or less than it, so this is more than they allow." in page


def test_a_budget_whose_period_is_over_is_not_shown_as_active(world, time_machine):
    """Walking the journey, budgets of 2025/26 were listed as "Active" in December 2026. Their status
    stays as the money rules need it (late spending, the last claw-back); the reader sees the truth."""
    side = world.north
    budget = make_budget(side.self_person)  # 1 April 2026 to 31 March 2027
    finance = side.users[Role.FINANCE]
    time_machine.move_to(dt.datetime(2027, 3, 31, 12, tzinfo=dt.UTC), tick=False)
    assert budget.status_label == "Agreed"
    time_machine.move_to(dt.datetime(2027, 4, 1, 12, tzinfo=dt.UTC), tick=False)
    assert budget.status_label == "Period ended 31 March 2027"
    for path in (f"/money/budgets/{budget.pk}/", "/money/budgets/"):
        page = client_for(finance).get(path).content.decode()
        assert "Period ended 31 March 2027" in page, path
