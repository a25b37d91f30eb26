"""Budgets and instalments: refused until agreed, schedules from move-in with no gap, sums to
the penny, mix and match by shares, the £30,000 ISF paid in advance (seed 004 glossary)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ledger_support import YEAR_END, YEAR_START, make_budget

from helpers import client_for
from selfdirect.core.errors import ServiceError
from selfdirect.core.models import AuditEvent
from selfdirect.ledger import books, policy, services
from selfdirect.ledger.constants import BudgetStatus, Frequency
from selfdirect.ledger.models import Instalment, Payment
from selfdirect.ledger.schedule import schedule


@pytest.mark.parametrize(("frequency", "count", "each"), [("monthly", 12, 250000), ("quarterly", 4, 750000)])
def test_the_30000_isf_is_paid_in_advance_in_instalments_summing_to_3000000(frequency, count, each):
    slots = schedule(3000000, YEAR_START, YEAR_END, YEAR_START, frequency)
    assert len(slots) == count
    assert sum(s.amount_pence for s in slots) == 3000000
    assert {s.amount_pence for s in slots} == {each}
    assert all(s.due_on == s.covers_from for s in slots)  # in advance


@pytest.mark.parametrize("frequency", ["weekly", "four_weekly", "monthly", "quarterly"])
def test_move_in_mid_year_from_a_block_contract_leaves_no_gap(frequency):
    # Seed 004 Q7: paid from move-in, no hiatus. The block contract ended on 14 July.
    move_in = dt.date(2026, 7, 15)
    slots = schedule(624000, YEAR_START, YEAR_END, move_in, frequency)
    assert slots[0].covers_from == move_in and slots[-1].covers_to == YEAR_END
    for before, after in zip(slots, slots[1:]):
        assert after.covers_from == before.covers_to + dt.timedelta(days=1)
    # 260 of 365 days: 624000 * 260 / 365 = 444493.15...
    assert sum(s.amount_pence for s in slots) == 444493


@given(
    annual=st.integers(min_value=0, max_value=10**9),
    offset=st.integers(min_value=0, max_value=364),
    frequency=st.sampled_from([f for f in Frequency.values if f != Frequency.ONCE]),
)
@settings(max_examples=200, deadline=None)
def test_schedules_always_sum_to_the_period_amount_and_never_gap(annual, offset, frequency):
    start = YEAR_START + dt.timedelta(days=offset)
    slots = schedule(annual, YEAR_START, YEAR_END, start, frequency)
    from selfdirect.ledger.schedule import period_amount

    assert sum(s.amount_pence for s in slots) == period_amount(annual, YEAR_START, YEAR_END, start)
    assert slots[0].covers_from == start and slots[-1].covers_to == YEAR_END
    assert all(b.covers_from == a.covers_to + dt.timedelta(days=1) for a, b in zip(slots, slots[1:]))


def test_a_draft_budget_is_not_paid_and_the_reason_is_clear(world):
    budget = make_budget(world.north.caseload_person, agree=False)
    run = services.start_run(world.north.users["finance"], world.north.authority, "2026-04")
    run = services.execute_run(run.pk)
    assert run.paid_count == 0 and Payment.objects.count() == 0
    assert not budget.is_payable
    assert list(services.not_agreed(run)) == [budget]
    page = client_for(world.north.users["finance"]).get(f"/money/runs/{run.pk}/").content.decode()
    assert "not paid: the budget is not agreed (no approved support plan yet)" in page
    with pytest.raises(ServiceError, match="agreed budget"):
        services.record_spend(
            world.north.users["person"],
            budget,
            on=dt.date(2026, 4, 2),
            category="other",
            description="x",
            amount_pence=100,
        )


def test_agreeing_generates_instalments_posts_the_commitment_and_is_idempotent(world):
    finance = world.north.users["finance"]
    budget = make_budget(world.north.caseload_person, 624000, agree=False)
    agreed = services.agree_budget(
        finance, budget, world.north.caseload_person, "plan approved by the co-ordinator"
    )
    assert agreed.status == BudgetStatus.AGREED and agreed.approved_by == world.north.caseload_person
    assert Instalment.objects.filter(budget=budget).count() == 12
    chart = books.Chart(world.north.authority)
    assert books.balance(chart.budget(budget.pk)) == 624000
    assert books.balance(chart.fund("adult_social_care")) == -624000
    again = services.agree_budget(finance, agreed, "again", "clicked twice")
    assert again.pk == budget.pk and Instalment.objects.filter(budget=budget).count() == 12
    assert books.balance(chart.budget(budget.pk)) == 624000
    assert AuditEvent.objects.filter(object_type="ledger.budget", object_id=str(budget.pk)).count() == 2


def test_indicative_and_agreed_differ_only_with_reasons(world):
    # Savva v RBKC: 16 points gave £82.91 a week indicative; the panel set £170.45.
    with pytest.raises(ServiceError) as err:
        make_budget(world.north.caseload_person, 886340, indicative_pence=431132, agree=False)
    assert "difference_reasons" in err.value.errors
    budget = make_budget(
        world.north.caseload_person,
        886340,
        indicative_pence=431132,
        difference_reasons="The panel found night-time needs the RAS does not score.",
    )
    assert budget.indicative_pence == 431132 and budget.agreed_annual_pence == 886340


def test_mix_and_match_splits_each_instalment_by_shares_to_the_penny(world):
    routes = [
        {"route": "council_managed", "share": 85, "payee_name": "Northshire Home Care"},
        {
            "route": "direct_payment",
            "share": 15,
            "payee_name": "John Smith",
            "payee_account": "12-34-56 12345678",
        },
    ]
    budget = make_budget(world.north.caseload_person, 1000001, routes=routes)
    run = services.execute_run(
        services.start_run(world.north.users["finance"], world.north.authority, "2026-04").pk
    )
    assert run.paid_count == 1
    first = Instalment.objects.get(budget=budget, seq=1)
    balances = books.balances(world.north.authority, f"holder:{budget.pk}:")
    assert sum(balances.values()) == first.amount_pence == 83334  # 1000001 / 12, largest remainder first
    assert balances[f"holder:{budget.pk}:council_managed"] == 70834
    assert balances[f"holder:{budget.pk}:direct_payment"] == 12500
    csv_text = services.payment_file(run)
    assert "John Smith,12-34-56 12345678,125.00" in csv_text


def test_third_party_fee_and_net_contribution(world):
    person = world.north.caseload_person
    routes = [{"route": "third_party", "share": 1, "payee_name": "Brokerage Ltd", "fee_percent": "5"}]
    budget = make_budget(person, 624000, routes=routes)
    services.assess_charge(
        world.north.users["finance"],
        person,
        weekly_pence=1000,
        starts_on=YEAR_START,
        reason="financial assessment",
    )
    run = services.execute_run(
        services.start_run(world.north.users["finance"], world.north.authority, "2026-04").pk
    )
    pay = Payment.objects.get(run=run)
    assert pay.amount_pence == 52000 and pay.contribution_pence == 4286  # 30 days at £10 a week
    chart = books.Chart(world.north.authority)
    assert books.balance(chart.spent("management_fee")) == 2600
    assert books.balance(chart.holder(budget.pk, "third_party")) == 52000 - 2600
    assert books.balance(chart.get("bank")) == -(52000 - 4286)
    assert books.balance(chart.get("contrib_income")) == -4286
    # The run's page says why its payment file sends less than the instalments come to.
    assert services.run_money(run) == services.RunMoney(52000, 4286, 0, 52000 - 4286, 1)
    page = client_for(world.north.users["finance"]).get(f"/money/runs/{run.pk}/").content.decode()
    for testid, figure in (("run-instalments", "£520.00"), ("run-kept-back", "£42.86"), ("run-file", "£477.14 to 1 payee")):
        assert f'data-testid="{testid}">{figure}' in page, testid
    assert 'data-testid="run-invoiced"' not in page


def test_gross_contributions_are_invoiced_after_two_free_years(world):
    person = world.south.caseload_person
    make_budget(person, 624000)
    charge = services.assess_charge(
        world.south.users["finance"],
        person,
        weekly_pence=1000,
        starts_on=YEAR_START,
        reason="financial assessment",
    )
    assert charge.mode == "gross" and charge.free_until == dt.date(2028, 3, 31)
    services.execute_run(
        services.start_run(world.south.users["finance"], world.south.authority, "2026-04").pk
    )
    assert Payment.objects.get().contribution_pence == 0  # free for the first two years (seed 002)
    assert charge.charges_on(dt.date(2028, 4, 1))


def test_plan_tolerance_and_midpoint_are_policy(world):
    budget = make_budget(world.north.caseload_person, 1000000)
    assert services.check_plan_cost(budget, 1050000)[0] is True  # Northshire: 5%
    assert services.check_plan_cost(budget, 1050001)[0] is False
    rules = policy.load("northshire").midpoint
    assert rules is not None and policy.midpoint_pence(rules, 520000, 780000) == 650000


def test_disputes_move_once_to_an_outcome(world):
    finance = world.north.users["finance"]
    d = services.open_dispute(
        finance,
        world.north.caseload_person,
        subject="Back payment owed to former provider",
        raised_by="Provider",
        amount_pence=45000,
    )
    services.decide_dispute(finance, d, "settled", "Paid from the budget's surplus after review")
    assert d.status == "settled"
    with pytest.raises(ServiceError):
        services.decide_dispute(finance, d, "upheld", "again")
