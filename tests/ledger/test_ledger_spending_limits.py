"""Spending that cannot be right is not silently accepted (issue 16): £1,000,000 recorded against a
£4,160-a-year budget was saved with "Spending recorded", and the statement then showed a balance
of -£1,999,653.33 beside a chart that said £0.00.

Northshire's money rules (policies/northshire/ledger.yaml): a purchase that takes what the budget
holds more than £50 below nothing needs confirming and is flagged for finance; one purchase above
the budget's whole year is refused."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from ledger_support import make_budget

from helpers import client_for, token_for
from selfdirect.core.charts import RED
from selfdirect.core.constants import Role
from selfdirect.core.errors import ServiceError
from selfdirect.ledger import services, statements
from selfdirect.ledger.models import Spend, Transaction

APRIL = dt.date(2026, 4, 20)


@pytest.fixture
def budget(world):
    """£4,160 a year paid monthly as a direct payment: £346.67 paid for April."""
    side = world.north
    made = make_budget(side.self_person, 416000, routes=[{"route": "direct_payment"}])
    services.execute_run(services.start_run(side.users[Role.FINANCE], side.authority, "2026-04").pk)
    return made


def _spend(world, budget, pence, **extra):
    return services.record_spend(
        world.north.users[Role.PERSON], budget, on=APRIL, category="equipment", description="A purchase",
        amount_pence=pence, **extra,
    )  # fmt: skip


def test_an_absurd_amount_is_refused_naming_the_field_and_nothing_is_written(world, budget):
    before = Transaction.objects.count()
    with pytest.raises(ServiceError) as refused:
        _spend(world, budget, 100_000_000, confirm_overspend=True)
    assert refused.value.errors == {"amount": [
        "£1,000,000.00 is more than this budget can pay for one purchase (£4,160.00, 100% of £4,160.00 a year): "
        "check the amount"
    ]}  # fmt: skip
    assert Transaction.objects.count() == before and not Spend.objects.exists()

    person = world.north.users[Role.PERSON]
    page = client_for(person).post(f"/money/budgets/{budget.pk}/spending/", {
        "on_0": "20", "on_1": "4", "on_2": "2026", "category": "equipment", "description": "A typo",
        "amount": "1000000",
    })  # fmt: skip
    assert (
        page.status_code == 400
        and "is more than this budget can pay for one purchase" in page.content.decode()
    )

    token = token_for(person, world.north.authority)
    api = client_for(person).post(
        f"/api/v1/ledger/budgets/{budget.pk}/spending", content_type="application/json",
        data=json.dumps({"on": "2026-04-20", "category": "equipment", "description": "A typo",
                         "amount_pence": 100_000_000}),
        headers={"authorization": f"Bearer {token}"},
    )  # fmt: skip
    assert api.status_code == 422 and api.json()["errors"][0]["path"] == ["body", "amount"]
    assert not Spend.objects.exists()


def test_spending_within_the_margin_is_recorded_without_a_question_but_flagged(world, budget):
    made = _spend(world, budget, 38000)  # £346.67 held: £33.33 below nothing, within the £50 margin
    assert made.flagged and made.flag_reason == "Takes the budget £33.33 below what it held: for finance to check"
    assert services.statement(budget).held == -3333
    # Already below nothing: each further penny is short in full.
    assert _spend(world, budget, 1).flag_reason == "Takes the budget £0.01 below what it held: for finance to check"


def test_overspending_beyond_the_margin_needs_confirming_and_is_flagged_for_finance(world, budget):
    with pytest.raises(services.NeedsConfirmation) as asked:
        _spend(world, budget, 40000)
    assert asked.value.errors == {"amount": [
        "£400.00 is £53.33 more than the £346.67 this budget holds now: check the amount, and confirm it if it "
        "is right (finance will be told)"
    ]}  # fmt: skip
    assert not Spend.objects.exists()

    made = _spend(world, budget, 40000, confirm_overspend=True)
    assert made.flagged
    assert made.flag_reason == "Takes the budget £53.33 below what it held: confirmed, for finance to check"
    finance_home = client_for(world.north.users[Role.FINANCE]).get("/money/").content.decode()
    assert "Takes the budget £53.33 below what it held" in finance_home


def test_the_page_asks_for_confirmation_then_records_and_says_it_is_flagged(world, budget):
    client = client_for(world.north.users[Role.PERSON])
    url = f"/money/budgets/{budget.pk}/spending/"
    data = {"on_0": "20", "on_1": "4", "on_2": "2026", "category": "equipment", "description": "A hoist",
            "amount": "400"}  # fmt: skip
    first = client.get(url).content.decode()
    assert 'name="confirm_overspend"' not in first
    asked = client.post(url, data)
    assert asked.status_code == 400
    body = asked.content.decode()
    assert "£53.33 more than the £346.67 this budget holds now" in body and 'name="confirm_overspend"' in body
    assert not Spend.objects.exists()
    done = client.post(url, {**data, "confirm_overspend": "on"}, follow=True)
    assert "Spending of £400.00 recorded and flagged for finance to check" in done.content.decode()
    assert Spend.objects.get().flagged


def test_a_bank_statement_that_overspends_needs_confirming_too(world, budget):
    client = client_for(world.north.users[Role.PERSON])
    text = b"date,description,amount,category\n2026-04-20,Hoist,300.00,equipment\n2026-04-21,Ramp,150.00,equipment\n"
    url = f"/money/budgets/{budget.pk}/spending/upload/"
    asked = client.post(url, {"file": SimpleUploadedFile("s.csv", text)})
    assert (
        asked.status_code == 400
        and "line 3: £150.00 is £103.33 more than the £46.67" in asked.content.decode()
    )
    assert 'name="confirm_overspend"' in asked.content.decode() and not Spend.objects.exists()
    client.post(url, {"file": SimpleUploadedFile("s.csv", text), "confirm_overspend": "on"})
    assert [s.flagged for s in Spend.objects.order_by("on")] == [False, True]


def test_the_statement_chart_and_table_show_an_overspent_balance_alike(world, budget):
    _spend(world, budget, 40000, confirm_overspend=True)
    context = statements.statement_context(budget)
    assert ("Held now (overspent)", -5333) in context["chart_rows"]
    # The overspent bar is drawn to the left of nought, in red, with its figure in pounds.
    held = next(row.bars[0] for row in context["chart"].rows if row.label == "Held now (overspent)")
    assert held.colour == RED and held.figure == "\u2212£53" and held.start == 0.0
    assert context["chart"].zero == held.length
    page = client_for(world.north.users[Role.PERSON]).get(f"/money/budgets/{budget.pk}/").content.decode()
    assert "Held now (overspent)" in page
    held = page.split('data-testid="held"')[1].split("</dd>")[0]
    assert "\u2212£53.33" in held and "More has been spent than has been paid in" in held
