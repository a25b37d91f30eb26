"""What the database itself enforces on the ledger, on both engines:

- posted transactions and legs are never updated or deleted (corrections are reversals);
- nothing is posted into a closed period;
- payments, payment-file lines and close lines are records of what a run or close did: they are
  never updated or deleted either;
- references: every transaction's period, budget and reversed transaction, every leg's
  transaction and account, and every payment's, file line's and close line's references exist
  when the row is written, and a row the ledger refers to cannot be removed. Checked once per
  INSERT statement (PostgreSQL: one anti-join per reference over the statement's new rows)
  instead of by foreign keys, whose lookup and row lock per row cost more than writing the rows
  (migrations 0005 and 0006); the same rows are refused. On SQLite, where these are row
  triggers, a transaction's budget, authority and poster are left to the ORM's checks (a SQLite
  trigger naming a table outside the ledger would stop that app's migrations rebuilding it);
- PostgreSQL only: every transaction's legs sum to zero (debits equal credits) at COMMIT. A
  statement-level trigger sums each INSERT's new legs per transaction; any transaction they leave
  unbalanced gets a DEFERRED CONSTRAINT TRIGGER check of all its legs at COMMIT (see RULES).

No migration calls this module: each carries the SQL of its day written out (a new rule goes into
a new migration as literal statements, as in 0011), and tests/ledger/test_ledger_migrations_frozen.py
proves that replaying them all on an empty database ends with exactly what :func:`install` defines.
Tests that must empty the tables lift the first rule with :func:`unprotect_ledger` and restore it
straight after.
"""

from __future__ import annotations

from typing import Any

# Ledger tables whose rows, once written, never change.
APPEND_ONLY = ("transaction", "leg", "payment", "paymentline", "closeline")
# (table, the ledger table referring to it, the referring column): removing a row still referred to
# is refused, as the foreign keys these checks replace refused it.
IN_USE = [
    ("ledger_account", "ledger_leg", "account_id"),
    ("ledger_period", "ledger_transaction", "period_id"),
    ("ledger_budget", "ledger_transaction", "budget_id"),
    ("ledger_instalment", "ledger_payment", "instalment_id"),
    ("ledger_paymentrun", "ledger_payment", "run_id"),
    ("ledger_period", "ledger_closeline", "period_id"),
    ("ledger_budget", "ledger_closeline", "budget_id"),
    ("core_authority", "ledger_transaction", "authority_id"),
    ("core_user", "ledger_transaction", "posted_by_id"),
]
GUARDED = sorted({table for table, _child, _column in IN_USE})
# What each ledger table's rows refer to, (column, table), checked once per INSERT statement. A
# payment's or close line's transaction is a posted ledger transaction, which is never removed.
REFERS_TO = {
    "transaction": [
        ("period_id", "ledger_period"),
        ("budget_id", "ledger_budget"),
        ("reverses_id", "ledger_transaction"),
        ("authority_id", "core_authority"),
        ("posted_by_id", "core_user"),
    ],
    "leg": [("transaction_id", "ledger_transaction"), ("account_id", "ledger_account")],
    "payment": [
        ("instalment_id", "ledger_instalment"),
        ("run_id", "ledger_paymentrun"),
        ("transaction_id", "ledger_transaction"),
    ],
    "paymentline": [("payment_id", "ledger_payment")],
    "closeline": [
        ("period_id", "ledger_period"),
        ("budget_id", "ledger_budget"),
        ("transaction_id", "ledger_transaction"),
    ],
}
# On PostgreSQL the transactions' and legs' references are checked in the triggers that also check
# the period and the balance (RULES); these tables have a references trigger of their own.
RECORD_REFERENCES = {t: refs for t, refs in REFERS_TO.items() if t not in ("transaction", "leg")}
# Tables of other apps: guarded on PostgreSQL only (see the module's docstring).
OUTSIDE = ("core_authority", "core_user")
# On SQLite a transaction's budget, authority and poster are left to the ORM (see the docstring).
SQLITE_REFERS_TO = {
    t: [(c, r) for c, r in refs if t != "transaction" or (r != "ledger_budget" and r not in OUTSIDE)]
    for t, refs in REFERS_TO.items()
}


def _missing(rows: str, column: str, table: str) -> str:
    """SQL true when some of ``rows``' non-null ``column`` values name no row of ``table``.

    First the cheap proof: when the distinct values are every integer from the lowest to the
    highest, and ``table`` holds that many ids in that range (ids are unique), every value is there.
    One count over an index range instead of a look-up per value: it holds for a statement's
    transactions, payments and single values (its period, authority, run), and took a batch's 5,000
    look-ups of new transactions from about 30 ms to 4.5 ms (measured). Otherwise each value is looked
    up once, in order: made DISTINCT by hashing alone, a period close's 100,000 look-ups reached the
    budget and transaction tables in random order and cost about 8 microseconds each instead of 2."""
    distinct = f"SELECT DISTINCT {column} FROM {rows} WHERE {column} IS NOT NULL"  # noqa: S608 (constant names)
    span = f"SELECT min({column}) lo, max({column}) hi, count(*) n FROM ({distinct}) d"  # noqa: S608
    in_range = f"SELECT count(*) FROM {table} r WHERE r.id BETWEEN s.lo AND s.hi"  # noqa: S608
    # numeric: hi - lo cannot overflow a bigint for any ids a statement names
    whole = (
        f"(SELECT s.lo IS NULL OR (s.hi::numeric - s.lo + 1 = s.n AND ({in_range}) = s.n) FROM ({span}) s)"  # noqa: S608
    )
    each = (
        f"EXISTS (SELECT 1 FROM ({distinct} ORDER BY {column}) n"  # noqa: S608
        f" WHERE NOT EXISTS (SELECT 1 FROM {table} r WHERE r.id = n.{column}))"
    )
    # CASE, not AND: the look-ups run only when the cheap proof fails.
    return f"(CASE WHEN {whole} THEN false ELSE {each} END)"


def _refuse_missing(t: str, rows: str) -> str:
    """PL/pgSQL refusing a statement whose new ``ledger_{t}`` rows (transition table ``rows``)
    refer to a row that does not exist."""
    return f"""IF {" OR ".join(_missing(rows, c, r) for c, r in REFERS_TO[t])} THEN
                 RAISE EXCEPTION 'ledger {t} refers to a row that does not exist ({", ".join(c for c, _r in REFERS_TO[t])})'
                   USING ERRCODE = 'foreign_key_violation';
               END IF;"""


PROTECT = {
    "sqlite": [
        f"""CREATE TRIGGER IF NOT EXISTS ledger_{t}_no_{op} BEFORE {op.upper()} ON ledger_{t}
            BEGIN SELECT RAISE(ABORT, 'posted ledger records never change: post a reversal'); END"""
        for t in APPEND_ONLY
        for op in ("update", "delete")
    ],
    "postgresql": [
        """CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN RAISE EXCEPTION 'posted ledger records never change: post a reversal'; END $$""",
    ]
    + [
        sql
        for t in APPEND_ONLY
        for sql in (
            f"DROP TRIGGER IF EXISTS ledger_{t}_no_change ON ledger_{t}",
            f"""CREATE TRIGGER ledger_{t}_no_change BEFORE UPDATE OR DELETE ON ledger_{t}
                FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()""",
        )
    ],
}
# Every table of the ledger: none may be emptied by TRUNCATE (PostgreSQL; SQLite has no TRUNCATE).
LEDGER_TABLES = (
    "account", "period", "transaction", "leg", "budget", "deployment", "instalment", "paymentrun", "payment",
    "paymentline", "closeline", "spend", "chargeassessment", "dispute",
)  # fmt: skip
# Months (migration 0011): a closed month stays closed and unchanged, and is never removed; months
# close in order, oldest first; no month is opened before a closed one. The services refuse all
# three first, with words; these hold whatever writes to the table.
PERIODS = {
    "sqlite": [
        """CREATE TRIGGER IF NOT EXISTS ledger_period_stays_closed BEFORE UPDATE ON ledger_period
           WHEN OLD.status = 'closed'
           BEGIN SELECT RAISE(ABORT, 'a closed month cannot be reopened or changed'); END""",
        """CREATE TRIGGER IF NOT EXISTS ledger_period_closed_kept BEFORE DELETE ON ledger_period
           WHEN OLD.status = 'closed'
           BEGIN SELECT RAISE(ABORT, 'a closed month cannot be removed'); END""",
        """CREATE TRIGGER IF NOT EXISTS ledger_period_closes_in_order BEFORE UPDATE ON ledger_period
           WHEN NEW.status = 'closed' AND OLD.status <> 'closed' AND EXISTS (
             SELECT 1 FROM ledger_period p
              WHERE p.authority_id = NEW.authority_id AND p.start < NEW.start AND p.status <> 'closed')
           BEGIN SELECT RAISE(ABORT, 'months close in order: an earlier month is still open'); END""",
        """CREATE TRIGGER IF NOT EXISTS ledger_period_not_before_closed BEFORE INSERT ON ledger_period
           WHEN EXISTS (SELECT 1 FROM ledger_period p
                         WHERE p.authority_id = NEW.authority_id AND p.start > NEW.start AND p.status = 'closed')
           BEGIN SELECT RAISE(ABORT, 'a later month is closed: this month cannot be opened'); END""",
    ],
    "postgresql": [
        """CREATE OR REPLACE FUNCTION ledger_period_rules() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN
             IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'closed' THEN
               RAISE EXCEPTION 'a closed month cannot be reopened, changed or removed (%)', to_char(OLD.start, 'YYYY-MM')
                 USING ERRCODE = 'check_violation';
             END IF;
             IF TG_OP = 'DELETE' THEN
               RETURN OLD;
             END IF;
             IF TG_OP = 'UPDATE' AND NEW.status = 'closed' AND EXISTS (
                  SELECT 1 FROM ledger_period p
                   WHERE p.authority_id = NEW.authority_id AND p.start < NEW.start AND p.status <> 'closed') THEN
               RAISE EXCEPTION 'months close in order: a month before % is still open', to_char(NEW.start, 'YYYY-MM')
                 USING ERRCODE = 'check_violation';
             END IF;
             IF TG_OP = 'INSERT' AND EXISTS (
                  SELECT 1 FROM ledger_period p
                   WHERE p.authority_id = NEW.authority_id AND p.start > NEW.start AND p.status = 'closed') THEN
               RAISE EXCEPTION 'a month after % is closed: it cannot be opened', to_char(NEW.start, 'YYYY-MM')
                 USING ERRCODE = 'check_violation';
             END IF;
             RETURN NEW;
           END $$""",
        "DROP TRIGGER IF EXISTS ledger_period_rules ON ledger_period",
        """CREATE TRIGGER ledger_period_rules BEFORE INSERT OR UPDATE OR DELETE ON ledger_period
           FOR EACH ROW EXECUTE FUNCTION ledger_period_rules()""",
        """CREATE OR REPLACE FUNCTION ledger_refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN RAISE EXCEPTION 'the ledger is never emptied: % refuses TRUNCATE', TG_TABLE_NAME; END $$""",
    ]
    + [
        sql
        for t in LEDGER_TABLES
        for sql in (
            f"DROP TRIGGER IF EXISTS ledger_{t}_no_truncate ON ledger_{t}",
            f"""CREATE TRIGGER ledger_{t}_no_truncate BEFORE TRUNCATE ON ledger_{t}
                FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_truncate()""",
        )
    ],
}
UNPERIODS = {
    "sqlite": [
        f"DROP TRIGGER IF EXISTS ledger_period_{name}"
        for name in ("stays_closed", "closed_kept", "closes_in_order", "not_before_closed")
    ],
    "postgresql": ["DROP TRIGGER IF EXISTS ledger_period_rules ON ledger_period"]
    + [f"DROP TRIGGER IF EXISTS ledger_{t}_no_truncate ON ledger_{t}" for t in LEDGER_TABLES],
}
# A leg's account belongs to its transaction's authority (migration 0011). PostgreSQL checks it in
# the leg statement's trigger (RULES): when the statement's accounts and transactions all share one
# authority (a run's, a close's: every batch), one look-up of each distinct account and transaction
# proves it; otherwise each leg is compared.
LEG_AUTHORITY_SQLITE = """CREATE TRIGGER IF NOT EXISTS ledger_leg_same_authority BEFORE INSERT ON ledger_leg
   WHEN (SELECT authority_id FROM ledger_account WHERE id = NEW.account_id)
        IS NOT (SELECT authority_id FROM ledger_transaction WHERE id = NEW.transaction_id)
   BEGIN SELECT RAISE(ABORT, 'a leg''s account belongs to another authority than its transaction'); END"""
LEG_AUTHORITY_POSTGRESQL = """
             IF EXISTS (
                  SELECT 1
                    FROM (SELECT array_agg(DISTINCT a.authority_id) acc
                            FROM (SELECT DISTINCT account_id FROM new_legs) n JOIN ledger_account a ON a.id = n.account_id) x,
                         (SELECT array_agg(DISTINCT t.authority_id) txn
                            FROM (SELECT DISTINCT transaction_id FROM new_legs) n
                            JOIN ledger_transaction t ON t.id = n.transaction_id) y
                   WHERE NOT (cardinality(x.acc) = 1 AND x.acc = y.txn))
                AND EXISTS (
                  SELECT 1 FROM new_legs l
                    JOIN ledger_account a ON a.id = l.account_id
                    JOIN ledger_transaction t ON t.id = l.transaction_id
                   WHERE a.authority_id <> t.authority_id) THEN
               RAISE EXCEPTION 'a leg''s account belongs to another authority than its transaction'
                 USING ERRCODE = 'check_violation';
             END IF;"""
# Installed from migration 0005 on (a SQLite trigger naming another table stops Django rebuilding
# that table: a migration that alters ledger_account, _leg, _period or _transaction on SQLite
# drops the rules before and creates them after, its SQL written out, as 0006 does).
REFERENCES = {
    "sqlite": [
        f"""CREATE TRIGGER IF NOT EXISTS {table}_in_use_by_{child} BEFORE DELETE ON {table}
            WHEN EXISTS (SELECT 1 FROM {child} WHERE {column} = OLD.id)
            BEGIN SELECT RAISE(ABORT, 'the ledger refers to this {table.split("_", 1)[1]}: it cannot be removed'); END"""  # noqa: S608 (constant names)
        for table, child, column in IN_USE
        # budgets change often, and other apps' tables must stay rebuildable: the ORM's PROTECT
        # guards those on SQLite
        if table != "ledger_budget" and table not in OUTSIDE
    ]
    + [
        f"""CREATE TRIGGER IF NOT EXISTS ledger_{t}_references BEFORE INSERT ON ledger_{t}
            WHEN {" OR ".join(f"(NEW.{c} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {r} WHERE id = NEW.{c}))" for c, r in refs)}
            BEGIN SELECT RAISE(ABORT, 'ledger {t} refers to a row that does not exist'); END"""  # noqa: S608 (constant names)
        for t, refs in SQLITE_REFERS_TO.items()
    ],
    "postgresql": [
        sql
        for table in GUARDED
        for sql in (
            f"""CREATE OR REPLACE FUNCTION {table}_refuse_removing_used() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  IF {" OR ".join(f"EXISTS (SELECT 1 FROM {child} WHERE {column} = OLD.id)" for t, child, column in IN_USE if t == table)} THEN
                    RAISE EXCEPTION 'the ledger refers to % %: it cannot be removed', TG_TABLE_NAME, OLD.id
                      USING ERRCODE = 'foreign_key_violation';
                  END IF;
                  RETURN OLD;
                END $$""",  # noqa: S608 (constant names)
            f"DROP TRIGGER IF EXISTS {table}_in_use_by_ledger ON {table}",
            f"""CREATE TRIGGER {table}_in_use_by_ledger BEFORE DELETE ON {table}
                FOR EACH ROW EXECUTE FUNCTION {table}_refuse_removing_used()""",
        )
    ]
    + [
        sql
        for t in RECORD_REFERENCES
        for sql in (
            f"""CREATE OR REPLACE FUNCTION ledger_{t}_references() RETURNS trigger LANGUAGE plpgsql
                SET work_mem = '64MB' AS $$
                BEGIN
                  {_refuse_missing(t, "new_rows")}
                  RETURN NULL;
                END $$""",
            f"DROP TRIGGER IF EXISTS ledger_{t}_references ON ledger_{t}",
            f"""CREATE TRIGGER ledger_{t}_references AFTER INSERT ON ledger_{t}
                REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ledger_{t}_references()""",
        )
    ],
}
# Names used by migrations 0002-0005, dropped wherever the rules are lifted or put back.
LEGACY = {
    "sqlite": ["DROP TRIGGER IF EXISTS ledger_account_in_use", "DROP TRIGGER IF EXISTS ledger_period_in_use"],
    "postgresql": [
        "DROP TRIGGER IF EXISTS ledger_account_in_use ON ledger_account",
        "DROP TRIGGER IF EXISTS ledger_period_in_use ON ledger_period",
        "DROP TRIGGER IF EXISTS ledger_budget_in_use ON ledger_budget",
        "DROP FUNCTION IF EXISTS ledger_refuse_removing_used()",
    ],
}
UNPROTECT = {
    "sqlite": LEGACY["sqlite"]
    + [f"DROP TRIGGER IF EXISTS ledger_{t}_no_{op}" for t in APPEND_ONLY for op in ("update", "delete")]
    + [f"DROP TRIGGER IF EXISTS {table}_in_use_by_{child}" for table, child, _col in IN_USE]
    + [f"DROP TRIGGER IF EXISTS ledger_{t}_references" for t in SQLITE_REFERS_TO],
    "postgresql": LEGACY["postgresql"]
    + [f"DROP TRIGGER IF EXISTS ledger_{t}_no_change ON ledger_{t}" for t in APPEND_ONLY]
    + [f"DROP TRIGGER IF EXISTS {table}_in_use_by_ledger ON {table}" for table in GUARDED]
    + [f"DROP TRIGGER IF EXISTS ledger_{t}_references ON ledger_{t}" for t in RECORD_REFERENCES],
}
RULES = {
    "sqlite": [
        """CREATE TRIGGER IF NOT EXISTS ledger_transaction_open_period BEFORE INSERT ON ledger_transaction
           WHEN (SELECT status FROM ledger_period WHERE id = NEW.period_id) = 'closed'
           BEGIN SELECT RAISE(ABORT, 'the period is closed: nothing can be posted into it'); END""",
        LEG_AUTHORITY_SQLITE,
    ],
    "postgresql": [
        # Once per INSERT statement, over the rows it inserted: none may go into a closed period.
        f"""CREATE OR REPLACE FUNCTION ledger_open_period() RETURNS trigger LANGUAGE plpgsql
           SET work_mem = '64MB' AS $$
           DECLARE closed_label text;
           BEGIN
             SELECT to_char(p.start, 'YYYY-MM') INTO closed_label
               FROM (SELECT DISTINCT period_id FROM new_transactions) n
               JOIN ledger_period p ON p.id = n.period_id
              WHERE p.status = 'closed' LIMIT 1;
             IF closed_label IS NOT NULL THEN
               RAISE EXCEPTION 'the period is closed: nothing can be posted into it (%)', closed_label;
             END IF;
             -- References, for the whole statement at once (see the module's docstring).
             {_refuse_missing("transaction", "new_transactions")}
             RETURN NULL;
           END $$""",  # noqa: S608 (constant names)
        "DROP TRIGGER IF EXISTS ledger_transaction_open_period ON ledger_transaction",
        """CREATE TRIGGER ledger_transaction_open_period AFTER INSERT ON ledger_transaction
           REFERENCING NEW TABLE AS new_transactions
           FOR EACH STATEMENT EXECUTE FUNCTION ledger_open_period()""",
        # The balance rule, checked cheaply and still enforced however the legs are written:
        # 1. after each INSERT statement on ledger_leg, sum that statement's new legs per
        #    transaction (one aggregate over the transition table, no index lookups);
        # 2. every transaction whose new legs do not sum to zero is queued in
        #    ledger_balance_check, whose DEFERRED constraint trigger sums all of that
        #    transaction's legs at COMMIT and refuses it unless they balance.
        # A transaction is unbalanced at COMMIT only if some statement added legs to it that did
        # not sum to zero (legs are never updated or deleted), and every such statement queued
        # the COMMIT check, so the database still refuses any unbalanced transaction: legs
        # written one at a time, across statements, or into an already posted transaction.
        """CREATE TABLE IF NOT EXISTS ledger_balance_check (transaction_id bigint NOT NULL)""",
        # work_mem (here and in every reference check): a close's 100,000 rows are grouped in
        # memory, not in five batches on disk.
        f"""CREATE OR REPLACE FUNCTION ledger_queue_balance_check() RETURNS trigger LANGUAGE plpgsql
           SET work_mem = '64MB' AS $$
           BEGIN
             {_refuse_missing("leg", "new_legs")}
             {LEG_AUTHORITY_POSTGRESQL}
             INSERT INTO ledger_balance_check (transaction_id)
               SELECT transaction_id FROM new_legs GROUP BY transaction_id
               HAVING SUM(CASE WHEN side = 'D' THEN amount ELSE -amount END) <> 0;
             RETURN NULL;
           END $$""",  # noqa: S608 (constant names)
        """CREATE OR REPLACE FUNCTION ledger_check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
           DECLARE total bigint;
           BEGIN
             SELECT COALESCE(SUM(CASE WHEN side = 'D' THEN amount ELSE -amount END), 0) INTO total
               FROM ledger_leg WHERE transaction_id = NEW.transaction_id;
             IF total <> 0 THEN
               RAISE EXCEPTION 'ledger transaction % does not balance: debits minus credits is % pence',
                 NEW.transaction_id, total USING ERRCODE = 'check_violation';
             END IF;
             DELETE FROM ledger_balance_check WHERE transaction_id = NEW.transaction_id;
             RETURN NULL;
           END $$""",
        # The per-leg deferred trigger this replaces (migration 0002 as first written).
        "DROP TRIGGER IF EXISTS ledger_leg_balanced ON ledger_leg",
        "DROP TRIGGER IF EXISTS ledger_leg_queue_balance_check ON ledger_leg",
        """CREATE TRIGGER ledger_leg_queue_balance_check AFTER INSERT ON ledger_leg
           REFERENCING NEW TABLE AS new_legs
           FOR EACH STATEMENT EXECUTE FUNCTION ledger_queue_balance_check()""",
        "DROP TRIGGER IF EXISTS ledger_balance_check_at_commit ON ledger_balance_check",
        """CREATE CONSTRAINT TRIGGER ledger_balance_check_at_commit AFTER INSERT ON ledger_balance_check
           DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_balanced()""",
    ],
}
UNRULES = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS ledger_transaction_open_period",
        "DROP TRIGGER IF EXISTS ledger_leg_same_authority",
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS ledger_leg_balanced ON ledger_leg",
        "DROP TRIGGER IF EXISTS ledger_leg_queue_balance_check ON ledger_leg",
        "DROP TABLE IF EXISTS ledger_balance_check",
        "DROP TRIGGER IF EXISTS ledger_transaction_open_period ON ledger_transaction",
        "DROP FUNCTION IF EXISTS ledger_queue_balance_check()",
        "DROP FUNCTION IF EXISTS ledger_check_balanced()",
        "DROP FUNCTION IF EXISTS ledger_open_period()",
    ],
}


def _run(connection: Any, statements: dict[str, list[str]]) -> None:
    with connection.cursor() as cursor:
        for sql in statements.get(connection.vendor, []):
            cursor.execute(sql)


def protect_ledger(connection: Any) -> None:
    _run(connection, PROTECT)
    _run(connection, REFERENCES)
    _run(connection, PERIODS)


def unprotect_ledger(connection: Any) -> None:
    _run(connection, UNPROTECT)
    _run(connection, UNPERIODS)


def install(connection: Any) -> None:
    """Install today's rules (idempotent): what the migrations, replayed in order, leave."""
    _run(connection, PROTECT)
    _run(connection, RULES)
    _run(connection, REFERENCES)
    _run(connection, PERIODS)


def uninstall(connection: Any) -> None:
    _run(connection, UNRULES)
    _run(connection, UNPROTECT)
    _run(connection, UNPERIODS)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP FUNCTION IF EXISTS ledger_refuse_change()")
            cursor.execute("DROP FUNCTION IF EXISTS ledger_refuse_removing_used()")
            for table in GUARDED:
                cursor.execute(f"DROP FUNCTION IF EXISTS {table}_refuse_removing_used()")
            for t in RECORD_REFERENCES:
                cursor.execute(f"DROP FUNCTION IF EXISTS ledger_{t}_references()")
            cursor.execute("DROP FUNCTION IF EXISTS ledger_period_rules()")
            cursor.execute("DROP FUNCTION IF EXISTS ledger_refuse_truncate()")
