"""Money pages doing their work: agreeing, recording and uploading spending (malformed files
refused with line numbers, nothing half-posted), starting a run, closing a month, statements."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from ledger_support import make_budget

from helpers import client_for
from selfdirect.core.constants import Role
from selfdirect.ledger import services
from selfdirect.ledger.models import Budget, Payment, PaymentRun, Period, Spend, Transaction

TASKS_NOW = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_statement_shows_indicative_and_agreed_side_by_side_with_reasons_and_a_chart(world):
    budget = make_budget(
        world.north.self_person,
        886340,
        indicative_pence=431132,
        difference_reasons="The panel found night-time needs the RAS does not score.",
    )
    page = client_for(world.north.users[Role.PERSON]).get(f"/money/budgets/{budget.pk}/").content.decode()
    assert "£4,311.32" in page and "£8,863.40" in page and "night-time needs" in page
    assert "Bar chart of the budget for the period" in page and "The chart’s figures" in page
    assert "What your current services cost" in page and "under the money rules in force from 1 April 2026" in page
    # Each figure says what it is, and the page says what happens next: 886340 / 12 = 73861.67 a
    # month, the first instalment rounded up (largest remainder).
    assert "What the council has paid into this budget so far." in page
    following = page.split('data-testid="next"')[1].split("</ul>")[0]
    assert "The next payment of £738.62 is due on 1 April 2026, for 1 April 2026 to 30 April 2026." in following
    assert "raise a dispute" in following
    home = client_for(world.north.users[Role.PERSON]).get("/").content.decode()
    assert f"/money/budgets/{budget.pk}/" in home
    csv_text = (
        client_for(world.north.users[Role.PERSON])
        .get(f"/money/budgets/{budget.pk}/statement.csv")
        .content.decode()
    )
    assert "Agreed budget a year,8863.40" in csv_text and "Indicative budget a year,4311.32" in csv_text


def test_agree_page_requires_a_reason_then_agrees(world):
    budget = make_budget(world.north.caseload_person, agree=False)
    client = client_for(world.north.users[Role.FINANCE])
    assert client.post(f"/money/budgets/{budget.pk}/agree/", {"approved_by": "plan"}).status_code == 400
    assert Budget.objects.get(pk=budget.pk).status == "draft"
    response = client.post(
        f"/money/budgets/{budget.pk}/agree/", {"approved_by": "Plan signed off 3 April", "reason": "approved"}
    )
    assert response.status_code == 302 and Budget.objects.get(pk=budget.pk).status == "agreed"


def test_person_records_spending_and_bad_input_is_a_400(world):
    budget = make_budget(world.north.self_person)
    services.execute_run(
        services.start_run(world.north.users[Role.FINANCE], world.north.authority, "2026-04").pk
    )
    client = client_for(world.north.users[Role.PERSON])
    url = f"/money/budgets/{budget.pk}/spending/"
    good = {
        "on_0": "12",
        "on_1": "4",
        "on_2": "2026",
        "category": "transport",
        "description": "Taxi to day centre",
        "amount": "12.50",
    }
    assert client.post(url, {**good, "amount": "12.505"}).status_code == 400
    assert client.post(url, {**good, "amount": "-3"}).status_code == 400
    assert client.post(url, good).status_code == 302
    spend = Spend.objects.get()
    assert spend.amount_pence == 1250 and not spend.flagged
    client.post(url, {**good, "category": "cash_withdrawal", "description": "Cash", "amount": "20"})
    assert Spend.objects.get(category="cash_withdrawal").flagged  # a light-touch check, not a block


def test_a_malformed_bank_statement_is_refused_with_line_numbers_and_nothing_posted(world):
    budget = make_budget(world.north.self_person)
    services.execute_run(
        services.start_run(world.north.users[Role.FINANCE], world.north.authority, "2026-04").pk
    )
    client = client_for(world.north.users[Role.PERSON])
    before = Transaction.objects.count()
    bad = "date,description,amount,category\n2026-04-03,PA wages,80.00,personal_assistant\n2026-04-31,Taxi,5,transport\n2026-04-05,Bus,1.001,transport\n2026-04-06,Thing,3,jewellery\n"
    response = client.post(
        f"/money/budgets/{budget.pk}/spending/upload/",
        {"file": SimpleUploadedFile("s.csv", bad.encode(), content_type="text/csv")},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "line 3" in page and "line 4" in page and "line 5" in page and "line 2" not in page
    assert Transaction.objects.count() == before and Spend.objects.count() == 0
    wrong_columns = "when,what\n2026-04-03,x\n"
    response = client.post(
        f"/money/budgets/{budget.pk}/spending/upload/",
        {"file": SimpleUploadedFile("s.csv", wrong_columns.encode())},
    )
    assert response.status_code == 400 and "line 1" in response.content.decode()
    good = "date,description,amount,category\n2026-04-03,PA wages,80.00,personal_assistant\n2026-04-04,Bus,2.50,transport\n"
    response = client.post(
        f"/money/budgets/{budget.pk}/spending/upload/", {"file": SimpleUploadedFile("s.csv", good.encode())}
    )
    assert response.status_code == 302
    assert sorted(Spend.objects.values_list("amount_pence", flat=True)) == [250, 8000]
    # The page refuses what the API refuses: a file not in UTF-8, and one over the size limit.
    for name, raw, message in [
        ("latin1.csv", "date,description,amount,category\n2026-04-05,Café,3,transport\n".encode("latin-1"),
         "saved as UTF-8 text"),
        ("big.csv", b"x" * (services.MAX_STATEMENT_BYTES + 1), "larger than 1000 KB"),
    ]:  # fmt: skip
        response = client.post(
            f"/money/budgets/{budget.pk}/spending/upload/", {"file": SimpleUploadedFile(name, raw)}
        )
        assert response.status_code == 400 and message in response.content.decode()
    assert Spend.objects.count() == 2


def test_finance_starts_a_run_sees_progress_and_closes_the_month(world, settings, worker):
    settings.TASKS = TASKS_NOW
    make_budget(
        world.north.self_person,
        3000000,
        routes=[{"route": "isf", "payee_name": "Riverside", "payee_account": "PROV-1"}],
    )
    client = client_for(world.north.users[Role.FINANCE])
    assert client.post("/money/runs/", {"period": "Mayday 2026"}).status_code == 400
    with worker():
        response = client.post("/money/runs/", {"period": "2026-04"})
    run = PaymentRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/money/runs/{run.pk}/"
    page = client.get(f"/money/runs/{run.pk}/").content.decode()
    assert "Finished" in page and "1 of 1" in page and "£2,500.00" in page
    file = client.get(f"/money/runs/{run.pk}/payments.csv").content.decode()
    assert "Riverside,PROV-1,2500.00,SD" in file
    assert "Riverside" in client.get(f"/money/runs/{run.pk}/remittances/").content.decode()
    assert client.post("/money/periods/2026-04/close/", {}).status_code == 400
    closed = client.post("/money/periods/2026-04/close/", {"reason": "April done"})
    assert closed.status_code == 302 and closed["Location"] == "/money/periods/2026-04/close/"
    assert Period.objects.get(start__month=4).status == "closed"
    # The close says, budget by budget, what was kept and clawed back and by which rule: nothing was
    # spent of April's £2,500.00; Northshire lets 10% of the month's allocation roll over.
    page = client.get(closed["Location"]).content.decode()
    assert "April 2026 is closed: 1 budget, £250.00 kept by budget holders, £2,250.00 clawed back" in page
    row = page.split('data-testid="close-lines"')[1].split("</tbody>")[0]
    person = world.north.self_person
    assert f"{person} ({person.reference})" in row and "£2,500.00" in row and "£250.00" in row
    assert '<span class="govuk-visually-hidden">See the </span>£2,250.00<span class="govuk-visually-hidden"> clawed back' in row
    assert "Up to 10% of this month&#x27;s allocation rolls over" in row
    tb = client.get("/money/trial-balance/").content.decode()
    assert 'data-testid="total-debits">£' in tb
    assert client.get("/money/periods/nonsense/close/").status_code == 404


def test_cli_payment_run_and_close(world, capsys):
    make_budget(world.north.self_person)
    call_command(
        "payment_run", "--authority", "northshire", "--period", "2026-04", "--as", "northshire-finance"
    )
    assert Payment.objects.count() == 1
    call_command(
        "payment_run", "--authority", "northshire", "--period", "2026-04", "--as", "northshire-finance"
    )
    assert Payment.objects.count() == 1
    call_command(
        "close_period", "--authority", "northshire", "--period", "2026-04", "--as", "northshire-finance"
    )
    import pytest
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="may not"):
        call_command(
            "payment_run", "--authority", "northshire", "--period", "2026-05", "--as", "northshire-assessor"
        )
    with pytest.raises(CommandError, match="closed"):
        call_command(
            "payment_run", "--authority", "northshire", "--period", "2026-04", "--as", "northshire-finance"
        )


def test_demo_loads_a_year_of_budgets_runs_and_closes_per_authority_twice_safely(db, today):
    from selfdirect.core.demo import DemoCalendar
    from selfdirect.ledger.demo import load_ledger_demo
    from selfdirect.people.demo import load_demo

    cal = DemoCalendar(today)
    load_demo(8)
    load_ledger_demo()
    budgets = Budget.objects.filter(source__startswith="Demo budget").count()
    load_ledger_demo()
    # Five budgets an authority, each renewed from 1 April while the history runs past it.
    assert Budget.objects.filter(source__startswith="Demo budget").count() == budgets >= 10
    # Each of the 12 months before this one paid and closed, oldest first; this month's run not made.
    months = [cal.label(m) for m in range(12)]
    for slug in ("northshire", "southvale"):
        runs = PaymentRun.objects.filter(authority__slug=slug).order_by("period__start")
        assert [(f"{r.period.start:%Y-%m}", r.status) for r in runs] == [(m, "done") for m in months]
        periods = Period.objects.filter(authority__slug=slug).order_by("start")
        assert [(f"{p.start:%Y-%m}", p.status) for p in periods if p.start < cal.month_start(12)] == [
            (m, "closed") for m in months
        ]
        closed = [p.closed_at for p in periods if p.closed_at is not None]
        assert closed == sorted(closed)
    from selfdirect.ledger.models import ChargeAssessment, Dispute

    assert ChargeAssessment.objects.count() == 4 and Dispute.objects.filter(status="open").count() == 2
    # The ISF running today is for the whole financial year from 1 April: its instalments pay it all.
    isf = Budget.objects.filter(
        agreed_annual_pence=3000000, period_start__lte=today, period_end__gte=today
    ).first()
    assert isf.period_start.month == 4 and isf.period_start.day == 1
    assert sum(isf.instalments.values_list("amount_pence", flat=True)) == 3000000
