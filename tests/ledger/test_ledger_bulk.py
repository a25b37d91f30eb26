"""The set-based posting path (payment runs, period close) checks every posting in code, on both
databases, exactly as books.post does, and writes nothing when any posting is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone
from ledger_support import make_budget

from selfdirect.ledger import books, bulk, services
from selfdirect.ledger.books import Chart, LedgerError, credit, debit
from selfdirect.ledger.constants import PeriodStatus, TxnKind
from selfdirect.ledger.models import (
    Account,
    CloseLine,
    Instalment,
    Leg,
    Payment,
    PaymentLine,
    Period,
    Transaction,
)

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


def test_a_many_row_statement_naming_consecutive_ids_is_refused_when_one_is_missing(chart, world):
    """On PostgreSQL a statement whose references are every id from the lowest to the highest is
    proved present by one count over that range (migration 0009). One id of the run missing, or a
    gap in it, still refuses the whole statement; a complete run is accepted."""
    bank, fund = chart.get("bank"), chart.fund("adult_social_care")
    period = _period(world)
    ids = bulk.post_all(
        world.north.authority, period,
        [bulk.Posting(ON, TxnKind.RECEIPT, f"r{i}", [debit(bank, 5), credit(fund, 5)]) for i in range(3)],
    )  # fmt: skip
    assert ids == list(range(ids[0], ids[0] + 3))
    after = ids[-1] + 1  # no transaction has this id: the sequence has not reached it

    def legs(*transaction_ids):
        rows = ", ".join(f"({t}, {bank.pk}, 'D', 1), ({t}, {fund.pk}, 'C', 1)" for t in transaction_ids)
        return f"INSERT INTO ledger_leg (transaction_id, account_id, side, amount) VALUES {rows}"  # noqa: S608

    count = Leg.objects.count()
    refused_statements = (
        legs(ids[1], ids[2], after),  # consecutive, the last one missing
        legs(ids[0], after + 1),  # a gap
        legs(after, after + 1),
        legs(-(2**63), 2**63 - 1),  # the ends of bigint: refused as missing, not as an overflow
    )
    for refused in refused_statements:
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(refused)
    assert Leg.objects.count() == count
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(legs(*ids))
    assert Leg.objects.count() == count + 6


def test_the_database_refuses_bad_references_and_changes_in_payments_file_lines_and_close_lines(world):
    """Migration 0006: a payment's, file line's and close line's references, and a transaction's
    authority and poster, are checked once per statement, not by foreign keys; the rows a run and
    a close write never change afterwards. The same rows are refused as before."""
    finance = world.north.users["finance"]
    budget = make_budget(world.north.caseload_person)
    run = services.execute_run(services.start_run(finance, world.north.authority, "2026-04").pk)
    services.close_period(finance, world.north.authority, "2026-04")
    payment = Payment.objects.get(run=run)
    line = payment.lines.get()
    close = CloseLine.objects.get(budget=budget)
    assert close.transaction_id is not None  # Northshire claws back what is over the 10% rollover
    missing = 10**9
    new_payment = (
        "INSERT INTO ledger_payment (instalment_id, run_id, transaction_id, amount_pence, contribution_pence)"
        " VALUES (%s, %s, %s, 1, 0)"
    )
    new_line = (
        "INSERT INTO ledger_paymentline (payment_id, route, payee_name, payee_account, amount_pence, reference)"
        " VALUES (%s, 'direct_payment', 'x', 'x', 1, 'x')"
    )
    new_close = (
        "INSERT INTO ledger_closeline (period_id, budget_id, unspent_pence, kept_pence, clawed_back_pence, rule,"
        " transaction_id) VALUES (%s, %s, 0, 0, 0, 'x', %s)"
    )
    later = Instalment.objects.filter(budget=budget, payment__isnull=True).first()
    may = books.period_for(world.north.authority, dt.date(2026, 5, 1))
    cases = [
        (new_payment, [missing, run.pk, payment.transaction_id]),
        (new_payment, [later.pk, missing, close.transaction_id]),
        (new_payment, [later.pk, run.pk, missing]),
        (new_line, [missing]),
        (new_close, [missing, budget.pk, None]),
        (new_close, [may.pk, missing, None]),
        (new_close, [may.pk, budget.pk, missing]),
        ("DELETE FROM ledger_instalment WHERE id = %s", [payment.instalment_id]),
        ("DELETE FROM ledger_paymentrun WHERE id = %s", [run.pk]),
        ("UPDATE ledger_payment SET amount_pence = 1 WHERE id = %s", [payment.pk]),
        ("DELETE FROM ledger_payment WHERE id = %s", [payment.pk]),
        ("UPDATE ledger_paymentline SET payee_account = 'elsewhere' WHERE id = %s", [line.pk]),
        ("UPDATE ledger_closeline SET clawed_back_pence = 0 WHERE id = %s", [close.pk]),
        ("DELETE FROM ledger_closeline WHERE id = %s", [close.pk]),
    ]
    if connection.vendor == "postgresql":  # on SQLite these are left to the ORM (see dbtriggers)
        new_txn = (
            'INSERT INTO ledger_transaction (authority_id, period_id, "on", kind, memo, posted_at, posted_by_id)'
            " VALUES (%s, %s, '2026-05-01', 'receipt', 'raw', now(), %s)"
        )
        cases += [
            (new_txn, [missing, may.pk, None]),
            (new_txn, [world.north.authority.pk, may.pk, missing]),
            ("DELETE FROM core_user WHERE id = %s", [finance.pk]),
            ("DELETE FROM ledger_budget WHERE id = %s", [budget.pk]),
        ]
    for sql, params in cases:
        refused = IntegrityError if sql.startswith("INSERT") else DatabaseError
        with pytest.raises(refused), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    assert Payment.objects.get(pk=payment.pk).amount_pence == payment.amount_pence
    assert PaymentLine.objects.get(pk=line.pk).payee_account == line.payee_account
    assert CloseLine.objects.get(pk=close.pk).clawed_back_pence == close.clawed_back_pence > 0
    # The rows that are right still go in: a May payment of the next instalment.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(new_line, [payment.pk])
    assert payment.lines.count() == 2


def test_reserved_ids_are_new_ascending_and_never_handed_out_twice(chart, world):
    """A run reserves each batch's ids before writing it (PostgreSQL: the sequence; SQLite: the
    table's AUTOINCREMENT counter); the rows then go in with those ids, and the ORM's next row
    gets a later one."""
    period = _period(world)
    bank, fund = chart.get("bank"), chart.fund("adult_social_care")
    [before] = bulk.post_all(
        world.north.authority, period, [bulk.Posting(ON, "receipt", "a", [debit(bank, 1), credit(fund, 1)])]
    )
    first, second = bulk.reserve_ids(Transaction, 3), bulk.reserve_ids(Transaction, 2)
    assert first == sorted(first) and second == sorted(second) and min(first) > before
    assert len(set(first) | set(second)) == 5 and max(first) < min(second)
    txns, legs = bulk.prepare_postings(
        world.north.authority, period, [bulk.Posting(ON, "receipt", "b", [debit(bank, 2), credit(fund, 2)])]
    )
    assert txns.ids[0] > max(second)
    assert bulk.write_postings((txns, legs)) == txns.ids
    assert Transaction.objects.get(pk=txns.ids[0]).memo == "b" and books.balance(bank) == 3
    after = books.post(world.north.authority, ON, "receipt", "c", [debit(bank, 4), credit(fund, 4)])
    assert after.pk > txns.ids[0]


def test_a_bulk_job_tunes_python_while_it_runs_and_puts_it_back_after_an_error():
    import gc
    import sys

    before = sys.getswitchinterval()
    assert gc.isenabled()
    with pytest.raises(RuntimeError, match="stop"), bulk.bulk_job():
        assert not gc.isenabled()
        assert sys.getswitchinterval() == pytest.approx(min(before, bulk.HANDOVER_SECONDS))
        raise RuntimeError("stop")
    assert gc.isenabled()
    assert sys.getswitchinterval() == before
    # Two jobs that overlap (a run and a close in one worker) and end in either order.
    first, second = bulk.bulk_job(), bulk.bulk_job()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert not gc.isenabled() and sys.getswitchinterval() < before  # the second is still running
    second.__exit__(None, None, None)
    assert gc.isenabled() and sys.getswitchinterval() == before


def test_batches_built_ahead_come_in_order_and_an_error_building_one_reaches_the_caller(db):
    def batches():
        yield from (1, 2, 3)
        raise ValueError("batch 4 is wrong")

    got = []
    with pytest.raises(ValueError, match="batch 4 is wrong"):
        for batch in bulk.built_ahead(batches()):
            got.append(batch)
    assert got == [1, 2, 3]
