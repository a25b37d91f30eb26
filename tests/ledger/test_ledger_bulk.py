"""The set-based posting path (payment runs, period close) checks every posting in code, on both
databases, exactly as books.post does, and writes nothing when any posting is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from ledger_support import make_budget

from selfdirect.ledger import books, bulk
from selfdirect.ledger.books import Chart, LedgerError, credit, debit
from selfdirect.ledger.constants import PeriodStatus, TxnKind
from selfdirect.ledger.models import Account, Leg, Period, Transaction

ON = dt.date(2026, 5, 14)


@pytest.fixture
def chart(world):
    return Chart(world.north.authority)


def _period(world, day=ON):
    return Period.objects.get(pk=books.period_for(world.north.authority, day).pk)


def test_many_postings_are_written_in_order_with_their_legs(chart, world):
    bank, fund, holder = chart.get("bank"), chart.fund("adult_social_care"), chart.get("holders")
    postings = [
        bulk.Posting(ON, TxnKind.RECEIPT, "first", [debit(bank, 700), credit(fund, 700)]),
        bulk.Posting(
            ON, TxnKind.RECEIPT, "second", [debit(bank, 300), credit(fund, 200), credit(holder, 100)]
        ),
    ]
    ids = bulk.post_all(world.north.authority, _period(world), postings)
    assert [Transaction.objects.get(pk=i).memo for i in ids] == ["first", "second"]
    assert Leg.objects.filter(transaction_id=ids[1]).count() == 3
    assert books.balance(bank) == 1000 and books.balance(fund) == -900 and books.balance(holder) == -100


@pytest.mark.parametrize(
    ("amounts", "message"),
    [((100, 99), "differ by 1 pence"), ((0, 0), "more than zero"), ((1.5, 1.5), "whole pence")],
)
def test_one_bad_posting_refuses_the_lot_before_anything_is_written(chart, world, amounts, message):
    good = bulk.Posting(
        ON, TxnKind.RECEIPT, "good", [debit(chart.get("bank"), 5), credit(chart.get("funds"), 5)]
    )
    bad = bulk.Posting(
        ON,
        TxnKind.RECEIPT,
        "bad",
        [debit(chart.get("bank"), amounts[0]), credit(chart.get("funds"), amounts[1])],
    )
    with pytest.raises(LedgerError, match=message):
        bulk.post_all(world.north.authority, _period(world), [good, bad])
    assert Transaction.objects.count() == 0 and Leg.objects.count() == 0


def test_closed_periods_other_months_and_other_authorities_accounts_are_refused(chart, world):
    legs = [debit(chart.get("bank"), 5), credit(chart.get("funds"), 5)]
    with pytest.raises(LedgerError, match="is not in period 2026-05"):
        bulk.post_all(
            world.north.authority, _period(world), [bulk.Posting(dt.date(2026, 6, 1), "receipt", "x", legs)]
        )
    south = Chart(world.south.authority)
    with pytest.raises(LedgerError, match="belongs to another authority"):
        bulk.post_all(
            world.north.authority,
            _period(world),
            [bulk.Posting(ON, "receipt", "x", [debit(south.get("bank"), 5), credit(chart.get("funds"), 5)])],
        )
    period = _period(world)
    Period.objects.filter(pk=period.pk).update(status=PeriodStatus.CLOSED)
    with pytest.raises(LedgerError, match="is closed"):
        bulk.post_all(world.north.authority, _period(world), [bulk.Posting(ON, "receipt", "x", legs)])
    assert Transaction.objects.count() == 0


def test_the_database_refuses_references_to_missing_rows_and_removing_rows_the_ledger_uses(chart, world):
    """Migration 0005 replaced the foreign keys of transactions and legs with per-statement checks:
    the same rows are still refused, by the database itself, on both engines."""
    bank, fund = chart.get("bank"), chart.fund("adult_social_care")
    period = _period(world)
    budget = make_budget(world.north.caseload_person)
    [txn_id] = bulk.post_all(
        world.north.authority, period,
        [bulk.Posting(ON, TxnKind.RECEIPT, "ok", [debit(bank, 500), credit(fund, 500)], budget.pk)],
    )  # fmt: skip
    missing, authority = 10**9, world.north.authority.pk
    new_txn = (
        'INSERT INTO ledger_transaction (authority_id, period_id, "on", kind, memo, posted_at, budget_id, '
        "reverses_id) VALUES (%s, %s, %s, 'receipt', 'raw', %s, %s, %s)"
    )
    new_leg = "INSERT INTO ledger_leg (transaction_id, account_id, side, amount) VALUES (%s, %s, 'D', 1)"
    cases = [
        (new_leg, [missing, bank.pk]),
        (new_leg, [txn_id, missing]),
        (new_txn, [authority, missing, ON, timezone.now(), None, None]),
        (new_txn, [authority, period.pk, ON, timezone.now(), None, missing]),
        ("DELETE FROM ledger_account WHERE id = %s", [bank.pk]),
        ("DELETE FROM ledger_period WHERE id = %s", [period.pk]),
    ]
    if connection.vendor == "postgresql":  # on SQLite a transaction's budget is left to the ORM
        cases += [
            (new_txn, [authority, period.pk, ON, timezone.now(), missing, None]),
            ("DELETE FROM ledger_budget WHERE id = %s", [budget.pk]),
        ]
    counts = (Transaction.objects.count(), Leg.objects.count())
    for sql, params in cases:
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    assert (Transaction.objects.count(), Leg.objects.count()) == counts
    assert Account.objects.filter(pk=bank.pk).exists() and Period.objects.filter(pk=period.pk).exists()
