"""What the database itself refuses, however the rows are written (issue 17): a closed month reopened,
changed or removed; months closed out of order; a month opened before a closed one; a leg whose
account is another authority's; and (PostgreSQL) any ledger table emptied by TRUNCATE. Raw SQL, so
nothing in the services can be what refuses it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction
from ledger_support import make_budget

from selfdirect.core.constants import Role
from selfdirect.ledger import books, dbtriggers, services
from selfdirect.ledger.models import Period


@pytest.fixture
def closed_april(world):
    make_budget(world.north.self_person)
    services.execute_run(
        services.start_run(world.north.users[Role.FINANCE], world.north.authority, "2026-04").pk
    )
    services.close_period(world.north.users[Role.FINANCE], world.north.authority, "2026-04")
    return Period.objects.get(authority=world.north.authority, start=dt.date(2026, 4, 1))


def _refused(sql, params=(), match=""):
    with pytest.raises(DatabaseError, match=match), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_a_closed_month_cannot_be_reopened_changed_or_removed(closed_april):
    _refused("UPDATE ledger_period SET status = 'open' WHERE id = %s", [closed_april.pk], "closed month")
    _refused(
        "UPDATE ledger_period SET policy_version = 'other' WHERE id = %s", [closed_april.pk], "closed month"
    )
    _refused("DELETE FROM ledger_period WHERE id = %s", [closed_april.pk], "closed month|refers to")
    closed_april.refresh_from_db()
    assert closed_april.status == "closed" and closed_april.policy_version == "northshire-ledger-2026"


def test_months_close_in_order_whoever_closes_them(world):
    make_budget(world.north.self_person)
    for month in ("2026-04", "2026-05"):
        services.execute_run(
            services.start_run(world.north.users[Role.FINANCE], world.north.authority, month).pk
        )
    may = Period.objects.get(authority=world.north.authority, start=dt.date(2026, 5, 1))
    _refused("UPDATE ledger_period SET status = 'closed' WHERE id = %s", [may.pk], "close in order")
    assert Period.objects.get(pk=may.pk).status == "open"


def test_no_month_is_opened_before_a_closed_one(world, closed_april):
    _refused(
        'INSERT INTO ledger_period (authority_id, start, "end", status, policy_version) '
        "VALUES (%s, '2026-03-01', '2026-03-31', 'open', '')",
        [world.north.authority.pk],
        "cannot be opened",
    )
    assert not Period.objects.filter(start=dt.date(2026, 3, 1)).exists()


def test_a_legs_account_belongs_to_its_transactions_authority(world):
    north, south = books.Chart(world.north.authority), books.Chart(world.south.authority)
    bank, foreign = north.get("bank"), south.get("funds")
    period = books.period_for(world.north.authority, dt.date(2026, 5, 1))
    refused = pytest.raises(DatabaseError, match="another authority")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            'INSERT INTO ledger_transaction (authority_id, period_id, "on", kind, memo, posted_at) '
            "VALUES (%s, %s, '2026-05-01', 'receipt', 'raw', %s) RETURNING id",
            [world.north.authority.pk, period.pk, "2026-05-01T12:00:00Z"],
        )
        txn = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO ledger_leg (transaction_id, account_id, side, amount) VALUES (%s, %s, 'D', 100), (%s, %s, 'C', 100)",
            [txn, bank.pk, txn, foreign.pk],
        )


@pytest.mark.parametrize("table", dbtriggers.LEDGER_TABLES)
def test_no_ledger_table_can_be_emptied_by_truncate(world, table):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    _refused(f"TRUNCATE ledger_{table} CASCADE", (), "never emptied")
