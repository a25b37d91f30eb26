"""Set-based writing for the ledger's bulk paths (payment runs, period close).

Each posting is checked in code exactly as :func:`books.build` checks one (whole positive pence,
debits equal credits, the authority's own accounts, an open period, a date inside it); then the
rows go to the database in one statement per table. On PostgreSQL that is COPY, with the new
rows' ids reserved from the table's sequence in one query, and the database's own rules (legs
balance at COMMIT, nothing in a closed period, references) check the rows as they land. On
SQLite the same rows go through the ORM's bulk_create and its triggers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connection, models
from django.db.models.base import ModelState
from django.utils import timezone

from selfdirect.core.models import Authority

from .books import LedgerError, LegSpec, _checked
from .constants import PeriodStatus
from .models import Leg, Period, Transaction

TXN_COLUMNS = ["authority_id", "period_id", "on", "kind", "memo", "budget_id", "posted_at", "posted_by_id"]
LEG_COLUMNS = ["transaction_id", "account_id", "side", "amount"]


@dataclass(frozen=True)
class Posting:
    """One transaction to post: its date, kind, memo, legs and the budget it concerns."""

    on: dt.date
    kind: str
    memo: str
    legs: Sequence[LegSpec]
    budget_id: int | None = None


M = TypeVar("M", bound=models.Model)


def light(model: type[M], **values: Any) -> M:
    """A saved ``model`` instance from values already read, without Model.__init__ (which costs
    more than the query itself when a run reads 100,000 rows). Fields not given are deferred:
    reading one loads it from the database as usual."""
    obj = model.__new__(model)
    obj.__dict__.update(values)
    state = ModelState()
    state.adding = False
    state.db = DEFAULT_DB_ALIAS  # the connection the ledger's services use
    obj._state = state
    return obj


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` new ids for ``model``'s table, taken from its sequence in one query (PostgreSQL)."""
    if count == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
        )
        return [row[0] for row in cursor.fetchall()]


def insert_rows(
    model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]], *, ids: bool = True
) -> list[int]:
    """Insert ``rows`` (values for ``columns``, database column names) into ``model``'s table in
    one statement; returns the new ids in order (or [] when ``ids`` is false). Call inside
    transaction.atomic(). Errors are Django's (IntegrityError and so on) on both engines."""
    if not rows:
        return []
    if not _postgres():
        attnames = {f.column: f.attname for f in model._meta.concrete_fields}
        made = model._default_manager.bulk_create(
            [model(**{attnames[c]: v for c, v in zip(columns, row, strict=True)}) for row in rows],
            batch_size=500,
        )
        return [int(obj.pk) for obj in made] if ids else []
    new_ids = reserve_ids(model, len(rows)) if ids else []
    names = ", ".join(connection.ops.quote_name(c) for c in (["id", *columns] if ids else columns))
    sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({names}) FROM STDIN"
    with connection.cursor() as cursor, connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
        if ids:
            for new_id, row in zip(new_ids, rows, strict=True):
                copy.write_row((new_id, *row))
        else:
            for row in rows:
                copy.write_row(row)
    return new_ids


def check(authority: Authority, period: Period, posting: Posting) -> None:
    """What :func:`books.build` checks, for one posting."""
    _checked(authority, posting.legs)
    if not (period.start <= posting.on <= period.end):
        raise LedgerError(f"{posting.on} is not in period {period.label}")


def post_all(
    authority: Authority, period: Period, postings: Sequence[Posting], *, actor_id: int | None = None
) -> list[int]:
    """Post many checked transactions into one open period: one insert of transactions and one
    of legs. Returns the transactions' ids in the order given. Call inside transaction.atomic()."""
    if period.status == PeriodStatus.CLOSED:
        raise LedgerError(f"period {period.label} is closed: nothing can be posted into it")
    for posting in postings:
        check(authority, period, posting)
    now = timezone.now()
    txn_ids = insert_rows(
        Transaction,
        TXN_COLUMNS,
        [(authority.pk, period.pk, p.on, p.kind, p.memo[:300], p.budget_id, now, actor_id) for p in postings],
    )
    insert_rows(
        Leg,
        LEG_COLUMNS,
        [
            (txn_id, leg.account.id, leg.side, leg.amount)
            for txn_id, posting in zip(txn_ids, postings, strict=True)
            for leg in posting.legs
        ],
        ids=False,
    )
    return txn_ids
