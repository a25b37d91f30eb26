"""What the database itself enforces on the ledger, on both engines:

- posted transactions and legs are never updated or deleted (corrections are reversals);
- nothing is posted into a closed period;
- PostgreSQL only: every transaction's legs sum to zero (debits equal credits) at COMMIT. A
  statement-level trigger sums each INSERT's new legs per transaction; any transaction they leave
  unbalanced gets a DEFERRED CONSTRAINT TRIGGER check of all its legs at COMMIT (see RULES).

Used by migrations 0002 and 0003 (install is idempotent); tests that must empty the tables lift
the first rule with :func:`unprotect_ledger` and restore it straight after.
"""

from __future__ import annotations

from typing import Any

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
UNPROTECT = {
    "sqlite": [
        f"DROP TRIGGER IF EXISTS ledger_{t}_no_{op}"
        for t in ("transaction", "leg")
        for op in ("update", "delete")
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS ledger_transaction_no_change ON ledger_transaction",
        "DROP TRIGGER IF EXISTS ledger_leg_no_change ON ledger_leg",
    ],
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
    "sqlite": ["DROP TRIGGER IF EXISTS ledger_transaction_open_period"],
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


def unprotect_ledger(connection: Any) -> None:
    _run(connection, UNPROTECT)


def install(connection: Any) -> None:
    _run(connection, PROTECT)
    _run(connection, RULES)


def uninstall(connection: Any) -> None:
    _run(connection, UNRULES)
    _run(connection, UNPROTECT)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP FUNCTION IF EXISTS ledger_refuse_change()")
