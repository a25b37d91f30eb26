"""Set-based writing for the ledger's bulk paths (payment runs, period close).

Each posting is checked in code exactly as :func:`books.build` checks one (whole positive pence,
debits equal credits, the authority's own accounts, an open period, a date inside it); then the
rows go to the database in one statement per table. On PostgreSQL that is COPY, with the new
rows' ids reserved from the table's sequence in one query, and the database's own rules (legs
balance at COMMIT, nothing in a closed period, references) check the rows as they land. On
SQLite the same rows go through the ORM's bulk_create and its triggers.

Every speed trick of the ledger lives in this module, and nowhere else: COPY, ids reserved ahead,
models made without ``__init__`` (:func:`light`, :class:`BulkChart`), the cycle collector paused and
the GIL handed over faster (:func:`bulk_job`, restored afterwards), batches built or written on a
second thread. tests/ledger/test_ledger_fast_path.py proves that a payment run written this way
writes exactly the rows the plain path (books.post and the ORM) writes.
"""

from __future__ import annotations

import datetime as dt
import gc
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Generic, NamedTuple, TypeVar

from django.db import DEFAULT_DB_ALIAS, connection, models
from django.db.models.base import ModelState
from django.utils import timezone

from selfdirect.core.models import Authority

from .books import Chart, LedgerError, LegSpec, check_legs
from .constants import PeriodStatus
from .models import Account, Leg, Period, Transaction

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
B = TypeVar("B")


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


class BulkChart(Chart):
    """A chart for a payment run: each batch's budget and holder accounts read as plain values, in
    one query, and made with :func:`light` (a run caches 200,000 of them)."""

    def load_budget_accounts(self, budget_ids: Iterable[int]) -> None:
        # Unordered: sorting a run's accounts by code only cost time (and spilled to disk).
        accounts = Account.objects.filter(
            authority=self.authority, budget_id__any_of=list(budget_ids)
        ).order_by()
        authority_id = self.authority.pk
        for pk, code, name, kind, parent_id, budget_id in accounts.values_list(
            "id", "code", "name", "kind", "parent_id", "budget_id"
        ):
            self._cache[code] = light(
                Account, id=pk, authority_id=authority_id, code=code, name=name, kind=kind,
                parent_id=parent_id, budget_id=budget_id,
            )  # fmt: skip


def _postgres() -> bool:
    return connection.vendor == "postgresql"


# How often a thread waiting for the GIL gets it while a bulk job runs (Python's default: 5 ms).
HANDOVER_SECONDS = 0.001


_JOBS = threading.Lock()
_running = 0  # bulk jobs running in this process
_saved: tuple[bool, float] = (True, 0.005)  # what the first of them found


@contextmanager
def bulk_job() -> Iterator[None]:
    """Python tuned while a payment run or close reads, builds and writes its batches (only then:
    the services enter it around that work, not around claiming, finishing or reporting):

    - the cycle collector is held off: none of the small tuples form cycles, so reference counting
      frees them all the same, and each collection would walk every object the job holds (a
      quarter of a run's time);
    - threads hand the GIL over every millisecond instead of every five, so the thread feeding a
      COPY is not kept waiting while the other builds the next batch (a run took 0.3-0.8 s less,
      measured over four pairs of runs).

    Both settings are the process's: the first job to start sets them and the last to end puts
    back what the first found, on an error as on success, so jobs that overlap in one worker cannot
    leave them changed."""
    global _running, _saved
    with _JOBS:
        if _running == 0:
            _saved = (gc.isenabled(), sys.getswitchinterval())
            gc.disable()
            sys.setswitchinterval(min(_saved[1], HANDOVER_SECONDS))
        _running += 1
    try:
        yield
    finally:
        with _JOBS:
            _running -= 1
            if _running == 0:
                sys.setswitchinterval(_saved[1])
                if _saved[0]:
                    gc.enable()


_SEQUENCES: dict[str, str] = {}


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` new ids for ``model``'s table, in one query: from its sequence on PostgreSQL; on
    SQLite by moving on the table's AUTOINCREMENT counter. Reserved ids are never handed out again,
    whether or not they are used (a batch that fails leaves a gap, as a sequence does)."""
    if count == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if _postgres():
            if table not in _SEQUENCES:
                # Named once: pg_get_serial_sequence inside the query would run once per id (9x slower).
                cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
                _SEQUENCES[table] = cursor.fetchone()[0]
            # One array, not a row per id: 5,000 rows cost more to fetch than to number.
            cursor.execute(
                "SELECT array_agg(nextval(%s::regclass)) FROM generate_series(1, %s)",
                [_SEQUENCES[table], count],
            )
            return list(cursor.fetchone()[0])
        cursor.execute(
            "INSERT INTO sqlite_sequence (name, seq) SELECT %s, 0"
            " WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = %s)",
            [table, table],
        )
        cursor.execute(
            f"UPDATE sqlite_sequence SET seq = MAX(seq, (SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}))"  # noqa: S608 (a model's table)
            " + %s WHERE name = %s RETURNING seq",
            [count, table],
        )
        last = int(cursor.fetchone()[0])
        return list(range(last - count + 1, last + 1))


class Rows(NamedTuple):
    """Rows for one table, ready to write in one statement, their ids already reserved (a payment
    run prepares each batch while the one before is written)."""

    model: type[models.Model]
    columns: list[str]
    data: list[tuple[Any, ...]]
    ids: list[int]


def prepare_rows(
    model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]], *, ids: bool = True
) -> Rows:
    """``rows`` (values for ``columns``, database column names) made ready for :func:`write_rows`,
    with new ids for them unless ``ids`` is false."""
    new_ids = reserve_ids(model, len(rows)) if ids else []
    values: list[tuple[Any, ...]] = (
        [(new_id, *row) for new_id, row in zip(new_ids, rows, strict=True)]
        if ids
        else [tuple(row) for row in rows]
    )
    names = ["id", *columns] if ids else list(columns)
    return Rows(model, names, values, new_ids)


def write_rows(rows: Rows) -> list[int]:
    """Insert prepared rows in one statement (COPY on PostgreSQL) and return their ids in order
    (or [] when made without ids). Call inside transaction.atomic(). Errors are Django's
    (IntegrityError and so on) on both engines."""
    model = rows.model
    if not rows.data:
        return rows.ids
    if not _postgres():
        attnames = {f.column: f.attname for f in model._meta.concrete_fields}
        model._default_manager.bulk_create(
            [model(**{attnames[c]: v for c, v in zip(rows.columns, row, strict=True)}) for row in rows.data],
            batch_size=500,
        )
        return rows.ids
    names = ", ".join(connection.ops.quote_name(c) for c in rows.columns)
    sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({names}) FROM STDIN"
    with connection.cursor() as cursor, connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
        for row in rows.data:
            copy.write_row(row)
    return rows.ids


def check(authority: Authority, period: Period, posting: Posting) -> None:
    """What :func:`books.build` checks, for one posting."""
    check_legs(authority, posting.legs)
    if not (period.start <= posting.on <= period.end):
        raise LedgerError(f"{posting.on} is not in period {period.label}")


def post_all(
    authority: Authority, period: Period, postings: Sequence[Posting], *, actor_id: int | None = None
) -> list[int]:
    """Check and post many transactions into one open period: one insert of transactions and
    one of legs. Returns the transactions' ids in the order given. Call inside transaction.atomic()."""
    return write_postings(prepare_postings(authority, period, postings, actor_id=actor_id))


def prepare_postings(
    authority: Authority, period: Period, postings: Sequence[Posting], *, actor_id: int | None = None
) -> tuple[Rows, Rows]:
    """Check every posting (refusing the lot, before anything is written, if any is refused) and
    make the transactions' and legs' rows ready to write."""
    if period.status == PeriodStatus.CLOSED:
        raise LedgerError(f"period {period.label} is closed: nothing can be posted into it")
    for posting in postings:
        check(authority, period, posting)
    now = timezone.now()
    txns = prepare_rows(
        Transaction,
        TXN_COLUMNS,
        [(authority.pk, period.pk, p.on, p.kind, p.memo[:300], p.budget_id, now, actor_id) for p in postings],
    )
    legs = prepare_rows(
        Leg,
        LEG_COLUMNS,
        [
            (txn_id, leg.account.id, leg.side, leg.amount)
            for txn_id, posting in zip(txns.ids, postings, strict=True)
            for leg in posting.legs
        ],
        ids=False,
    )
    return txns, legs


def write_postings(prepared: tuple[Rows, Rows]) -> list[int]:
    """Write what :func:`prepare_postings` made ready; the database's own rules apply as the rows
    land. Returns the transactions' ids."""
    txns, legs = prepared
    write_rows(txns)
    write_rows(legs)
    return txns.ids


def built_ahead(batches: Iterator[B]) -> Iterator[B]:
    """``batches`` in order. On PostgreSQL each next one is built on a second thread while the
    caller writes the one it was given, so Python's work and the database's overlap inside the
    caller's transaction. That thread has its own connection, outside the transaction: ``batches``
    may reserve ids there (sequences stand outside transactions) but must not read or write rows.
    On SQLite, where a second connection would wait on the caller's write lock, they are built in
    line. An error building a batch is raised here, in the caller."""
    if not _postgres():
        yield from batches
        return
    done = object()
    with _database_thread("batch-builder") as pool:
        upcoming = pool.submit(next, batches, done)
        while (batch := upcoming.result()) is not done:
            upcoming = pool.submit(next, batches, done)
            yield batch  # type: ignore[misc]


class BatchWriter(Generic[B]):
    """Writes a long job's batches one after another, each in its own transaction, while the
    caller reads and builds the next.

    On PostgreSQL, when no transaction is open, each batch is written on a second thread with its
    own connection: the database's work on batch N (COPY, index updates, checks, commit) overlaps
    Python's on batch N+1, which roughly halves a payment run. Batches still commit strictly in
    order, one at a time, and :meth:`write` waits for the previous batch first, so an error in any
    batch stops the job with every earlier batch committed and none after it, exactly as writing
    in line. Elsewhere (SQLite, or inside a caller's transaction, where a second connection could
    not see the caller's rows) batches are written in line.

    ``write(batch)`` writes and commits one batch; ``written(batch)`` is called on the caller's
    thread once it has committed.
    """

    def __init__(self, write: Callable[[B], None], written: Callable[[B], None]) -> None:
        self._write, self._written = write, written
        self._thread = ExitStack()
        threaded = _postgres() and not connection.in_atomic_block
        self._pool = self._thread.enter_context(_database_thread("batch-writer")) if threaded else None
        self._pending: tuple[Future[None], B] | None = None

    def put(self, batch: B) -> None:
        """Write ``batch`` once the one before it has committed."""
        self.wait()
        if self._pool is None:
            self._write(batch)
            self._written(batch)
        else:
            self._pending = (self._pool.submit(self._write, batch), batch)

    def wait(self) -> None:
        """Until the batch being written has committed (its error, if any, is raised here)."""
        if self._pending is not None:
            future, batch = self._pending
            self._pending = None
            future.result()
            self._written(batch)

    def __enter__(self) -> BatchWriter[B]:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if exc is None:
                self.wait()
            elif self._pending is not None:
                # The caller failed while a batch was being written: let that batch finish
                # (commit or roll back) before the caller's error goes on, so nothing is left
                # half-done behind it.
                try:
                    self.wait()
                except Exception as write_error:  # noqa: BLE001 (reported with the caller's)
                    exc.add_note(f"the batch being written failed too: {write_error}")
        finally:
            self._thread.close()


@contextmanager
def _database_thread(name: str) -> Iterator[ThreadPoolExecutor]:
    """One worker thread for the caller's tasks. Django gives each thread its own database
    connection; the worker's is closed, on the worker, when the caller is done with it."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix=name) as pool:
        try:
            yield pool
        finally:
            pool.submit(_close_this_threads_connection).result()


def _close_this_threads_connection() -> None:
    connection.close()  # resolved when called: ``connection`` is the calling thread's own
