"""Collecting claw-back (money clawed back at period close, received back: Dr bank / Cr claw-back
receivable) with hand-worked figures, on the page, the API and the CLI; and bank-statement CSVs
uploaded through the API with the same all-or-nothing parsing as the page."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from ledger_support import make_budget

from helpers import client_for, token_for
from selfdirect.core.constants import Role
from selfdirect.core.errors import ServiceError
from selfdirect.ledger import books, services
from selfdirect.ledger.models import Spend, Transaction


def _api(world, role, side="north"):
    s = getattr(world, side)
    client = Client()
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token_for(s.users[role], s.authority)}"
    return client


def _balanced(authority):
    rows = books.trial_balance(authority)
    assert sum(r["debits"] for r in rows) == sum(r["credits"] for r in rows)
    return {r["code"]: r["balance"] for r in rows}


@pytest.fixture
def clawed(world):
    """Northshire rolls over up to 10% of the month's allocation (seed 001). £6,240 a year paid
    monthly: April pays £520; £420 is spent, so £100 is unspent: £52 is kept and £48 clawed back."""
    finance = world.north.users[Role.FINANCE]
    budget = make_budget(world.north.self_person, 624000, frequency="monthly")
    services.execute_run(services.start_run(finance, world.north.authority, "2026-04").pk)
    services.record_spend(finance, budget, on=dt.date(2026, 4, 15), category="personal_assistant",
                          description="PA wages", amount_pence=42000)  # fmt: skip
    services.close_period(finance, world.north.authority, "2026-04", "April done")
    assert services.clawback_position(budget) == services.ClawbackPosition(
        owed=4800, received=0, outstanding=4800
    )
    return budget


def test_claw_back_received_back_is_posted_and_shown_owed_received_outstanding(world, clawed):
    finance, budget = world.north.users[Role.FINANCE], clawed
    txn = services.receive_clawback(
        finance, budget, 3000, dt.date(2026, 5, 10), reason="cheque from Margaret"
    )
    legs = sorted((leg.account.code, leg.side, leg.amount) for leg in txn.legs.select_related("account"))
    assert legs == [("bank", "D", 3000), ("clawback", "C", 3000)]
    assert txn.budget_id == budget.pk and txn.kind == "receipt"
    assert services.clawback_position(budget) == services.ClawbackPosition(
        owed=4800, received=3000, outstanding=1800
    )
    # More than the £18 still owed, nothing owed yet on the day, a closed month, the future, not pence: refused.
    before = Transaction.objects.count()
    refusals = [
        (2000, dt.date(2026, 5, 11), "amount_pence", "£20.00 is more than the £18.00"),
        (100, dt.date(2026, 4, 20), "amount_pence", "No claw-back"),  # before the close posted it
        (100, dt.date.today() + dt.timedelta(days=1), "on", "future"),
        (0, dt.date(2026, 5, 11), "amount_pence", "more than zero"),
        (12.5, dt.date(2026, 5, 11), "amount_pence", "whole pence"),
    ]
    for amount, on, field, words in refusals:
        with pytest.raises(ServiceError) as caught:
            services.receive_clawback(finance, budget, amount, on)
        assert words in " ".join(caught.value.errors[field]), (amount, on)
    assert Transaction.objects.count() == before
    services.receive_clawback(finance, budget, 1800, dt.date(2026, 5, 12), reason="the rest")
    with pytest.raises(ServiceError, match="No claw-back"):
        services.receive_clawback(finance, budget, 1, dt.date(2026, 5, 13))
    # The books by hand: bank paid out £520 and received £30 + £18 back; the holder keeps £52.
    balances = _balanced(world.north.authority)
    assert balances["bank"] == -52000 + 3000 + 1800 == -47200
    assert balances["clawback"] == 4800 - 3000 - 1800 == 0
    assert balances[f"holder:{budget.pk}:direct_payment"] == 52000 - 42000 - 4800 == 5200
    summary = services.charging_summary(world.north.self_person)
    assert summary.clawback == 0
    assert services.person_clawback_position(world.north.self_person) == services.ClawbackPosition(
        4800, 4800, 0
    )
    # A receipt reversed by mistake is owed again.
    services.reverse_transaction(finance, txn, "cheque bounced", on=dt.date(2026, 5, 20))
    assert services.clawback_position(budget) == services.ClawbackPosition(
        owed=4800, received=1800, outstanding=3000
    )
    assert _balanced(world.north.authority)["bank"] == -52000 + 1800
    repayments = list(services.clawback_repayments(budget))
    assert [(t["amount"], t["reversed_by_id"] is not None) for t in repayments] == [
        (3000, True),
        (1800, False),
    ]


def test_finance_records_claw_back_received_on_the_page_the_person_sees_it(world, clawed):
    budget = clawed
    url = f"/money/budgets/{budget.pk}/clawback/"
    finance = client_for(world.north.users[Role.FINANCE])
    page = finance.get(url).content.decode()
    assert 'data-testid="clawback-outstanding">£48.00' in page and "Record money received" in page
    form = {"amount": "30", "on_0": "10", "on_1": "5", "on_2": "2026", "reason": "cheque from Margaret"}
    bad = finance.post(url, {**form, "amount": "60"})
    assert bad.status_code == 400 and "£60.00 is more than the £48.00" in bad.content.decode()
    assert 'id="id_amount-error"' in bad.content.decode()
    bad = finance.post(url, {**form, "on_0": "20", "on_1": "4"})  # April is closed
    assert bad.status_code == 400 and "govuk-error-summary" in bad.content.decode()
    assert finance.post(url, {**form, "reason": ""}).status_code == 400
    assert not Transaction.objects.filter(kind="receipt").exists()
    assert finance.post(url, form).status_code == 302
    page = finance.get(url).content.decode()
    assert (
        'data-testid="clawback-received">£30.00' in page
        and 'data-testid="clawback-outstanding">£18.00' in page
    )
    # Who reaches the page: finance and admin; the person sees the figures on their statement and
    # charging page but cannot record money; another authority's finance finds nothing.
    assert client_for(world.north.users[Role.ADMIN]).get(url).status_code == 200
    for role in (Role.PERSON, Role.PLANNER, Role.ASSESSOR):
        assert client_for(world.north.users[role]).get(url).status_code == 403, role
    for role in (Role.COMMISSIONER, Role.PROVIDER, Role.PANEL, Role.REPRESENTATIVE):
        assert client_for(world.north.users[role]).get(url).status_code == 404, role
    assert client_for(world.south.users[Role.FINANCE]).get(url).status_code == 404
    assert client_for(world.south.users[Role.FINANCE]).post(url, form).status_code == 404
    person = client_for(world.north.users[Role.PERSON])
    statement = person.get(f"/money/budgets/{budget.pk}/").content.decode()
    assert 'data-testid="clawback-received">£30.00' in statement
    assert 'data-testid="clawback-outstanding">£18.00' in statement
    assert url not in statement  # no finance action for the person
    charging = person.get(f"/money/people/{budget.person_id}/charging/").content.decode()
    assert (
        'data-testid="clawback-owed">£48.00' in charging
        and 'data-testid="clawback-outstanding">£18.00' in charging
    )
    csv_text = person.get(f"/money/budgets/{budget.pk}/statement.csv").content.decode()
    assert "Claw-back paid back,30.00" in csv_text and "Claw-back still to pay back,18.00" in csv_text
    _balanced(world.north.authority)


def test_claw_back_through_the_api_and_the_cli(world, clawed):
    budget = clawed
    url = f"/api/v1/ledger/budgets/{budget.pk}/clawback"
    body = {"amount_pence": 3000, "on": "2026-05-10", "reason": "cheque"}
    post = {"data": json.dumps(body), "content_type": "application/json"}
    assert _api(world, Role.PERSON).get(url).json()["outstanding_pence"] == 4800  # sees their own
    assert _api(world, Role.PERSON).post(f"{url}/receipts", **post).status_code == 403
    assert _api(world, Role.PLANNER).post(f"{url}/receipts", **post).status_code == 403
    assert _api(world, Role.FINANCE, "south").post(f"{url}/receipts", **post).status_code == 404
    assert _api(world, Role.FINANCE, "south").get(url).status_code == 404
    too_much = _api(world, Role.FINANCE).post(
        f"{url}/receipts", data=json.dumps({**body, "amount_pence": 4801}), content_type="application/json"
    )
    assert too_much.status_code == 422 and "amount_pence" in too_much.content.decode()
    fractional = _api(world, Role.FINANCE).post(
        f"{url}/receipts", data=json.dumps({**body, "amount_pence": 30.5}), content_type="application/json"
    )
    assert fractional.status_code == 422
    assert not Transaction.objects.filter(kind="receipt").exists()
    made = _api(world, Role.FINANCE).post(f"{url}/receipts", **post)
    assert made.status_code == 201
    out = made.json()
    assert (out["owed_pence"], out["received_pence"], out["outstanding_pence"]) == (4800, 3000, 1800)
    assert [(r["on"], r["amount_pence"], r["reversed_by_id"]) for r in out["repayments"]] == [
        ("2026-05-10", 3000, None)
    ]
    statement = _api(world, Role.PERSON).get(f"/api/v1/ledger/budgets/{budget.pk}").json()
    assert (statement["clawback_received_pence"], statement["clawback_outstanding_pence"]) == (3000, 1800)
    charging = _api(world, Role.PERSON).get(f"/api/v1/ledger/people/{budget.person_id}/charging").json()
    assert (charging["clawback_owed_pence"], charging["clawback_received_pence"]) == (4800, 3000)
    assert charging["clawback_outstanding_pence"] == charging["clawback_pence"] == 1800
    # The CLI: finance records the rest; the planner may not; another authority's budget is not found.
    base = ["--authority", "northshire", "--as", "northshire-finance", "--budget", str(budget.pk)]
    with pytest.raises(CommandError, match="--amount"):
        call_command(
            "clawback", "receive", *base, "--amount", "18.001", "--on", "2026-05-11", "--reason", "x"
        )
    with pytest.raises(CommandError, match="--amount: £20.00 is more than the £18.00"):
        call_command("clawback", "receive", *base, "--amount", "20", "--on", "2026-05-11", "--reason", "x")
    with pytest.raises(CommandError, match="may not"):
        call_command("clawback", "show", *base[:3], "northshire-planner", *base[4:])
    with pytest.raises(CommandError, match="--budget"):
        call_command("clawback", "show", "--authority", "southvale", "--as", "southvale-finance", *base[4:])
    out = io.StringIO()
    call_command(
        "clawback", "receive", *base, "--amount", "18", "--on", "2026-05-11", "--reason", "rest", stdout=out
    )
    assert "clawed back £48.00, received back £48.00, still owed £0.00" in out.getvalue()
    out = io.StringIO()
    call_command("charging", "show", "--authority", "northshire", "--as", "northshire-finance",
                 "--person", world.north.self_person.reference, stdout=out)  # fmt: skip
    assert "claw-back: clawed back £48.00, received back £48.00, still owed £0.00" in out.getvalue()
    _balanced(world.north.authority)


GOOD = "date,description,amount,category\n2026-04-03,PA wages,80.00,personal_assistant\n2026-04-04,Bus,2.50,transport\n"
BAD = (
    "date,description,amount,category\n2026-04-03,PA wages,80.00,personal_assistant\n"
    "2026-04-31,Taxi,5,transport\n2026-04-05,Bus,1.001,transport\n2026-04-06,Thing,3,jewellery\n"
)


def test_bank_statement_csv_through_the_api_all_lines_or_none(world):
    budget = make_budget(world.north.self_person)
    services.execute_run(
        services.start_run(world.north.users[Role.FINANCE], world.north.authority, "2026-04").pk
    )
    url = f"/api/v1/ledger/budgets/{budget.pk}/spending/upload"

    def upload(role, text, side="north", raw=None):
        file = SimpleUploadedFile(
            "statement.csv", raw if raw is not None else text.encode(), content_type="text/csv"
        )
        return _api(world, role, side).post(url, {"file": file})

    before = Transaction.objects.count()
    response = upload(Role.PERSON, BAD)
    assert response.status_code == 422
    problems = [e["message"] for e in response.json()["errors"]]
    assert [p.split(":")[0] for p in problems] == ["line 3", "line 4", "line 5"]
    assert all(e["path"] == ["body", "file"] for e in response.json()["errors"])
    assert "line 1" in upload(Role.PERSON, "when,what\n2026-04-03,x\n").content.decode()
    assert "UTF-8" in upload(Role.PERSON, "", raw=b"date,description\n\xff\xfe,\x81\n").content.decode()
    assert "no spending lines" in upload(Role.PERSON, "date,description,amount,category\n").content.decode()
    assert Transaction.objects.count() == before and not Spend.objects.exists()
    assert upload(Role.FINANCE, GOOD, side="south").status_code == 404  # another authority's budget
    assert upload(Role.PLANNER, GOOD).status_code == 403  # sees the budget, does not spend it
    assert upload(Role.COMMISSIONER, GOOD).status_code == 404
    assert Transaction.objects.count() == before and not Spend.objects.exists()
    response = upload(Role.PERSON, GOOD)
    assert response.status_code == 201
    assert [(s["on"], s["amount_pence"], s["category"]) for s in response.json()] == [
        ("2026-04-03", 8000, "personal_assistant"),
        ("2026-04-04", 250, "transport"),
    ]
    assert sorted(Spend.objects.values_list("amount_pence", "source")) == [
        (250, "statement"),
        (8000, "statement"),
    ]
    # Spending the holder does not have is refused at its line, and the earlier lines are not kept.
    services.close_period(world.north.users[Role.FINANCE], world.north.authority, "2026-04", "April done")
    late = "date,description,amount,category\n2026-05-02,Bus,2.00,transport\n2026-04-28,Taxi,9.00,transport\n"
    response = upload(Role.FINANCE, late)
    assert response.status_code == 422 and "line 3" in response.content.decode()
    assert Spend.objects.count() == 2
    _balanced(world.north.authority)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("flushable_db")
def test_two_receipts_at_once_cannot_take_more_than_is_owed(world, clawed):
    """£48 owed; two workers each record £30 at the same moment: the budget's row lock lets one
    through, the other sees only £18 owed and is refused."""
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("real concurrent commits: PostgreSQL (set DATABASE_URL=postgres://...)")
    finance, budget = world.north.users[Role.FINANCE], clawed
    barrier, results = threading.Barrier(2), []

    def receive():
        try:
            barrier.wait(timeout=10)
            services.receive_clawback(finance, budget, 3000, dt.date(2026, 5, 10), reason="at once")
            results.append("ok")
        except ServiceError as exc:
            results.append(" ".join(exc.errors["amount_pence"]))
        finally:
            connection.close()

    threads = [threading.Thread(target=receive) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(results) == ["ok", "£30.00 is more than the £18.00 of claw-back owed on this budget"]
    assert services.clawback_position(budget) == services.ClawbackPosition(
        owed=4800, received=3000, outstanding=1800
    )
    _balanced(world.north.authority)
