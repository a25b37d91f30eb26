"""What PostgreSQL itself enforces: a transaction whose legs do not balance fails at COMMIT,
however the rows got there (one at a time, many in one statement, COPY, across statements, into a
transaction posted earlier); nothing lands in a closed period."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from ledger_support import make_budget

from selfdirect.ledger import books
from selfdirect.ledger.books import Chart, credit, debit
from selfdirect.ledger.constants import BudgetStatus, TxnKind
from selfdirect.ledger.models import Budget, Leg, Period, Transaction
from selfdirect.ledger.services import runs

# Real commits: the check runs at COMMIT, which a test wrapped in one transaction never reaches.
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("flushable_db"),
]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("the balance trigger is PostgreSQL's (set DATABASE_URL=postgres://...)")


def _raw_transaction(world, legs):
    chart = Chart(world.north.authority)
    bank, funds = chart.get("bank"), chart.get("funds")
    period = books.period_for(world.north.authority, dt.date(2026, 5, 1))
    with connection.cursor() as cursor:
        cursor.execute(
            'INSERT INTO ledger_transaction (authority_id, period_id, "on", kind, memo, posted_at) '
            "VALUES (%s, %s, '2026-05-01', 'receipt', 'raw', now()) RETURNING id",
            [world.north.authority.pk, period.pk],
        )
        txn_id = cursor.fetchone()[0]
        for account, side, amount in legs:
            cursor.execute(
                "INSERT INTO ledger_leg (transaction_id, account_id, side, amount) VALUES (%s, %s, %s, %s)",
                [txn_id, (bank if account == "bank" else funds).pk, side, amount],
            )
    return txn_id


def test_unbalanced_legs_inserted_with_raw_sql_fail_at_commit(world):
    with pytest.raises(Exception, match="does not balance"):  # noqa: SIM117 - the raise is at commit
        with transaction.atomic():
            _raw_transaction(world, [("bank", "D", 1000), ("funds", "C", 999)])
            # Inside the transaction the rows are there: the check waits for COMMIT.
            assert Leg.objects.count() == 2
    assert Transaction.objects.filter(memo="raw").count() == 0


def test_balanced_raw_legs_commit(world):
    with transaction.atomic():
        _raw_transaction(world, [("bank", "D", 1000), ("funds", "C", 600), ("funds", "C", 400)])
    assert Transaction.objects.filter(memo="raw").count() == 1


def test_the_orm_path_is_checked_at_commit_too(world):
    chart = Chart(world.north.authority)
    with pytest.raises(Exception, match="does not balance"), transaction.atomic():
        txn = books.post(
            world.north.authority,
            dt.date(2026, 5, 2),
            TxnKind.RECEIPT,
            "ok",
            [debit(chart.get("bank"), 5), credit(chart.get("funds"), 5)],
        )
        Leg.objects.bulk_create([Leg(transaction=txn, account=chart.get("bank"), side="D", amount=1)])
    assert books.balance(chart.get("bank")) == 0


def _legs_sql(txn_id, legs):
    chart = Chart(Transaction.objects.get(pk=txn_id).authority)
    ids = {"bank": chart.get("bank").pk, "funds": chart.get("funds").pk}
    return ", ".join(f"({txn_id}, {ids[a]}, '{side}', {amount})" for a, side, amount in legs)


def test_legs_that_balance_only_across_statements_commit_and_the_rest_fail(world):
    with transaction.atomic():
        txn_id = _raw_transaction(world, [("bank", "D", 500)])
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO ledger_leg (transaction_id, account_id, side, amount) VALUES "
                + _legs_sql(txn_id, [("funds", "C", 250), ("funds", "C", 250)])
            )
    assert books.balance(Chart(world.north.authority).get("bank")) == 500
    # An unbalanced leg followed by a statement whose own legs balance: still refused.
    with pytest.raises(Exception, match="does not balance: debits minus credits is 7 pence"):  # noqa: SIM117
        with transaction.atomic():
            other = _raw_transaction(world, [("bank", "D", 7)])
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO ledger_leg (transaction_id, account_id, side, amount) VALUES "
                    + _legs_sql(other, [("funds", "C", 3), ("bank", "D", 3)])
                )
    assert Transaction.objects.count() == 1


def test_one_unbalanced_transaction_in_a_many_row_statement_refuses_the_commit(world):
    chart = Chart(world.north.authority)
    period = books.period_for(world.north.authority, dt.date(2026, 5, 1))
    with pytest.raises(Exception, match="does not balance"):  # noqa: SIM117
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                'INSERT INTO ledger_transaction (authority_id, period_id, "on", kind, memo, posted_at) '
                "SELECT %s, %s, '2026-05-01', 'receipt', 'many', now() FROM generate_series(1, 50) RETURNING id",
                [world.north.authority.pk, period.pk],
            )
            ids = [row[0] for row in cursor.fetchall()]
            bank, funds = chart.get("bank").pk, chart.get("funds").pk
            with cursor.cursor.copy(
                "COPY ledger_leg (transaction_id, account_id, side, amount) FROM STDIN"
            ) as copy:
                for n, txn_id in enumerate(ids):
                    copy.write_row((txn_id, bank, "D", 100))
                    copy.write_row((txn_id, funds, "C", 100 if n != 37 else 90))
    assert Transaction.objects.count() == 0 and Leg.objects.count() == 0


def test_a_leg_added_later_to_a_posted_transaction_is_refused(world):
    with transaction.atomic():
        txn_id = _raw_transaction(world, [("bank", "D", 1000), ("funds", "C", 1000)])
    with pytest.raises(Exception, match=f"ledger transaction {txn_id} does not balance"):  # noqa: SIM117
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO ledger_leg (transaction_id, account_id, side, amount) VALUES "
                + _legs_sql(txn_id, [("bank", "D", 1)])
            )
    assert Leg.objects.filter(transaction_id=txn_id).count() == 2


def test_emptying_the_queue_of_checks_does_not_skip_them(world):
    with pytest.raises(Exception, match="does not balance"):  # noqa: SIM117
        with transaction.atomic():
            _raw_transaction(world, [("bank", "D", 1000), ("funds", "C", 1)])
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM ledger_balance_check")
    assert Transaction.objects.count() == 0


def test_a_many_row_insert_into_a_closed_period_is_refused(world):
    period = books.period_for(world.north.authority, dt.date(2026, 5, 1))
    Period.objects.filter(pk=period.pk).update(status="closed")
    with pytest.raises(Exception, match="the period is closed"), connection.cursor() as cursor:
        cursor.execute(
            'INSERT INTO ledger_transaction (authority_id, period_id, "on", kind, memo, posted_at) '
            "SELECT %s, %s, '2026-05-01', 'receipt', 'late', now() FROM generate_series(1, 3)",
            [world.north.authority.pk, period.pk],
        )
    assert Transaction.objects.count() == 0


def test_activating_a_budget_rewrites_no_index(world):
    """The first payment's status change is a heap-only update (migration 0008): the status is in
    no index and the table leaves room on each page, so a run activating 100,000 budgets does not
    write 400,000 index entries."""
    budgets = [
        make_budget(world.north.caseload_person, stream=s) for s in ("adult_social_care", "supporting_people")
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'ledger_budget'")
        assert "fillfactor=50" in cursor.fetchone()[0]
        counts = (
            "SELECT pg_stat_get_xact_tuples_updated('ledger_budget'::regclass),"
            " pg_stat_get_xact_tuples_hot_updated('ledger_budget'::regclass)"
        )
        with transaction.atomic():
            # This session's counts not yet sent to the statistics: read them before and after.
            cursor.execute(counts)
            updated, hot = cursor.fetchone()
            runs._activate([b.pk for b in budgets])
            cursor.execute(counts)
            assert cursor.fetchone() == (updated + 2, hot + 2)
    assert {b.status for b in Budget.objects.filter(pk__in=[b.pk for b in budgets])} == {BudgetStatus.ACTIVE}
