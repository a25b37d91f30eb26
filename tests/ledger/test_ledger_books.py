"""The double-entry core: balanced postings only, positive whole pence, never edited, closed
periods refused, reversals once and never of a reversal; the database refuses edits too."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from selfdirect.ledger import books
from selfdirect.ledger.books import Chart, LedgerError, credit, debit
from selfdirect.ledger.constants import PeriodStatus, TxnKind
from selfdirect.ledger.models import Immutable, Leg, Period, Transaction

ON = dt.date(2026, 5, 14)


@pytest.fixture
def chart(world):
    return Chart(world.north.authority)


def test_a_balanced_posting_moves_money_and_balances_are_sums_of_legs(chart, world):
    txn = books.post(
        world.north.authority,
        ON,
        TxnKind.RECEIPT,
        "grant",
        [debit(chart.get("bank"), 12345), credit(chart.fund("adult_social_care"), 12345)],
    )
    assert txn.legs.count() == 2
    assert books.balance(chart.get("bank")) == 12345
    assert books.balance(chart.fund("adult_social_care")) == -12345
    assert sum(books.balances(world.north.authority).values()) == 0
    assert txn.period.label == "2026-05"


@pytest.mark.parametrize(
    ("amounts", "message"),
    [
        ((100, 99), "differ by 1 pence"),
        ((-100, -100), "more than zero"),
        ((0, 0), "more than zero"),
        ((Decimal("1.5"), Decimal("1.5")), "whole pence"),
        ((1.5, 1.5), "whole pence"),
        ((True, True), "whole pence"),
    ],
)
def test_unbalanced_negative_or_fractional_postings_are_refused(chart, world, amounts, message):
    with pytest.raises(LedgerError, match=message):
        books.post(
            world.north.authority,
            ON,
            TxnKind.RECEIPT,
            "bad",
            [debit(chart.get("bank"), amounts[0]), credit(chart.get("funds"), amounts[1])],
        )
    assert Transaction.objects.count() == 0


def test_a_single_leg_or_another_authoritys_account_is_refused(chart, world):
    with pytest.raises(LedgerError, match="two legs"):
        books.post(world.north.authority, ON, TxnKind.RECEIPT, "one", [debit(chart.get("bank"), 5)])
    south = Chart(world.south.authority)
    with pytest.raises(LedgerError, match="another authority"):
        books.post(
            world.north.authority,
            ON,
            TxnKind.RECEIPT,
            "x",
            [debit(chart.get("bank"), 5), credit(south.get("bank"), 5)],
        )


def test_posted_records_never_change_in_code_or_in_the_database(chart, world):
    txn = books.post(
        world.north.authority,
        ON,
        TxnKind.RECEIPT,
        "grant",
        [debit(chart.get("bank"), 500), credit(chart.get("funds"), 500)],
    )
    with pytest.raises(Immutable):
        txn.save()
    with pytest.raises(Immutable):
        txn.delete()
    with pytest.raises(Immutable):
        Transaction.objects.filter(pk=txn.pk).update(memo="changed")
    with pytest.raises(Immutable):
        Leg.objects.filter(transaction=txn).delete()
    leg = txn.legs.first()
    with pytest.raises(Immutable):
        leg.save()
    for sql in (
        f"UPDATE ledger_leg SET amount = 1 WHERE id = {leg.pk}",
        f"DELETE FROM ledger_leg WHERE id = {leg.pk}",
        f"UPDATE ledger_transaction SET memo = 'x' WHERE id = {txn.pk}",
    ):
        with (
            pytest.raises(Exception, match="never change"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    assert Leg.objects.get(pk=leg.pk).amount == 500


def test_the_database_refuses_non_positive_legs(chart, world):
    txn = books.post(
        world.north.authority,
        ON,
        TxnKind.RECEIPT,
        "g",
        [debit(chart.get("bank"), 5), credit(chart.get("funds"), 5)],
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Leg.objects.bulk_create([Leg(transaction=txn, account=chart.get("bank"), side="D", amount=-5)])


def test_corrections_are_reversals_once_and_a_reversal_is_never_reversed(chart, world):
    txn = books.post(
        world.north.authority,
        ON,
        TxnKind.SPEND,
        "typo",
        [debit(chart.spent("other"), 700), credit(chart.get("bank"), 700)],
    )
    rev = books.reverse(txn, ON, "entered twice")
    assert rev.reverses == txn and rev.kind == TxnKind.REVERSAL
    assert books.balance(chart.spent("other")) == 0 and books.balance(chart.get("bank")) == 0
    with pytest.raises(LedgerError, match="already been reversed"):
        books.reverse(txn, ON, "again")
    with pytest.raises(LedgerError, match="cannot be reversed"):
        books.reverse(rev, ON, "undo the undo")
    # The one-to-one link is the database's own guard against a second reversal.
    with pytest.raises(IntegrityError), transaction.atomic():
        Transaction.objects.create(
            authority=world.north.authority, period=txn.period, on=ON, kind="reversal", memo="x", reverses=txn
        )


def test_nothing_is_posted_into_a_closed_period_in_code_or_database(chart, world):
    period = books.period_for(world.north.authority, ON)
    Period.objects.filter(pk=period.pk).update(status=PeriodStatus.CLOSED)
    with pytest.raises(LedgerError, match="closed"):
        books.post(
            world.north.authority,
            ON,
            TxnKind.RECEIPT,
            "late",
            [debit(chart.get("bank"), 5), credit(chart.get("funds"), 5)],
        )
    with pytest.raises(Exception, match="closed"), transaction.atomic():
        Transaction.objects.bulk_create(
            [Transaction(authority=world.north.authority, period=period, on=ON, kind="receipt", memo="raw")]
        )
    # The next month is open.
    books.post(
        world.north.authority,
        ON + dt.timedelta(days=31),
        TxnKind.RECEIPT,
        "ok",
        [debit(chart.get("bank"), 5), credit(chart.get("funds"), 5)],
    )


def test_trial_balance_debits_equal_credits(chart, world):
    books.post(
        world.north.authority,
        ON,
        TxnKind.RECEIPT,
        "a",
        [debit(chart.get("bank"), 1000), credit(chart.fund("sp"), 600), credit(chart.fund("asc"), 400)],
    )
    rows = books.trial_balance(world.north.authority)
    assert sum(r["debits"] for r in rows) == sum(r["credits"] for r in rows) == 1000
    assert {r["code"]: r["balance"] for r in rows} == {"bank": 1000, "fund:asc": -400, "fund:sp": -600}
    assert chart.fund("sp").parent.code == "funds"
