"""The books refuse what cannot be true (issue 17): spending dated 1900-01-01 or 2099-01-01 on a
budget running 2026-27 was accepted and opened months 1900-01 and 2099-01, and a budget could run
for 100 years. Each refusal names its field and leaves nothing behind."""

from __future__ import annotations

import datetime as dt

import pytest
from ledger_support import YEAR_START, make_budget

from selfdirect.core.constants import Role
from selfdirect.core.errors import ServiceError
from selfdirect.ledger import services
from selfdirect.ledger.models import Budget, Period, Spend, Transaction


@pytest.fixture
def budget(world):
    made = make_budget(world.north.self_person, 624000)
    services.execute_run(
        services.start_run(world.north.users[Role.FINANCE], world.north.authority, "2026-04").pk
    )
    return made


@pytest.mark.parametrize(
    ("on", "message"),
    [
        (
            dt.date(1900, 1, 1),
            "1 January 1900 is outside this budget's period, 1 April 2026 to 31 March 2027",
        ),
        (
            dt.date(2099, 1, 1),
            "1 January 2099 is outside this budget's period, 1 April 2026 to 31 March 2027",
        ),
        (dt.date(2026, 3, 31), "31 March 2026 is outside this budget's period"),
    ],
)
def test_spending_outside_the_budgets_period_is_refused_and_opens_no_month(world, budget, on, message):
    before = (Transaction.objects.count(), Period.objects.count())
    with pytest.raises(ServiceError) as refused:
        services.record_spend(world.north.users[Role.PERSON], budget, on=on, category="other",
                              description="A purchase", amount_pence=1000)  # fmt: skip
    assert list(refused.value.errors) == ["on"] and message in refused.value.errors["on"][0]
    assert (Transaction.objects.count(), Period.objects.count()) == before and not Spend.objects.exists()


def test_spending_still_to_come_is_refused(world, today):
    start = today.replace(day=1)
    current = services.agree_budget(world.north.users[Role.FINANCE], services.create_budget(
        world.north.users[Role.FINANCE], world.north.caseload_person, stream="adult_social_care",
        period_start=start, period_end=start.replace(year=start.year + 1) - dt.timedelta(days=1),
        agreed_annual_pence=624000, starts_on=start, frequency="monthly", deployments=[{"route": "direct_payment"}],
    ), "plan", "agreed")  # fmt: skip
    tomorrow = today + dt.timedelta(days=1)
    with pytest.raises(ServiceError, match=f"{tomorrow:%-d %B %Y} is still to come"):
        services.record_spend(world.north.users[Role.FINANCE], current, on=tomorrow, category="other",
                              description="A purchase", amount_pence=1000)  # fmt: skip


def test_a_bank_statement_line_outside_the_period_names_its_line(world, budget):
    text = b"date,description,amount,category\n2026-04-20,Fine,10.00,other\n1900-01-01,Old,10.00,other\n"
    with pytest.raises(ServiceError, match="line 3: 1 January 1900 is outside this budget's period"):
        services.upload_statement_file(world.north.users[Role.PERSON], budget, text)
    assert not Spend.objects.exists()


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        (YEAR_START, dt.date(2126, 3, 31), "period_end", "A budget runs for a year at most: this one would end after 31 March 2027"),
        (dt.date(1900, 4, 1), dt.date(1901, 3, 31), "period_start", "must start within 10 years before today"),
        (dt.date(2099, 4, 1), dt.date(2100, 3, 31), "period_start", "and 2 years after it, not on 1 April 2099"),
    ],
)  # fmt: skip
def test_a_budget_cannot_run_for_a_century_or_start_in_another_one(world, start, end, field, message):
    with pytest.raises(ServiceError) as refused:
        services.create_budget(
            world.north.users[Role.FINANCE], world.north.caseload_person, stream="adult_social_care",
            period_start=start, period_end=end, agreed_annual_pence=624000, starts_on=start, frequency="monthly",
            deployments=[{"route": "direct_payment"}],
        )  # fmt: skip
    assert list(refused.value.errors) == [field] and message in refused.value.errors[field][0]
    assert not Budget.objects.exists()


def test_a_reversal_is_dated_between_the_original_and_today(world, budget):
    spend = services.record_spend(world.north.users[Role.PERSON], budget, on=dt.date(2026, 4, 20),
                                  category="other", description="Twice", amount_pence=1000)  # fmt: skip
    with pytest.raises(ServiceError, match="A reversal is dated between the original's date") as refused:
        services.reverse_transaction(
            world.north.users[Role.FINANCE], spend.transaction, "typo", dt.date(2026, 4, 1)
        )
    assert list(refused.value.errors) == ["on"]
    assert not Transaction.objects.filter(kind="reversal").exists()


def test_money_received_before_the_persons_first_budget_is_refused(world, budget):
    with pytest.raises(ServiceError, match="is before the person's first budget started"):
        services.receive_contribution(world.north.users[Role.FINANCE], world.north.self_person, 1000,
                                      dt.date(2020, 1, 1))  # fmt: skip
    assert not Transaction.objects.filter(kind="receipt").exists()
