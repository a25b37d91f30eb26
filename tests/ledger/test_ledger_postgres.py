"""What PostgreSQL itself enforces: a transaction whose legs do not balance fails at COMMIT
(the deferred constraint trigger), however the rows got there."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction

from selfdirect.ledger import books
from selfdirect.ledger.books import Chart, credit, debit
from selfdirect.ledger.constants import TxnKind
from selfdirect.ledger.models import Leg, Transaction

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
