"""What the database itself enforces on the ledger, on both engines:

- posted transactions and legs are never updated or deleted (corrections are reversals);
- nothing is posted into a closed period;
- references: every transaction's period, budget and reversed transaction, and every leg's
  transaction and account exist when the row is written, and an account, period or budget the
  ledger refers to cannot be removed. Checked once per INSERT statement (PostgreSQL: one
  anti-join over the statement's new rows) instead of by foreign keys, whose lookup and row lock
  per row cost more than writing the rows (migration 0005); the same rows are refused (on SQLite,
  where these are row triggers, a transaction's budget is left to the ORM's checks);
- PostgreSQL only: every transaction's legs sum to zero (debits equal credits) at COMMIT. A
  statement-level trigger sums each INSERT's new legs per transaction; any transaction they leave
  unbalanced gets a DEFERRED CONSTRAINT TRIGGER check of all its legs at COMMIT (see RULES).

Used by migrations 0002 and 0003 (install is idempotent); tests that must empty the tables lift
the first rule with :func:`unprotect_ledger` and restore it straight after.
"""

from __future__ import annotations

from typing import Any

# (table, the ledger table referring to it, the referring column): removing a row still referred to
# is refused, as the foreign keys these checks replace refused it.
IN_USE = [
    ("account", "ledger_leg", "account_id"),
    ("period", "ledger_transaction", "period_id"),
    ("budget", "ledger_transaction", "budget_id"),
]
PROTECT = {
    "sqlite": [
        f"""CREATE TRIGGER IF NOT EXISTS ledger_{t}_no_{op} BEFORE {op.upper()} ON ledger_{t}
            BEGIN SELECT RAISE(ABORT, 'posted ledger records never change: post a reversal'); END"""
        for t in ("transaction", "leg")
        for op in ("update", "delete")
    ],
    "postgresql": [
        """CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN RAISE EXCEPTION 'posted ledger records never change: post a reversal'; END $$""",
        "DROP TRIGGER IF EXISTS ledger_transaction_no_change ON ledger_transaction",
        """CREATE TRIGGER ledger_transaction_no_change BEFORE UPDATE OR DELETE ON ledger_transaction
           FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()""",
        "DROP TRIGGER IF EXISTS ledger_leg_no_change ON ledger_leg",
        """CREATE TRIGGER ledger_leg_no_change BEFORE UPDATE OR DELETE ON ledger_leg
           FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()""",
    ],
}
# Installed from migration 0005 on (a SQLite trigger naming another table stops Django rebuilding
# that table: a migration that alters ledger_account, _leg, _period or _transaction on SQLite
# must call uninstall() before and install() after, as 0005 does for the rules before it).
REFERENCES = {
    "sqlite": [
        f"""CREATE TRIGGER IF NOT EXISTS ledger_{table}_in_use BEFORE DELETE ON ledger_{table}
            WHEN EXISTS (SELECT 1 FROM {child} WHERE {column} = OLD.id)
            BEGIN SELECT RAISE(ABORT, 'the ledger refers to this {table}: it cannot be removed'); END"""  # noqa: S608 (constant names)
        for table, child, column in IN_USE
        if table != "budget"  # budgets change often: the ORM's PROTECT guards them on SQLite
    ]
    + [
        """CREATE TRIGGER IF NOT EXISTS ledger_transaction_references BEFORE INSERT ON ledger_transaction
           WHEN NOT EXISTS (SELECT 1 FROM ledger_period WHERE id = NEW.period_id)
             OR (NEW.reverses_id IS NOT NULL
                 AND NOT EXISTS (SELECT 1 FROM ledger_transaction WHERE id = NEW.reverses_id))
           BEGIN SELECT RAISE(ABORT, 'ledger transaction refers to a period or transaction that does not exist'); END""",
        """CREATE TRIGGER IF NOT EXISTS ledger_leg_references BEFORE INSERT ON ledger_leg
           WHEN NOT EXISTS (SELECT 1 FROM ledger_transaction WHERE id = NEW.transaction_id)
             OR NOT EXISTS (SELECT 1 FROM ledger_account WHERE id = NEW.account_id)
           BEGIN SELECT RAISE(ABORT, 'ledger leg refers to a transaction or account that does not exist'); END""",
    ],
    "postgresql": [
        """CREATE OR REPLACE FUNCTION ledger_refuse_removing_used() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN
             IF TG_TABLE_NAME = 'ledger_account' THEN
               PERFORM 1 FROM ledger_leg WHERE account_id = OLD.id LIMIT 1;
             ELSIF TG_TABLE_NAME = 'ledger_period' THEN
               PERFORM 1 FROM ledger_transaction WHERE period_id = OLD.id LIMIT 1;
             ELSE
               PERFORM 1 FROM ledger_transaction WHERE budget_id = OLD.id LIMIT 1;
             END IF;
             IF FOUND THEN
               RAISE EXCEPTION 'the ledger refers to % %: it cannot be removed', TG_TABLE_NAME, OLD.id
                 USING ERRCODE = 'foreign_key_violation';
             END IF;
             RETURN OLD;
           END $$""",
    ]
    + [
        sql
        for table, _child, _column in IN_USE
        for sql in (
            f"DROP TRIGGER IF EXISTS ledger_{table}_in_use ON ledger_{table}",
            f"""CREATE TRIGGER ledger_{table}_in_use BEFORE DELETE ON ledger_{table}
                FOR EACH ROW EXECUTE FUNCTION ledger_refuse_removing_used()""",
        )
    ],
}
UNPROTECT = {
    "sqlite": [
        f"DROP TRIGGER IF EXISTS ledger_{t}_no_{op}"
        for t in ("transaction", "leg")
        for op in ("update", "delete")
    ]
    + [f"DROP TRIGGER IF EXISTS ledger_{table}_in_use" for table, _c, _col in IN_USE],
    "postgresql": [
        "DROP TRIGGER IF EXISTS ledger_transaction_no_change ON ledger_transaction",
        "DROP TRIGGER IF EXISTS ledger_leg_no_change ON ledger_leg",
    ]
    + [f"DROP TRIGGER IF EXISTS ledger_{table}_in_use ON ledger_{table}" for table, _c, _col in IN_USE],
}
RULES = {
    "sqlite": [
        """CREATE TRIGGER IF NOT EXISTS ledger_transaction_open_period BEFORE INSERT ON ledger_transaction
           WHEN (SELECT status FROM ledger_period WHERE id = NEW.period_id) = 'closed'
           BEGIN SELECT RAISE(ABORT, 'the period is closed: nothing can be posted into it'); END""",
    ],
    "postgresql": [
        # Once per INSERT statement, over the rows it inserted: none may go into a closed period.
        """CREATE OR REPLACE FUNCTION ledger_open_period() RETURNS trigger LANGUAGE plpgsql AS $$
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
             IF EXISTS (SELECT 1 FROM (SELECT DISTINCT period_id FROM new_transactions) n
                         WHERE NOT EXISTS (SELECT 1 FROM ledger_period p WHERE p.id = n.period_id))
                OR EXISTS (SELECT 1 FROM (SELECT DISTINCT budget_id FROM new_transactions
                                           WHERE budget_id IS NOT NULL) n
                            WHERE NOT EXISTS (SELECT 1 FROM ledger_budget b WHERE b.id = n.budget_id))
                OR EXISTS (SELECT 1 FROM new_transactions n WHERE n.reverses_id IS NOT NULL
                              AND NOT EXISTS (SELECT 1 FROM ledger_transaction t WHERE t.id = n.reverses_id))
             THEN
               RAISE EXCEPTION 'ledger transaction refers to a period, budget or transaction that does not exist'
                 USING ERRCODE = 'foreign_key_violation';
             END IF;
             RETURN NULL;
           END $$""",
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
        """CREATE OR REPLACE FUNCTION ledger_queue_balance_check() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN
             IF EXISTS (SELECT 1 FROM (SELECT DISTINCT transaction_id FROM new_legs) n
                         WHERE NOT EXISTS (SELECT 1 FROM ledger_transaction t WHERE t.id = n.transaction_id))
                OR EXISTS (SELECT 1 FROM (SELECT DISTINCT account_id FROM new_legs) n
                            WHERE NOT EXISTS (SELECT 1 FROM ledger_account a WHERE a.id = n.account_id))
             THEN
               RAISE EXCEPTION 'ledger leg refers to a transaction or account that does not exist'
                 USING ERRCODE = 'foreign_key_violation';
             END IF;
             INSERT INTO ledger_balance_check (transaction_id)
               SELECT transaction_id FROM new_legs GROUP BY transaction_id
               HAVING SUM(CASE WHEN side = 'D' THEN amount ELSE -amount END) <> 0;
             RETURN NULL;
           END $$""",
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
        "DROP TRIGGER IF EXISTS ledger_transaction_references",
        "DROP TRIGGER IF EXISTS ledger_leg_references",
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


def unprotect_ledger(connection: Any) -> None:
    _run(connection, UNPROTECT)


def install(connection: Any, *, references: bool = True) -> None:
    """Install the rules (idempotent); migrations before 0005 pass ``references=False``."""
    _run(connection, PROTECT)
    _run(connection, RULES)
    if references:
        _run(connection, REFERENCES)


def uninstall(connection: Any) -> None:
    _run(connection, UNRULES)
    _run(connection, UNPROTECT)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP FUNCTION IF EXISTS ledger_refuse_change()")
            cursor.execute("DROP FUNCTION IF EXISTS ledger_refuse_removing_used()")
