"""The set-based posting path (payment runs, period close) checks every posting in code, on both
databases, exactly as books.post does, and writes nothing when any posting is refused."""

from __future__ import annotations

import datetime as dt

import pytest

from selfdirect.ledger import books, bulk
from selfdirect.ledger.books import Chart, LedgerError, credit, debit
from selfdirect.ledger.constants import PeriodStatus, TxnKind
from selfdirect.ledger.models import Leg, Period, Transaction

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
