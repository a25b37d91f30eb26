"""Payment runs: each instalment paid exactly once through crashes and concurrent starts; the
payment file reconciles with the ledger; period close applies seed 001's rules."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import DatabaseError, connection, transaction
from ledger_support import make_budget

from helpers import make_person
from selfdirect.core.errors import ServiceError
from selfdirect.ledger import books, policy, services
from selfdirect.ledger.constants import PeriodStatus, RunStatus
from selfdirect.ledger.models import (
    CloseLine,
    Instalment,
    Leg,
    Payment,
    PaymentLine,
    PaymentRun,
    Period,
    Transaction,
)
from selfdirect.ledger.services import close


def _people(side, n):
    return [make_person(side.authority, side.home_team, f"P{i}", "Run") for i in range(n)]


@pytest.mark.django_db(transaction=True)
def test_a_run_that_crashes_part_way_pays_each_instalment_exactly_once_when_restarted(world, flushable_db):
    for person in _people(world.north, 7):
        make_budget(person, 624000, frequency="weekly")  # 5 weekly instalments due in April 2026
    finance = world.north.users["finance"]
    run = services.start_run(finance, world.north.authority, "2026-04")
    with pytest.raises(RuntimeError, match="simulated crash"):
        services.execute_run(run.pk, batch_size=4, crash_after=10)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert Payment.objects.count() == 8  # two whole batches committed, the third rolled back
    again = services.start_run(finance, world.north.authority, "2026-04")
    assert again.pk == run.pk
    run = services.execute_run(run.pk, batch_size=4)
    assert run.status == RunStatus.DONE and run.attempts == 2
    assert run.due_count == Payment.objects.count() == 35
    assert Payment.objects.values("instalment").distinct().count() == 35
    # Running it again pays nothing more.
    run = services.execute_run(run.pk)
    assert Payment.objects.count() == 35
    assert run.paid_pence == sum(p.amount_pence for p in Payment.objects.all())
    recon = services.reconciliation(world.north.authority)
    assert recon[0]["difference"] == 0 and recon[0]["file"] == run.paid_pence


@pytest.mark.django_db(transaction=True)
def test_two_runs_started_at_once_pay_each_instalment_once(world, flushable_db):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite runs one writer at a time (IMMEDIATE transactions); the race needs PostgreSQL")
    for person in _people(world.north, 30):
        make_budget(person, 624000, frequency="weekly")
    finance = world.north.users["finance"]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def go() -> None:
        from django.db import connection as conn

        try:
            barrier.wait()
            run = services.start_run(finance, world.north.authority, "2026-04")
            services.execute_run(run.pk, batch_size=7)
            outcomes.append("paid")
        except services.RunBusy:
            outcomes.append("busy")
        finally:
            conn.close()

    threads = [threading.Thread(target=go) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert PaymentRun.objects.count() == 1
    assert "paid" in outcomes
    assert Payment.objects.count() == 150 == Payment.objects.values("instalment").distinct().count()


@pytest.mark.django_db(transaction=True)
def test_a_batch_the_database_refuses_stops_the_run_after_the_batches_before_it(world, flushable_db):
    """Batches are written one after another (on PostgreSQL on a second connection while the next
    is built): when the database refuses one, the run fails with every earlier batch committed and
    nothing of that batch or any later one. Here the month is closed behind the run's back (which the
    database, not only the services, makes final), so what is left is paid once, by the next month's
    run, as arrears."""
    for person in _people(world.north, 6):
        make_budget(person, 624000, frequency="weekly")  # 30 instalments due in April 2026
    finance = world.north.users["finance"]
    run = services.start_run(finance, world.north.authority, "2026-04")
    period = run.period
    seen: list[int] = []

    def close_the_month_behind_the_runs_back(done: int, due: int) -> None:
        seen.append(done)
        if len(seen) == 1:  # after the first batch: the database now refuses April postings
            Period.objects.filter(pk=period.pk).update(status=PeriodStatus.CLOSED)

    with pytest.raises(DatabaseError, match="closed"):
        services.execute_run(run.pk, batch_size=8, progress=close_the_month_behind_the_runs_back)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "closed" in run.error
    assert seen == [8] and Payment.objects.count() == 8  # the first batch only
    assert Transaction.objects.filter(kind="payment").count() == 8
    with pytest.raises(DatabaseError, match="closed"), transaction.atomic():
        Period.objects.filter(pk=period.pk).update(status=PeriodStatus.OPEN)  # a closed month stays closed
    may = services.execute_run(services.start_run(finance, world.north.authority, "2026-05").pk, batch_size=8)
    assert may.status == RunStatus.DONE
    april = Instalment.objects.filter(due_on__lt=dt.date(2026, 5, 1))
    assert april.count() == 30 and all(hasattr(i, "payment") for i in april)
    assert Payment.objects.filter(run=may, instalment__in=april).count() == 22  # April's rest, once
    assert Payment.objects.values("instalment").distinct().count() == Payment.objects.count()
    recon = {row["run"].pk: row for row in services.reconciliation(world.north.authority)}
    assert (
        all(row["difference"] == 0 for row in recon.values()) and recon[may.pk]["file"] == may.paid_pence > 0
    )


def test_a_run_in_a_closed_period_is_refused(world):
    make_budget(world.north.caseload_person)
    finance = world.north.users["finance"]
    services.execute_run(services.start_run(finance, world.north.authority, "2026-04").pk)
    services.close_period(finance, world.north.authority, "2026-04")
    with pytest.raises(ServiceError, match="closed"):
        services.start_run(finance, world.north.authority, "2026-04")
    again = services.close_period(finance, world.north.authority, "2026-04")
    assert not again.changed and "April 2026 was already closed" in again.message
    with pytest.raises(ServiceError, match="not a month"):
        services.start_run(finance, world.north.authority, "April")


def _spend(side, budget, pence):
    services.record_spend(
        side.users["person"],
        budget,
        on=dt.date(2026, 4, 20),
        category="personal_assistant",
        description="PA wages",
        amount_pence=pence,
    )


def test_northshire_close_rolls_over_10_percent_and_claws_back_the_rest(world):
    # Seed 001 (Bath & North East Somerset): roll over up to 10% of the month's allocation.
    side = world.north
    budget = make_budget(side.self_person, 624000)  # £520 a month
    services.execute_run(services.start_run(side.users["finance"], side.authority, "2026-04").pk)
    _spend(side, budget, 42000)  # £100 unspent
    period = services.close_period(side.users["finance"], side.authority, "2026-04").period
    line = CloseLine.objects.get(period=period, budget=budget)
    assert (line.unspent_pence, line.kept_pence, line.clawed_back_pence) == (10000, 5200, 4800)
    assert "10" in line.rule and "the money rules in force from 1 April 2026" in line.rule
    chart = books.Chart(side.authority)
    assert books.balance(chart.holder(budget.pk, "direct_payment")) == 5200
    assert books.balance(chart.get("clawback")) == 4800
    st = services.statement(budget)
    assert (st.paid, st.spent, st.held, st.rolled_over, st.clawed_back) == (52000, 42000, 5200, 5200, 4800)


def test_southvale_close_keeps_8_weeks_and_claws_back_the_rest(world):
    side = world.south
    budget = make_budget(side.self_person, 624000, frequency="monthly")
    # Pay three months, spend little: £1,560 paid, £600 spent leaves £960 + ... unspent.
    for month in ("2026-04", "2026-05", "2026-06"):
        services.execute_run(services.start_run(side.users["finance"], side.authority, month).pk)
    _spend(side, budget, 56000)
    for month in ("2026-04", "2026-05"):
        services.close_period(side.users["finance"], side.authority, month)
    services.close_period(side.users["finance"], side.authority, "2026-06")
    lines = list(CloseLine.objects.filter(budget=budget).order_by("period__start"))
    assert [(x.unspent_pence, x.kept_pence, x.clawed_back_pence) for x in lines] == [
        (-4000, 0, 0),
        (48000, 48000, 0),
        (100000, 96000, 4000),
    ]


def test_ledger_policy_files_validate(world):
    from selfdirect.ledger.policy import PolicyError, load, parse

    assert load("northshire").period_close.rollover_share_percent == 10
    assert load("southvale").period_close.keep_weeks == 8
    with pytest.raises(PolicyError, match="period_close.method"):
        parse(
            "version: x\neffective_from: 2026-04-01\nperiod_close: {method: sometimes, text: t}\n"
            "plan_tolerance_percent: 5\ncharging: {mode: net, text: t}\n"
            "spending: {categories: {a: A}, unusual_single_pence: 1}\n",
            "bad.yaml",
        )
    with pytest.raises(PolicyError, match="bad.yaml:1: "):
        parse("version: [", "bad.yaml")


def test_a_close_written_in_several_batches_gives_each_budget_its_own_figures(world, monkeypatch):
    # Five budgets, two to a batch: the close writes three batches (on PostgreSQL each built while
    # the one before is written) and every budget still gets seed 001's 10% rule on its own money.
    side = world.north
    monkeypatch.setattr(close, "CLOSE_BATCH", 2)  # read where the close runs
    budgets = [make_budget(person, 624000) for person in _people(side, 5)]
    services.execute_run(services.start_run(side.users["finance"], side.authority, "2026-04").pk)
    for budget, spent in zip(budgets, (42000, 52000, 0, 30000, 51999), strict=True):
        if spent:
            _spend(side, budget, spent)
    period = services.close_period(side.users["finance"], side.authority, "2026-04").period
    lines = {x.budget_id: x for x in CloseLine.objects.filter(period=period)}
    assert [
        (lines[b.pk].unspent_pence, lines[b.pk].kept_pence, lines[b.pk].clawed_back_pence) for b in budgets
    ] == [
        (10000, 5200, 4800),
        (0, 0, 0),
        (52000, 5200, 46800),
        (22000, 5200, 16800),
        (1, 1, 0),
    ]
    clawbacks = Transaction.objects.filter(period=period, kind="clawback")
    assert clawbacks.count() == 3  # nothing to claw back from two of them
    assert {t.budget_id: lines[t.budget_id].transaction_id == t.pk for t in clawbacks} == {
        budgets[0].pk: True, budgets[2].pk: True, budgets[3].pk: True,
    }  # fmt: skip
    tb = books.trial_balance(side.authority)
    assert sum(r["debits"] for r in tb) == sum(r["credits"] for r in tb)
    assert books.balance(books.Chart(side.authority).get("clawback")) == 4800 + 46800 + 16800


def test_a_close_that_fails_in_a_later_batch_leaves_nothing_written(world, monkeypatch):
    side = world.north
    monkeypatch.setattr(close, "CLOSE_BATCH", 2)  # read where the close runs
    budgets = [make_budget(person, 624000) for person in _people(side, 5)]
    services.execute_run(services.start_run(side.users["finance"], side.authority, "2026-04").pk)
    real = policy.close_decision
    failing = budgets[4].pk  # in the third batch, after two have been written

    def decision(rules, **figures):
        if figures["annual_pence"] == 624000 and decision.calls == 4:
            raise RuntimeError(f"policy error at budget {failing}")
        decision.calls += 1
        return real(rules, **figures)

    decision.calls = 0
    monkeypatch.setattr(policy, "close_decision", decision)
    with pytest.raises(RuntimeError, match="policy error"):
        services.close_period(side.users["finance"], side.authority, "2026-04")
    period = Period.objects.get(authority=side.authority, start=dt.date(2026, 4, 1))
    assert period.status == PeriodStatus.OPEN
    assert not CloseLine.objects.filter(period=period).exists()
    assert not Transaction.objects.filter(period=period, kind="clawback").exists()
    monkeypatch.setattr(policy, "close_decision", real)
    services.close_period(side.users["finance"], side.authority, "2026-04")
    assert CloseLine.objects.filter(period=period).count() == 5
    assert Transaction.objects.filter(period=period, kind="clawback").count() == 5


def test_a_weekly_budget_with_two_routes_pays_each_route_once_per_instalment(world):
    # Mix and match (seed 001) paid weekly: five April instalments of one budget fall in the same
    # batch, and each must pay its two routes once, with the management fee worked out once.
    side = world.north
    budget = make_budget(
        side.self_person, 624000, frequency="weekly",
        routes=[{"route": "council_managed", "share": 85, "payee_name": "Home Care Ltd"},
                {"route": "third_party", "share": 15, "payee_name": "Acme Support", "fee_percent": "7.50"}],
    )  # fmt: skip
    run = services.execute_run(services.start_run(side.users["finance"], side.authority, "2026-04").pk)
    payments = list(Payment.objects.filter(run=run).select_related("instalment").order_by("instalment__seq"))
    assert len(payments) == 5 and {p.instalment.amount_pence for p in payments} == {11968}  # £6,240 x 7 / 365
    lines = PaymentLine.objects.filter(payment__run=run)
    assert lines.count() == 5 * 2
    # 85% and 15% of £119.68, each route once a week
    assert sorted(lines.values_list("amount_pence", flat=True)) == [1795] * 5 + [10173] * 5
    fees = Leg.objects.filter(account__code="spent:management_fee", transaction__budget=budget)
    assert list(fees.values_list("amount", flat=True)) == [135] * 5  # 7.5% of £17.95, once a week
